"""Staff lists at scale: one shared page bar (numbers, first and last, total, a jump form keeping the filters),
bad page numbers answered without a server error, status badges coloured by state, and rows a phone shows
as cards (each cell labelled). Statement counts do not grow with the data or with the page bar."""

import re

import pytest
from django.urls import resolve, reverse

from benefits.models import AllowanceKind, AllowanceListEntry
from disputes.models import Case
from tests.disputes.factories import CaseFactory, id_number
from tests.factories import VenueFactory, make_staff
from union_portal.access import Role
from union_portal.templatetags.portal import _page_window, page_bar, status_colour

# Every staff list (URL name, query): the demo district has more than one record in each.
STAFF_LISTS = [
    ("disputes:case_list", {}),
    ("disputes:bargaining", {}),
    ("disputes:bargaining_census", {}),
    ("disputes:instructor_list", {}),
    ("disputes:inspection_list", {}),
    ("disputes:inspected_union_list", {}),
    ("stations:venue_list", {}),
    ("benefits:member_list", {}),
    ("benefits:merchant_list", {}),
    ("benefits:activity_list", {}),
    ("benefits:file_list", {}),
    ("benefits:visit_list", {}),
    ("benefits:allowance_list", {}),
    ("benefits:payment_list", {}),
    ("benefits:childcare_list", {}),
    ("benefits:culture_list", {}),
]


@pytest.fixture
def admin_client(demo, client):
    AllowanceListEntry.objects.bulk_create(  # the demo's allowance list is short
        AllowanceListEntry(id_number=id_number(9000 + n), name=f"低保户{n}", kind=AllowanceKind.values[0])
        for n in range(3)
    )
    client.force_login(make_staff(Role.DISTRICT_ADMIN, username="lists-admin"))
    return client


@pytest.fixture
def town_staff(town_a):
    """Staff of a town the demo does not have (the module's demo district may be loaded): sees only what a test made."""
    return make_staff(Role.TOWN_STAFF, town_a, username="lists-town-a")


def small_pages(monkeypatch, url_name, size=1):
    """The list's view paginated by `size`, so the demo's records fill several pages."""
    view = resolve(reverse(url_name)).func.view_class
    monkeypatch.setattr(view, "paginate_by", size)


def bar_of(page: str) -> str:
    found = re.search(r'<nav[^>]*data-testid="pagination".*?</nav>', page, re.S)
    assert found, "no page bar"
    return found.group(0)


@pytest.mark.parametrize(("url_name", "query"), STAFF_LISTS)
def test_every_staff_list_has_the_shared_page_bar(admin_client, monkeypatch, url_name, query):
    small_pages(monkeypatch, url_name)
    response = admin_client.get(reverse(url_name), {**query, "page": 2})
    assert response.status_code == 200
    paginator = response.context["paginator"]
    assert paginator.num_pages >= 3, "the demo has too few records for this list"
    bar = bar_of(response.content.decode())
    assert 'aria-current="page"><span class="page-link" data-page="2">2</span>' in bar
    assert 'data-page="1"' in bar and f'data-page="{paginator.num_pages}"' in bar  # first and last
    assert 'rel="prev"' in bar and 'rel="next"' in bar
    total = re.search(r'data-testid="page-total">(.*?)</span>', bar).group(1)
    assert f"{paginator.count:,}" in total and f"{paginator.num_pages:,}" in total
    assert re.search(r'<form method="get"[^>]*data-testid="page-jump"', bar)
    assert re.search(rf'<input[^>]*name="page"[^>]*max="{paginator.num_pages}"', bar)


@pytest.mark.parametrize(("url_name", "query"), STAFF_LISTS)
def test_every_staff_list_shows_rows_as_labelled_cards(admin_client, url_name, query):
    page = admin_client.get(reverse(url_name), query).content.decode()
    table = re.search(r'<table class="[^"]*\blist-table\b.*?</table>', page, re.S)
    assert table, "the list's table is not marked for phone cards"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
    rows = re.findall(r"<tr\b.*?</tr>", body, re.S)
    assert rows
    for row in rows:
        assert len(re.findall(r'<t[dh]\b[^>]*class="[^"]*\bcard-head\b', row)) == 1  # the card's title
        assert re.search(r'<td\b[^>]*data-label="[^"]+"', row)  # its other cells say what they are


def test_the_jump_form_keeps_the_filters_and_the_figure(admin_client, monkeypatch):
    small_pages(monkeypatch, "disputes:case_list")
    query = {"status": "received", "figure": "cases", "page": 1}
    bar = bar_of(admin_client.get(reverse("disputes:case_list"), query).content.decode())
    jump = re.search(r'<form[^>]*data-testid="page-jump".*?</form>', bar, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', jump))
    assert hidden == {"status": "received", "figure": "cases"}
    links = re.findall(r'href="\?([^"]+)"', bar)
    assert links and all("status=received" in link and "figure=cases" in link for link in links)


def test_the_page_bar_of_a_long_list_elides_the_middle():
    assert _page_window(1, 1205, 2, 1) == [1, 2, 3, None, 1205]
    assert _page_window(600, 1205, 2, 1) == [1, None, 598, 599, 600, 601, 602, None, 1205]
    assert _page_window(4, 7, 2, 1) == [1, 2, 3, 4, 5, 6, 7]  # a gap of one page shows that page


def test_the_page_bar_states_the_total_with_separators(rf):
    bar = page_bar(rf.get("/", {"town": "3"}).GET, 7, 1205, 30000)
    assert (bar.total_display, bar.count_display) == ("30,000", "1,205")
    assert bar.previous_url == "?town=3&page=6" and bar.next_url == "?town=3&page=8"
    assert bar.kept_params == [("town", "3")]


@pytest.mark.parametrize("url_name", ["disputes:case_list", "stations:venue_list", "benefits:payment_list"])
@pytest.mark.parametrize("page", ["abc", "999999", "0", "-1"])
def test_a_bad_page_number_is_not_found_never_a_server_error(admin_client, url_name, page):
    response = admin_client.get(reverse(url_name), {"page": page})
    assert response.status_code in (200, 404)


def test_the_last_page_by_name_works(admin_client, monkeypatch):
    small_pages(monkeypatch, "disputes:case_list")
    response = admin_client.get(reverse("disputes:case_list"), {"page": "last"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == response.context["paginator"].num_pages


# Status badges ---------------------------------------------------------------------------------------------


def test_states_have_the_colours_of_their_meaning():
    assert status_colour("received", "case") == "text-bg-primary"
    assert status_colour("mediating", "case") == "text-bg-info"
    assert status_colour("overdue", "clock") == "text-bg-danger"
    assert status_colour("closed", "case") == "text-bg-success"
    assert status_colour("accepted", "venue") == "text-bg-success"
    assert status_colour("withdrawn", "payment") == "text-bg-secondary"
    assert status_colour("cancelled", "card") == "text-bg-secondary"
    assert status_colour("no such state", "case") == "text-bg-secondary"


def test_the_case_list_and_page_colour_the_status(client_for, town_staff, town_a):
    case = CaseFactory(town=town_a, status="received")
    client = client_for(town_staff)
    listed = client.get(reverse("disputes:case_list")).content.decode()
    assert re.search(r'class="badge status-badge text-bg-primary" data-status="received"', listed)
    detail = client.get(case.get_absolute_url()).content.decode()
    assert re.search(r'class="badge status-badge text-bg-primary" data-testid="case-status"', detail)
    Case.objects.filter(pk=case.pk).update(status="closed")
    detail = client.get(case.get_absolute_url()).content.decode()
    assert re.search(r'class="badge status-badge text-bg-success" data-testid="case-status"', detail)


def test_the_venue_list_and_page_colour_the_status(client_for, town_staff, town_a):
    venue = VenueFactory(town=town_a)  # built: its status follows from its dates
    assert venue.status == "built"
    client = client_for(town_staff)
    for page in (reverse("stations:venue_list"), venue.get_absolute_url()):
        assert 'class="badge status-badge text-bg-info" data-status="built"' in client.get(page).content.decode()


def contrast(foreground: str, background: str) -> float:
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_badge_colours_keep_aa_contrast():
    # Bootstrap 5.3's text-bg-* pairs, the primary one darkened by lists.css.
    pairs = {
        "primary": ("#ffffff", "#0a58ca"),
        "secondary": ("#ffffff", "#6c757d"),
        "success": ("#ffffff", "#198754"),
        "danger": ("#ffffff", "#dc3545"),
        "info": ("#000000", "#0dcaf0"),
        "warning": ("#000000", "#ffc107"),
        "light": ("#000000", "#f8f9fa"),
    }
    for name, (text, background) in pairs.items():
        assert contrast(text, background) >= 4.5, name


# Statement counts --------------------------------------------------------------------------------------


def cases(town, count):
    for _ in range(count):
        CaseFactory(town=town)


@pytest.mark.parametrize("size", [3, 30])
def test_the_case_list_costs_the_same_statements_at_two_sizes(
    client_for, town_staff, town_a, django_assert_max_num_queries, size
):
    cases(town_a, size)
    client = client_for(town_staff)
    client.get(reverse("disputes:case_list"))  # warm the session and reference caches
    with django_assert_max_num_queries(16):
        response = client.get(reverse("disputes:case_list"), {"page": 2 if size > 25 else 1})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_the_venue_list_costs_the_same_statements_at_two_sizes(
    client_for, town_staff, town_a, django_assert_max_num_queries, size
):
    VenueFactory.create_batch(size, town=town_a)
    client = client_for(town_staff)
    client.get(reverse("stations:venue_list"))
    with django_assert_max_num_queries(15):  # one reads the towns' order (stations.models.staff_list_order)
        response = client.get(reverse("stations:venue_list"), {"page": 2 if size > 25 else 1})
    assert response.status_code == 200
