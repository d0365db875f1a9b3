"""The printable A4 poster: its QR code, made locally, encodes the venue's public page."""

import re

import qrcode
from django.urls import reverse

PUBLIC_BASE = "http://testserver"
MODULE = re.compile(r"M(\d+),(\d+)H")


def matrix_of(svg: str) -> list[list[bool]]:
    """Read the dark modules back from the SVG path ("Mx,yH..V..H..z" per module) into a matrix."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    matrix = [[False] * size for _ in range(size)]
    for x, y in MODULE.findall(svg):
        matrix[int(y)][int(x)] = True
    return matrix


def expected_matrix(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def svg_in(html: str) -> str:
    return re.search(r"<svg.*?</svg>", html, re.S).group(0)


def test_poster_shows_name_kind_code_address_hours_and_a_print_button(client_for, district_staff, venue_a):
    venue_a.is_24h = True
    venue_a.save()
    response = client_for(district_staff).get(reverse("stations:venue_poster", args=[venue_a.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    for text in (venue_a.name, venue_a.code, venue_a.address, venue_a.get_kind_display()):
        assert text in page
    assert "data-print" in page
    assert venue_a.contact_phone not in page  # the poster hangs in public


def test_poster_qr_code_encodes_the_absolute_public_url(client_for, district_staff, venue_a):
    response = client_for(district_staff).get(reverse("stations:venue_poster", args=[venue_a.pk]))

    public_url = f"{PUBLIC_BASE}/venues/{venue_a.code}/"
    assert public_url in response.content.decode()
    assert matrix_of(svg_in(response.content.decode())) == expected_matrix(public_url)
    assert matrix_of(svg_in(response.content.decode())) != expected_matrix(f"{PUBLIC_BASE}/venues/WS-99999/")


def test_qr_svg_endpoint_serves_the_same_code_as_an_svg_file(client_for, district_staff, venue_a):
    response = client_for(district_staff).get(reverse("stations:venue_qr", args=[venue_a.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert matrix_of(svg) == expected_matrix(f"{PUBLIC_BASE}/venues/{venue_a.code}/")


def test_the_url_in_the_qr_code_opens_the_public_page(client_for, district_staff, venue_a, client):
    response = client_for(district_staff).get(reverse("stations:venue_qr", args=[venue_a.pk]))
    public_path = f"/venues/{venue_a.code}/"
    assert matrix_of(response.content.decode()) == expected_matrix(PUBLIC_BASE + public_path)

    client.logout()
    assert client.get(public_path).status_code == 200
