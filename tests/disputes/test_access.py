"""Who sees what on the disputes pages: every URL with every role; town staff only ever meet their own town."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from disputes.models import Status
from disputes.resources import DossierSheet
from disputes.views import EXPORT_REFUSED
from tests.disputes.factories import CaseFactory

pytestmark = pytest.mark.django_db


def listed(response) -> set[str]:
    """The case numbers a list page shows as rows."""
    return set(re.findall(r'data-case="([^"]+)"', response.content.decode()))


READ_PAGES = [
    "disputes:home",
    "disputes:case_list",
    "disputes:bargaining",
    "disputes:bargaining_census",
    "disputes:instructor_list",
    "disputes:inspection_list",
    "disputes:inspected_union_list",
]
EDIT_PAGES = [
    "disputes:case_create",
    "disputes:dossier_import",
    "disputes:dossier_template",
    "disputes:agreement_create",
    "disputes:inspection_create",
]


@pytest.fixture
def cases(town_a, town_b):
    return (
        CaseFactory(
            town=town_a, number="大兴调〔2018〕0001", workers=[{"name": "瀛海工人", "id_number": "110115198501011237"}]
        ),
        CaseFactory(town=town_b, number="大兴调〔2018〕0002", workers=[{"name": "亦庄工人", "phone": "13912345678"}]),
    )


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("district_admin", 200), ("district_staff", 200), ("town_a_staff", 200), ("leadership", 200), (None, 302)],
)
def test_read_pages_answer_each_role(name, persona, expected, client_for, request, cases):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get(reverse(name))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", EDIT_PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("district_admin", 200), ("district_staff", 200), ("town_a_staff", 200), ("leadership", 403), (None, 302)],
)
def test_edit_pages_are_for_editors(name, persona, expected, client_for, request, cases):
    user = request.getfixturevalue(persona) if persona else None
    assert client_for(user).get(reverse(name)).status_code == expected


def test_a_user_without_a_role_is_refused(client, cases):
    user = get_user_model().objects.create_user("norole", password="long-password-123")
    client.force_login(user)
    assert client.get(reverse("disputes:home")).status_code == 403
    assert client.get(reverse("disputes:case_list")).status_code == 403


def test_town_staff_list_only_their_towns_cases(client_for, town_a_staff, cases):
    response = client_for(town_a_staff).get(reverse("disputes:case_list"))
    assert listed(response) == {"大兴调〔2018〕0001"}
    assert "亦庄工人" not in response.content.decode()


def test_town_staff_cannot_find_another_towns_case_by_search(client_for, town_a_staff, cases):
    client = client_for(town_a_staff)
    for text in ("大兴调〔2018〕0002", "亦庄工人", "13912345678", cases[1].employer.name):
        assert listed(client.get(reverse("disputes:case_list"), {"q": text})) == set(), text


def test_town_staff_cannot_filter_their_way_into_another_town(client_for, town_a_staff, town_b, cases):
    response = client_for(town_a_staff).get(reverse("disputes:case_list"), {"town": town_b.pk})
    assert listed(response) == set()


@pytest.mark.parametrize("name", ["disputes:case_detail", "disputes:case_update"])
def test_another_towns_case_answers_404_by_guessed_id(name, client_for, town_a_staff, cases):
    client = client_for(town_a_staff)
    assert client.get(reverse(name, args=[cases[1].pk])).status_code == 404
    assert client.get(reverse(name, args=[cases[0].pk])).status_code == 200


@pytest.mark.parametrize(
    "name", ["disputes:case_transition", "disputes:timeline_add", "disputes:attachment_add", "disputes:case_extend"]
)
def test_another_towns_case_cannot_be_changed(name, client_for, town_a_staff, cases):
    response = client_for(town_a_staff).post(
        reverse(name, args=[cases[1].pk]), {"to_status": Status.ACCEPTED, "kind": "note", "text": "x"}
    )
    assert response.status_code == 404
    cases[1].refresh_from_db()
    assert cases[1].status == Status.RECEIVED
    assert not cases[1].events.exists()


def test_leadership_reads_a_case_but_cannot_move_it(client_for, leadership, cases):
    client = client_for(leadership)
    page = client.get(reverse("disputes:case_detail", args=[cases[0].pk]))
    assert page.status_code == 200
    assert b"move-form" not in page.content
    response = client.post(reverse("disputes:case_transition", args=[cases[0].pk]), {"to_status": Status.ACCEPTED})
    assert response.status_code == 403


def test_district_staff_see_every_town(client_for, district_staff, cases):
    assert listed(client_for(district_staff).get(reverse("disputes:case_list"))) == {
        "大兴调〔2018〕0001",
        "大兴调〔2018〕0002",
    }


def test_lists_mask_id_and_phone_numbers_and_the_case_page_shows_them(client_for, district_staff, cases):
    client = client_for(district_staff)
    listing = client.get(reverse("disputes:case_list")).content.decode()
    assert "110115198501011237" not in listing
    assert "110115********1237" in listing
    assert "13912345678" not in listing
    assert "139****5678" in listing
    page = client.get(reverse("disputes:case_detail", args=[cases[0].pk])).content.decode()
    assert "110115198501011237" in page


# Excel export and import: personal data leaves the portal only with the roles that work the records


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("persona", ["district_admin", "district_staff", "town_a_staff"])
def test_the_roles_that_work_cases_export_the_list_and_see_the_button(persona, client_for, request, cases):
    client = client_for(request.getfixturevalue(persona))
    assert 'data-testid="export"' in client.get(reverse("disputes:case_list")).content.decode()
    response = client.get(reverse("disputes:case_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX


def test_leadership_may_not_export_personal_data_and_is_told_why(client_for, leadership, cases):
    client = client_for(leadership)
    listing = client.get(reverse("disputes:case_list"))
    assert listing.status_code == 200
    assert listed(listing) == {"大兴调〔2018〕0001", "大兴调〔2018〕0002"}  # the list itself stays readable
    assert 'data-testid="export"' not in listing.content.decode()
    assert reverse("disputes:case_export") not in listing.content.decode()

    refused = client.get(reverse("disputes:case_export"), {"town": cases[0].town_id})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/html")
    assert escape(str(EXPORT_REFUSED)) in refused.content.decode()
    assert "瀛海工人" not in refused.content.decode()


def test_the_export_refusal_reads_in_chinese(client_for, leadership, cases):
    from django.utils import translation

    with translation.override("zh-hans"):
        expected = str(EXPORT_REFUSED)
    refused = client_for(leadership).get(reverse("disputes:case_export"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert escape(expected) in refused.content.decode()


def test_leadership_may_not_import_dossiers_nor_sees_the_link(client_for, leadership, cases, town_a):
    client = client_for(leadership)
    assert reverse("disputes:dossier_import") not in client.get(reverse("disputes:home")).content.decode()
    assert client.get(reverse("disputes:dossier_import")).status_code == 403
    posted = client.post(
        reverse("disputes:dossier_import"),
        {"file": SimpleUploadedFile("d.xlsx", DossierSheet.blank()), "town": town_a.pk},
    )
    assert posted.status_code == 403
    assert 'data-testid="denied-reason"' in posted.content.decode()
    assert client.get(reverse("disputes:dossier_template")).status_code == 403


@pytest.mark.parametrize("persona", ["district_admin", "district_staff", "town_a_staff"])
def test_the_roles_that_work_cases_see_the_import_link(persona, client_for, request, cases):
    home = client_for(request.getfixturevalue(persona)).get(reverse("disputes:home"))
    assert reverse("disputes:dossier_import") in home.content.decode()
