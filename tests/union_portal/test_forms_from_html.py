"""Every form of the portal, sent as its rendered HTML holds it (tests/html_forms.py), as a browser would.

A POST built from the view's context sends what the view meant to render; these tests send what the page
holds, through a client that checks CSRF tokens as the live site does, and assert what the user notices:
the page they land on, the row in the database, the field marked with an error.
"""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from disputes.models import (
    BargainingYear,
    Case,
    CaseAttachment,
    ClaimKind,
    EventKind,
    HandlingBody,
    Status,
    SupervisionInspection,
    WageAgreement,
)
from disputes.resources import DossierSheet
from stations.models import Amenity, Venue, VenuePhoto
from tests.disputes.factories import CaseFactory, id_number
from tests.factories import EnterpriseFactory, TownFactory, VenueFactory
from tests.html_forms import find_form, parse_forms, submit
from tests.union_portal import test_every_url as every_url
from union_portal.models import ImportJob
from union_portal.validators import make_credit_code

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("门头.png", out.getvalue(), content_type="image/png")


# The helper itself ---------------------------------------------------------------------------------------

SNIPPET = """
<form id="other" method="post" action="/elsewhere/"><input name="x" value="1"><button>Go</button></form>
<form id="all" method="post" enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input name="plain" value="typed">
  <input type="number" name="count" value="3">
  <input type="date" name="day" value="2024-05-01">
  <input type="email" name="mail" value="a@b.cn"><input type="tel" name="phone" value="138">
  <input name="no_value"><input value="nameless">
  <input type="checkbox" name="tick" checked><input type="checkbox" name="untick" value="1">
  <input type="checkbox" name="group" value="a" id="g_a" checked><label for="g_a">甲</label>
  <input type="checkbox" name="group" value="b" id="g_b"><label for="g_b">乙</label>
  <input type="radio" name="pick" value="r1"><input type="radio" name="pick" value="r2" checked>
  <select name="single"><option value="">---------</option><option value="s1">One</option></select>
  <select name="chosen"><option value="c1">One</option><option value="c2" selected>Two</option></select>
  <select name="bytext"><option> Text  value </option></select>
  <select name="many" multiple><option value="m1" selected>M1</option><option value="m2">M2</option>
    <option value="m3" selected>M3</option></select>
  <select name="many_none" multiple><option value="n1">N1</option></select>
  <textarea name="notes">
line one
line &amp; two</textarea>
  <input name="off" value="x" disabled>
  <fieldset disabled><input name="off_too" value="y"></fieldset>
  <select name="off_select" disabled><option value="z">Z</option></select>
  <template><input name="inert-__prefix__-name" value="t"></template>
  <input type="file" name="upload">
  <input type="reset" name="reset" value="r"><button type="button" name="js">JS</button>
  <button type="submit" name="save" value="plain">Save</button>
  <button name="save" value="again" data-testid="save-again">Save and add another</button>
  <input type="submit" value="Nameless">
</form>
<input name="outside" value="o" form="all">
"""


def test_the_helper_collects_what_a_browser_sends():
    form = find_form(SNIPPET, "#all", page_url="http://testserver/page/?a=1")
    assert form.method == "post" and form.enctype == "multipart/form-data"
    assert form.action == "http://testserver/page/?a=1"  # no action: the page's own URL
    assert form.data() == [
        ("csrfmiddlewaretoken", "tok"),
        ("plain", "typed"),
        ("count", "3"),
        ("day", "2024-05-01"),
        ("mail", "a@b.cn"),
        ("phone", "138"),
        ("no_value", ""),
        ("tick", "on"),
        ("group", "a"),
        ("pick", "r2"),
        ("single", ""),
        ("chosen", "c2"),
        ("bytext", "Text value"),
        ("many", "m1"),
        ("many", "m3"),
        ("notes", "line one\r\nline & two"),
        ("outside", "o"),
    ]
    assert "upload" in form.names and "off" not in form.names and "js" not in form.names
    assert [button.value for button in form.buttons] == ["plain", "again", "Nameless"]


def test_forms_are_found_by_id_action_index_or_attribute():
    assert find_form(SNIPPET, "/elsewhere/").attrs["id"] == "other"
    assert find_form(SNIPPET, 1).attrs["id"] == "all"
    assert find_form(SNIPPET, "[enctype=multipart/form-data]").attrs["id"] == "all"
    with pytest.raises(AssertionError, match="2 forms match None"):
        find_form(SNIPPET)
    with pytest.raises(AssertionError, match="0 forms match '#nope'"):
        find_form(SNIPPET, "#nope")


class Recorder:
    """A stand-in for the test client: keeps what would be sent."""

    def post(self, path, data, content_type=None, follow=False):
        self.sent = ("post", path, data, content_type)
        return self

    def get(self, path, data, follow=False):
        self.sent = ("get", path, data, None)
        return self


class SimpleResponse:
    """A stand-in for a page the client got from `path`."""

    status_code = 200

    def __init__(self, html, path):
        self.content = html.encode()
        self.wsgi_request = SimpleNamespace(get_full_path=lambda: path)


def sent(fill=None, files=None, button=None, html=SNIPPET, selector="#all"):
    """What submitting `selector` of `html`, got from /page/?a=1, would send: (method, path, data, content type)."""
    page = SimpleResponse(html, "/page/?a=1")
    return submit(Recorder(), page, selector, fill=fill, files=files, button=button).sent


def test_filling_types_ticks_and_chooses_as_a_user_would():
    _method, path, data, _type = sent(
        fill={
            "plain": "新的\n两行",
            "untick": True,
            "tick": False,
            "group": ["乙"],  # by its label
            "pick": "r1",
            "single": "One",
            "many": ["m2"],
            "notes": "",
        },
        files={"upload": SimpleUploadedFile("a.txt", b"x")},
        button="save-again",
    )
    assert path == "/page/?a=1"
    assert data["plain"] == ["新的\r\n两行"]
    assert data["untick"] == ["1"] and "tick" not in data
    assert data["group"] == ["b"] and data["pick"] == ["r1"] and data["single"] == ["s1"]
    assert data["many"] == ["m2"] and data["notes"] == [""]
    assert data["save"] == ["again"]
    assert data["upload"][0].name == "a.txt"
    assert "inert-__prefix__-name" not in data and "off" not in data


def test_filling_a_name_the_form_lacks_fails_loudly():
    with pytest.raises(AssertionError, match="no field named"):
        sent(fill={"renamed": "x"})
    with pytest.raises(AssertionError, match="no option"):
        sent(fill={"chosen": "c9"})
    with pytest.raises(AssertionError, match="no file input"):
        sent(files={"plain": SimpleUploadedFile("a.txt", b"x")})
    with pytest.raises(AssertionError, match="no submit button"):
        sent(html='<form method="post"><input name="a"></form>', selector=0)


def test_without_multipart_a_file_input_sends_only_the_file_name():
    html = '<form method="post" action="/up/"><input type="file" name="f"><button>Send</button></form>'
    _method, path, body, content_type = sent(html=html, selector=0, files={"f": SimpleUploadedFile("协议.pdf", PDF)})
    assert (path, content_type) == ("/up/", "application/x-www-form-urlencoded")
    assert body == "f=%E5%8D%8F%E8%AE%AE.pdf"


def test_a_get_form_sends_its_fields_as_the_query():
    html = '<form action="/find/?old=1"><input name="q" value="驿站"><button>Find</button></form>'
    method, path, data, _type = sent(html=html, selector=0)
    assert (method, path, data) == ("get", "/find/", {"q": ["驿站"]})


def test_formset_rows_without_their_management_form_fail():
    html = '<form method="post"><input name="photo-0-caption"><button>Save</button></form>'
    with pytest.raises(AssertionError, match=r"management form.*\['photo'\]"):
        sent(html=html, selector=0)


# The portal's forms ---------------------------------------------------------------------------------------


@pytest.fixture
def browser(db):
    """A test client that checks CSRF tokens, as the live site does: a form without its token fails."""

    def open_as(user=None) -> Client:
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user)
        return client

    return open_as


def landed(response) -> str:
    assert response.status_code == 302, f"answered {response.status_code}: {form_errors(response)}"
    return response["Location"]


def form_errors(response) -> str:
    """The errors a page marks, for the assertion message of a form that did not save."""
    if response.status_code != 200 or not response.context:
        return ""
    found = []
    for key in ("form", "formset"):
        if key in response.context and response.context[key] is not None:
            found.append(str(getattr(response.context[key], "errors", "")))
    for _title, formset in response.context.get("formsets") or []:
        found.append(f"{formset.prefix}: {formset.errors} {formset.non_form_errors()}")
    return "; ".join(found)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_a_user_logs_in_from_the_login_page(browser, district_staff):
    client = browser()
    page = client.get(reverse("login"))
    response = submit(client, page, 0, fill={"username": "staff", "password": "test-password-123"})
    assert landed(response) == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == district_staff


@pytest.mark.django_db
def test_the_login_page_sends_the_user_on_to_the_page_they_asked_for(browser, district_staff):
    client = browser()
    page = client.get(reverse("stations:venue_list"), follow=True)  # sent to log in first
    response = submit(client, page, 0, fill={"username": "staff", "password": "test-password-123"})
    assert landed(response) == reverse("stations:venue_list")


@pytest.mark.django_db
def test_a_wrong_password_is_refused_on_the_login_page(browser, district_staff):
    client = browser()
    response = submit(client, client.get(reverse("login")), 0, fill={"username": "staff", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_a_user_logs_out_from_the_menu(browser, district_staff):
    client = browser(district_staff)
    page = client.get(reverse("stations:venue_list"))
    assert landed(submit(client, page, reverse("logout"))) == reverse("home")
    assert not client.get(reverse("login")).wsgi_request.user.is_authenticated


# Venues

VENUE_FORM = "[data-testid=venue-form]"
NEW_VENUE = {"kind": "warm_station", "name": "南海子暖心驿站", "address": "瀛海镇南海子路2号", "built_on": "2024-04-01"}


def management_forms(page) -> set[str]:
    return find_form(page, VENUE_FORM).management_form_prefixes()


@pytest.mark.django_db
def test_a_new_venue_without_photos_is_saved_from_the_page(browser, district_staff, town_a):
    client = browser(district_staff)
    page = client.get(reverse("stations:venue_create"))
    assert management_forms(page) == {"photo", "funding", "honour", "activity"}
    response = submit(client, page, VENUE_FORM, fill={**NEW_VENUE, "town": str(town_a.pk)})
    venue = Venue.objects.get(name="南海子暖心驿站")
    assert landed(response) == venue.get_absolute_url()
    assert (venue.town, venue.photos.count()) == (town_a, 0)


@pytest.mark.django_db
def test_town_staff_save_a_new_venue_in_their_town_with_funding_photo_and_activity(browser, town_a_staff, town_a):
    client = browser(town_a_staff)
    page = client.get(reverse("stations:venue_create"))
    money = {"funding-0-year": "2024", "funding-0-kind": "subsidy", "funding-0-source": "district"}
    activity = {"activity-0-date": "2024-05-01", "activity-0-kind": "training", "activity-0-person_times": "40"}
    response = submit(
        client,
        page,
        VENUE_FORM,
        fill={**NEW_VENUE, **money, "funding-0-amount": "10000.00", **activity, "activity-0-sessions": "2"},
        files={"photos": png()},
    )
    venue = Venue.objects.get(name="南海子暖心驿站")
    assert landed(response) == venue.get_absolute_url()
    assert venue.town == town_a  # the only town offered, chosen already
    assert venue.fundings.get().amount == 10000 and venue.activities.get().person_times == 40
    assert venue.photos.count() == 1


@pytest.mark.django_db
def test_a_venue_without_photos_is_edited_from_the_page(browser, district_staff, town_a):
    venue = VenueFactory(town=town_a, name="旧名驿站")
    client = browser(district_staff)
    page = client.get(reverse("stations:venue_update", args=[venue.pk]))
    assert "photo" in management_forms(page)
    microwave = Amenity.objects.get(code="microwave")
    response = submit(client, page, VENUE_FORM, fill={"name": "新名驿站", "amenities": [microwave.name]})  # by label
    assert landed(response) == venue.get_absolute_url()
    venue.refresh_from_db()
    assert venue.name == "新名驿站" and venue.version == 2
    assert list(venue.amenities.all()) == [microwave]


@pytest.mark.django_db
def test_a_venue_with_a_photo_is_edited_from_the_page(browser, district_staff, town_a):
    venue = VenueFactory(town=town_a)
    client = browser(district_staff)
    page = client.get(reverse("stations:venue_update", args=[venue.pk]))
    landed(submit(client, page, VENUE_FORM, files={"photos": png()}))
    page = client.get(reverse("stations:venue_update", args=[venue.pk]))
    response = submit(client, page, VENUE_FORM, fill={"photo-0-caption": "门头"})
    assert landed(response) == venue.get_absolute_url()
    assert VenuePhoto.objects.get(venue=venue).caption == "门头"


@pytest.mark.django_db
def test_a_venue_missing_its_address_is_refused_on_the_field_then_saved_once_given(browser, district_staff, town_a):
    client = browser(district_staff)
    page = client.get(reverse("stations:venue_create"))
    refused = submit(client, page, VENUE_FORM, fill={**NEW_VENUE, "town": str(town_a.pk), "address": ""})
    assert refused.status_code == 200
    assert "address" in refused.context["form"].errors
    assert not Venue.objects.exists()
    response = submit(client, refused, VENUE_FORM, fill={"address": "瀛海镇南海子路2号"})  # the rest is kept
    assert landed(response) == Venue.objects.get(name="南海子暖心驿站").get_absolute_url()


@pytest.mark.django_db
def test_of_two_venue_edits_the_second_is_refused_and_its_kept_page_saves_again(
    browser, district_staff, district_admin, town_a
):
    venue = VenueFactory(town=town_a)
    url = reverse("stations:venue_update", args=[venue.pk])
    first, second = browser(district_staff), browser(district_admin)
    first_page, second_page = first.get(url), second.get(url)
    landed(submit(first, first_page, VENUE_FORM, fill={"name": "甲改的名字"}))
    refused = submit(second, second_page, VENUE_FORM, fill={"name": "乙改的名字"})
    assert refused.status_code == 200 and refused.context["form"].has_error("__all__", "stale")
    venue.refresh_from_db()
    assert venue.name == "甲改的名字"
    landed(submit(second, refused, VENUE_FORM))  # the refused page carries the current version
    venue.refresh_from_db()
    assert venue.name == "乙改的名字"


# Cases

CASE_FORM = "#case-form"


def intake_fill(town, **changes) -> dict:
    fill = {
        "received_on": "2018-03-01",
        "channel": "walk_in",
        "handling_body": HandlingBody.TOWN_UNION,
        "town": str(town.pk),
        "claim_kinds": [str(ClaimKind.objects.get(code="wage_arrears").pk)],
        "amount_claimed": "36000",
        "facts": "两名职工被拖欠两个月工资",
        "employer_name": "北京新拖欠有限公司",
        "employer_credit_code": make_credit_code(777101),
        "workers-0-name": "王建国",
        "workers-0-id_number": id_number(11),
        "workers-0-phone": "13811112222",
        "workers-1-name": "李秀英",
        "workers-1-id_number": id_number(12),
    }
    return {**fill, **changes}


@pytest.mark.django_db
def test_a_case_is_taken_in_from_the_intake_page(browser, town_a_staff, town_a):
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:case_create"))
    assert "workers" in find_form(page, CASE_FORM).management_form_prefixes()
    response = submit(client, page, CASE_FORM, fill=intake_fill(town_a), button="save-case")
    case = Case.objects.get()
    assert landed(response) == case.get_absolute_url()
    assert sorted(case.workers.values_list("name", flat=True)) == ["李秀英", "王建国"]
    assert (case.town, case.headcount, case.created_by) == (town_a, 2, town_a_staff)


@pytest.mark.django_db
def test_an_intake_with_a_duplicate_is_saved_after_ticking_the_box_the_page_shows(browser, district_staff, town_a):
    client = browser(district_staff)
    landed(submit(client, client.get(reverse("disputes:case_create")), CASE_FORM, fill=intake_fill(town_a)))
    again = intake_fill(town_a, **{"workers-1-name": "", "workers-1-id_number": ""})
    warned = submit(client, client.get(reverse("disputes:case_create")), CASE_FORM, fill=again)
    assert warned.status_code == 200 and "confirm_duplicates" in warned.context["form"].errors
    # The warned page keeps what was typed: ticking the box it now shows is all the user does.
    response = submit(client, warned, CASE_FORM, fill={"confirm_duplicates": True})
    assert landed(response) == Case.objects.latest("pk").get_absolute_url()
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_an_intake_without_an_employer_is_refused_on_the_field(browser, district_staff, town_a):
    client = browser(district_staff)
    fill = intake_fill(town_a, employer_name="", employer_credit_code="")
    response = submit(client, client.get(reverse("disputes:case_create")), CASE_FORM, fill=fill)
    assert response.status_code == 200 and "employer_name" in response.context["form"].errors
    assert not Case.objects.exists()


def with_claim(case):
    case.claim_kinds.set(ClaimKind.objects.filter(code="wage_arrears"))  # the edit form requires one
    return case


@pytest.fixture
def case(town_a):
    return with_claim(
        CaseFactory(
            town=town_a, workers=[{"name": "王建国", "id_number": "110115198501011237", "phone": "13811112222"}]
        )
    )


@pytest.mark.django_db
def test_a_case_is_edited_from_its_edit_page(browser, town_a_staff, case):
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:case_update", args=[case.pk]))
    fill = {"facts": "补充：企业承认欠薪", "workers-0-phone": "13900001111", "workers-1-name": "李秀英"}
    fill["headcount"] = "2"  # the page's script follows the workers entered; the server refuses fewer
    response = submit(client, page, CASE_FORM, fill={**fill, "workers-1-id_number": id_number(12)})
    assert landed(response) == case.get_absolute_url()
    case.refresh_from_db()
    assert case.facts == "补充：企业承认欠薪" and case.version == 2
    assert dict(case.workers.values_list("name", "phone")) == {"王建国": "13900001111", "李秀英": ""}


@pytest.mark.django_db
def test_of_two_case_edits_the_second_is_refused_and_its_kept_page_saves_again(
    browser, town_a_staff, district_staff, case
):
    url = reverse("disputes:case_update", args=[case.pk])
    first, second = browser(town_a_staff), browser(district_staff)
    first_page, second_page = first.get(url), second.get(url)
    landed(submit(first, first_page, CASE_FORM, fill={"facts": "甲的补充"}))
    refused = submit(second, second_page, CASE_FORM, fill={"facts": "乙的补充"})
    assert refused.status_code == 200 and refused.context["form"].has_error("__all__", "stale")
    case.refresh_from_db()
    assert case.facts == "甲的补充"
    landed(submit(second, refused, CASE_FORM))  # the refused page carries the current version
    case.refresh_from_db()
    assert case.facts == "乙的补充"


@pytest.mark.django_db
def test_a_worker_is_removed_from_the_edit_page(browser, town_a_staff, town_a):
    workers = [{"name": "甲", "id_number": id_number(21)}, {"name": "乙", "id_number": id_number(22)}]
    case = with_claim(CaseFactory(town=town_a, workers=workers))
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:case_update", args=[case.pk]))
    landed(submit(client, page, CASE_FORM, fill={"workers-1-DELETE": True}))
    assert list(case.workers.values_list("name", flat=True)) == ["甲"]


def case_page(client, case):
    return client.get(case.get_absolute_url())


@pytest.mark.django_db
def test_a_case_is_moved_on_from_its_page(browser, town_a_staff, case):
    client = browser(town_a_staff)
    response = submit(client, case_page(client, case), "[data-move=accepted]", fill={"move-accepted-note": "材料齐全"})
    assert landed(response) == case.get_absolute_url()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.events.filter(to_status="accepted", text="材料齐全", recorded_by=town_a_staff).exists()


@pytest.mark.django_db
def test_every_move_the_case_page_offers_can_be_sent(browser, district_staff, case):
    """Walk a mediation case to its archive through the forms its page shows, filling only what each asks."""
    client = browser(district_staff)
    needs = {
        "agreement": {"move-agreement-amount_recovered": "12000"},
        "archived": {"move-archived-dossier_kind": "simple"},
    }
    for status in ("accepted", "mediating", "agreement", "archived"):
        response = submit(client, case_page(client, case), f"[data-move={status}]", fill=needs.get(status))
        landed(response)
        case.refresh_from_db()
        assert case.status == status, messages_of(client.get(case.get_absolute_url()))
    assert (case.amount_recovered, case.dossier_kind) == (12000, "simple")


@pytest.mark.django_db
def test_a_move_missing_what_it_needs_is_refused_with_the_fields_name(browser, district_staff, case):
    client = browser(district_staff)
    for status in ("accepted", "mediating"):
        landed(submit(client, case_page(client, case), f"[data-move={status}]"))
    response = submit(client, case_page(client, case), "[data-move=agreement]", follow=True)
    case.refresh_from_db()
    assert case.status == Status.MEDIATING
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.django_db
def test_a_timeline_entry_is_added_from_the_case_page(browser, town_a_staff, case):
    client = browser(town_a_staff)
    fill = {"kind": "mediation_session", "text": "第一次调解"}
    response = submit(client, case_page(client, case), "[data-testid=timeline-form]", fill=fill)
    assert landed(response) == case.get_absolute_url()
    event = case.events.get(kind=EventKind.MEDIATION_SESSION)
    assert (event.text, event.recorded_by) == ("第一次调解", town_a_staff)


@pytest.mark.django_db
def test_a_file_is_attached_from_the_case_page(browser, town_a_staff, case):
    client = browser(town_a_staff)
    upload = SimpleUploadedFile("调解协议.pdf", PDF, content_type="application/pdf")
    action = reverse("disputes:attachment_add", args=[case.pk])
    response = submit(client, case_page(client, case), action, fill={"description": "调解协议"}, files={"file": upload})
    assert landed(response) == case.get_absolute_url()
    attachment = CaseAttachment.objects.get(case=case)
    assert (attachment.original_name, attachment.description) == ("调解协议.pdf", "调解协议")


@pytest.mark.django_db
def test_arbitration_is_extended_from_the_case_page(browser, district_staff, case):
    Case.objects.filter(pk=case.pk).update(arbitration_accepted_on=timezone.localdate())
    client = browser(district_staff)
    action = reverse("disputes:case_extend", args=[case.pk])
    response = submit(client, case_page(client, case), action, fill={"reason": "案情复杂"})
    assert landed(response) == case.get_absolute_url()
    case.refresh_from_db()
    assert case.arbitration_extended and case.arbitration_extension_reason == "案情复杂"


# Dossier import

CODE = make_credit_code(555101)


def dossier_sheet() -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(DossierSheet.headers())
    book.active.append(
        ["亦庄规范〔2018〕001", "formal", "2018-03-01", "2018-03-12", "北京甲公司", CODE, 3, 40000, 36000,
         "wage_arrears", "第一中队"]
    )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("dossiers.xlsx", out.getvalue())


@pytest.mark.django_db
def test_dossiers_are_uploaded_previewed_and_saved_from_the_import_page(browser, town_b_staff, town_b):
    client = browser(town_b_staff)
    page = client.get(reverse("disputes:dossier_import"))
    preview = submit(client, page, "[enctype=multipart/form-data]", files={"file": dossier_sheet()})
    assert preview.status_code == 200 and not preview.context["sheet"].errors, form_errors(preview)
    assert not Case.objects.exists()
    done = submit(client, preview, 1, button="confirm-import")
    assert landed(done).startswith(reverse("disputes:case_list"))
    case = Case.objects.get(dossier_number="亦庄规范〔2018〕001")
    assert (case.town, case.status) == (town_b, Status.ARCHIVED)


@pytest.mark.django_db
def test_an_import_without_a_file_is_refused_on_the_field(browser, district_staff, town_b):
    client = browser(district_staff)
    page = client.get(reverse("disputes:dossier_import"))
    response = submit(client, page, "[enctype=multipart/form-data]", fill={"town": str(town_b.pk)})
    assert response.status_code == 200 and "file" in response.context["form"].errors


# Collective bargaining


@pytest.fixture
def large(town_a):
    return EnterpriseFactory(town=town_a, headcount=150, name="北京大厂有限公司")


@pytest.mark.django_db
def test_a_wage_agreement_is_recorded_from_its_page(browser, town_a_staff, large):
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:agreement_create"), {"enterprise": large.pk})
    today = timezone.localdate()
    fill = {
        "signed_on": (today - datetime.timedelta(days=20)).isoformat(),
        "starts_on": (today - datetime.timedelta(days=10)).isoformat(),
        "ends_on": (today + datetime.timedelta(days=3 * 365)).isoformat(),
    }
    response = submit(client, page, "[novalidate]", fill=fill)  # the enterprise chosen from the list's link
    assert landed(response) == reverse("disputes:bargaining")
    assert WageAgreement.objects.get().enterprise == large


@pytest.mark.django_db
def test_a_wage_agreement_ending_before_it_starts_is_refused_on_the_field(browser, town_a_staff, large):
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:agreement_create"))
    fill = {"enterprise": str(large.pk), "signed_on": "2018-01-01", "starts_on": "2018-02-01", "ends_on": "2018-01-31"}
    response = submit(client, page, "[novalidate]", fill=fill)
    assert response.status_code == 200 and "ends_on" in response.context["form"].errors
    assert not WageAgreement.objects.exists()


@pytest.mark.django_db
def test_a_census_entry_is_recorded_from_its_page(browser, town_a_staff, large):
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:census_create"))
    fill = {"enterprise": str(large.pk), "employees": "150", "meets_model_standard": True}
    response = submit(client, page, "[novalidate]", fill=fill)  # the year offered: the one just ended
    year = timezone.localdate().year - 1
    assert landed(response) == reverse("disputes:bargaining_census") + f"?year={year}"
    entry = BargainingYear.objects.get()
    assert (entry.enterprise, entry.year, entry.meets_model_standard) == (large, year, True)


@pytest.mark.django_db
def test_an_inspection_is_recorded_from_its_page(browser, town_a_staff, town_a, large):
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:inspection_create"))
    fill = {"date": "2018-05-10", "inspected_with": "区劳动监察大队", "unions_covered": [str(large.pk)]}
    response = submit(client, page, "[novalidate]", fill=fill)
    assert landed(response) == reverse("disputes:inspection_list") + "?year=2018"
    inspection = SupervisionInspection.objects.get()
    assert inspection.town == town_a and list(inspection.unions_covered.all()) == [large]


# Benefits: members, service cards, merchants, member-only activities


def member_of(town, n=1, **fields):
    from benefits.models import Member

    defaults = {"name": "张会员", "id_number": id_number(900 + n), "phone": "13800001111", "union_name": "测试工会"}
    return Member.objects.create(town=town, **{**defaults, **fields})


@pytest.mark.django_db
def test_a_member_is_registered_from_the_page(browser, town_a_staff, town_a):
    from benefits.models import Member

    client = browser(town_a_staff)
    page = client.get(reverse("benefits:member_create"))
    fill = {"name": "李新会员", "id_number": id_number(950), "phone": "13912340000", "union_name": "瀛海工会"}
    response = submit(client, page, "[data-testid=member-form]", fill=fill)  # the town offered: the staff's own
    member = Member.objects.get(name="李新会员")
    assert landed(response) == reverse("benefits:member_detail", args=[member.pk])
    assert (member.town, member.id_number) == (town_a, id_number(950))


@pytest.mark.django_db
def test_a_member_is_edited_from_the_page(browser, town_a_staff, town_a):
    member = member_of(town_a)
    client = browser(town_a_staff)
    page = client.get(reverse("benefits:member_update", args=[member.pk]))
    response = submit(client, page, "[data-testid=member-form]", fill={"workplace": "北京某公司"})
    assert landed(response) == reverse("benefits:member_detail", args=[member.pk])
    member.refresh_from_db()
    assert (member.workplace, member.version) == ("北京某公司", 2)


@pytest.mark.django_db
def test_a_card_is_issued_suspended_and_reported_lost_from_the_member_page(browser, town_a_staff, town_a):
    member = member_of(town_a)
    client = browser(town_a_staff)
    url = reverse("benefits:member_detail", args=[member.pk])
    assert landed(submit(client, client.get(url), "[data-testid=card-issue-form]")) == url
    card = member.cards.get()
    assert landed(submit(client, client.get(url), f"[data-testid=card-suspended-{card.number}]")) == url
    card.refresh_from_db()
    assert card.status == "suspended"
    page = client.get(url)
    assert landed(submit(client, page, f"[data-testid=card-lost-{card.number}]", fill={"confirm": True})) == url
    new = member.cards.get(status="active")
    assert new.replaces == card and new.number != card.number


@pytest.mark.django_db
def test_members_are_uploaded_previewed_and_saved_from_the_import_page(browser, town_b_staff, town_b):
    from benefits.models import Member
    from benefits.resources import member_sheet_headers

    stored = member_of(town_b, 1, phone="13800000001")
    book = openpyxl.Workbook()
    book.active.append(member_sheet_headers())
    book.active.append(["王一", id_number(901), "13900000001", "亦庄工会", "甲公司"])  # stored: merged
    book.active.append(["王二", id_number(902), "13900000002", "亦庄工会", ""])
    out = io.BytesIO()
    book.save(out)
    client = browser(town_b_staff)
    page = client.get(reverse("benefits:member_import"))
    upload = SimpleUploadedFile("members.xlsx", out.getvalue())
    preview = submit(client, page, "[data-testid=import-upload]", files={"file": upload})
    assert preview.status_code == 200 and not preview.context["sheet"].errors, form_errors(preview)
    done = submit(client, preview, "[data-testid=import-confirm]", fill={"repeated": "merge"}, button="confirm-import")
    assert landed(done) == reverse("benefits:member_list") + f"?town={town_b.pk}"
    stored.refresh_from_db()
    assert (stored.phone, stored.workplace) == ("13900000001", "甲公司")
    assert Member.objects.get(id_number=id_number(902)).town == town_b


@pytest.mark.django_db
def test_a_long_member_sheet_refused_shows_the_choice_again_and_is_merged_from_the_page(
    browser, town_b_staff, town_b, settings
):
    """A sheet longer than IMPORT_INLINE_ROWS goes to a job; its repeated ID number refused, the page comes back with
    the choice, and the form it then holds (a new token) merges it."""
    from benefits.models import Member
    from benefits.resources import member_sheet_headers

    settings.IMPORT_INLINE_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    stored = member_of(town_b, 1, phone="13800000001")
    book = openpyxl.Workbook()
    book.active.append(member_sheet_headers())
    book.active.append(["王一", id_number(901), "13900000001", "亦庄工会", "甲公司"])  # stored: refused, then merged
    for n in (902, 903):
        book.active.append([f"王{n}", id_number(n), f"13900000{n}", "亦庄工会", ""])
    out = io.BytesIO()
    book.save(out)
    client = browser(town_b_staff)
    page = client.get(reverse("benefits:member_import"))
    upload = SimpleUploadedFile("members.xlsx", out.getvalue())
    preview = submit(client, page, "[data-testid=import-upload]", files={"file": upload})
    refused = submit(
        client, preview, "[data-testid=import-confirm]", fill={"repeated": "refuse"}, button="confirm-import"
    )
    assert refused.status_code == 200 and 'data-testid="import-repeated"' in refused.content.decode()
    assert not ImportJob.objects.exists() and Member.objects.count() == 1
    done = submit(client, refused, "[data-testid=import-confirm]", fill={"repeated": "merge"}, button="confirm-import")
    job = ImportJob.objects.get()
    assert landed(done) == job.get_absolute_url() and job.state == ImportJob.State.DONE
    stored.refresh_from_db()
    assert (stored.phone, stored.workplace) == ("13900000001", "甲公司")
    assert Member.objects.count() == 3


@pytest.mark.django_db
def test_a_merchant_is_added_and_edited_from_its_pages(browser, district_staff):
    from benefits.models import Merchant

    client = browser(district_staff)
    page = client.get(reverse("benefits:merchant_create"))
    fill = {"name": "快乐理发", "category": "haircut", "offer": "会员八折", "contract_start": "2018-01-01",
            "contract_end": "2018-12-31"}  # fmt: skip
    response = submit(client, page, "[data-testid=merchant-form]", fill=fill)
    merchant = Merchant.objects.get(name="快乐理发")
    assert landed(response) == reverse("benefits:merchant_detail", args=[merchant.pk])
    page = client.get(reverse("benefits:merchant_update", args=[merchant.pk]))
    response = submit(client, page, "[data-testid=merchant-form]", fill={"contract_end": "2019-12-31"})
    assert landed(response) == reverse("benefits:merchant_detail", args=[merchant.pk])
    merchant.refresh_from_db()
    assert (merchant.town, merchant.contract_end) == (None, datetime.date(2019, 12, 31))


@pytest.mark.django_db
def test_an_activity_is_recorded_and_edited_from_its_pages(browser, town_a_staff, town_a):
    from benefits.models import MemberActivity

    client = browser(town_a_staff)
    page = client.get(reverse("benefits:activity_create"))
    fill = {"title": "亲子观影", "held_on": "2018-06-01", "channel": "12351", "person_times": "300",
            "beneficiaries": "120"}  # fmt: skip
    response = submit(client, page, "[data-testid=activity-form]", fill=fill)
    activity = MemberActivity.objects.get(title="亲子观影")
    assert landed(response) == reverse("benefits:activity_detail", args=[activity.pk])
    assert activity.town == town_a  # town staff record their own town's activities
    page = client.get(reverse("benefits:activity_update", args=[activity.pk]))
    response = submit(client, page, "[data-testid=activity-form]", fill={"person_times": "350"})
    activity.refresh_from_db()
    assert (landed(response), activity.person_times) == (reverse("benefits:activity_detail", args=[activity.pk]), 350)


# Hardship files, visits, the allowance list (benefits)

FILE_FORM = "[data-testid=file-form]"
NEW_FILE = {"applicant_name": "赵困难", "applicant_income": "800.00", "main_cause": "illness"}


def hardship_file(town, n=1, **fields):
    from benefits.models import HardshipFile

    defaults = {"applicant_name": "钱困难", "id_number": id_number(700 + n), "main_cause": "illness"}
    return HardshipFile.objects.create(town=town, **{**defaults, **fields})


@pytest.mark.django_db
def test_a_hardship_file_is_opened_with_its_household_from_the_page(browser, town_a_staff, town_a):
    from benefits.models import HardshipFile

    client = browser(town_a_staff)
    page = client.get(reverse("benefits:file_create"))
    assert find_form(page, FILE_FORM).management_form_prefixes() == {"members"}
    member = {"members-0-name": "赵小明", "members-0-id_number": id_number(751), "members-0-relation": "child"}
    fill = {**NEW_FILE, "id_number": id_number(750), "secondary_causes": ["education"], **member}
    response = submit(client, page, FILE_FORM, fill=fill)  # the town offered: the staff's own
    file = HardshipFile.objects.get(applicant_name="赵困难")
    assert landed(response) == reverse("benefits:file_detail", args=[file.pk])
    assert (file.town, file.status, file.secondary_causes) == (town_a, "applying", ["education"])
    assert list(file.members.values_list("name", flat=True)) == ["赵小明"]


@pytest.mark.django_db
def test_a_hardship_file_is_edited_from_its_page(browser, town_a_staff, town_a):
    from benefits.models import HouseholdMember

    file = hardship_file(town_a)
    HouseholdMember.objects.create(file=file, name="钱家属", id_number=id_number(760), relation="spouse")
    client = browser(town_a_staff)
    page = client.get(reverse("benefits:file_update", args=[file.pk]))
    response = submit(client, page, FILE_FORM, fill={"workplace": "北京某厂", "members-0-DELETE": True})
    assert landed(response) == reverse("benefits:file_detail", args=[file.pk])
    file.refresh_from_db()
    assert (file.workplace, file.version, file.members.count()) == ("北京某厂", 2, 0)


def file_page(client, file):
    return client.get(reverse("benefits:file_detail", args=[file.pk]))


@pytest.mark.django_db
def test_a_file_is_submitted_approved_rechecked_closed_and_reopened_from_its_page(
    browser, town_a_staff, district_staff, town_a
):
    from benefits.models import MinimumAllowance

    MinimumAllowance.objects.create(year=timezone.localdate().year, monthly_amount=1000)
    file = hardship_file(town_a, applicant_income=800)
    url = reverse("benefits:file_detail", args=[file.pk])
    town_client, district_client = browser(town_a_staff), browser(district_staff)
    assert landed(submit(town_client, file_page(town_client, file), "[data-step=submit]")) == url
    assert landed(submit(district_client, file_page(district_client, file), "[data-step=approve]")) == url
    file.refresh_from_db()
    assert (file.status, file.level, file.reviewed_by) == ("approved", "deep", district_staff)
    assert landed(submit(town_client, file_page(town_client, file), "[data-step=recheck]")) == url
    assert file.rechecks.get().level_after == "deep"
    assert landed(submit(town_client, file_page(town_client, file), "[data-step=close]", fill={"reason": "retired"}))
    file.refresh_from_db()
    assert (file.status, file.close_reason) == ("closed", "retired")
    assert landed(submit(town_client, file_page(town_client, file), "[data-step=reopen]")) == url
    file.refresh_from_db()
    assert file.status == "reviewing"


@pytest.mark.django_db
def test_a_file_is_rejected_from_its_page_and_a_missing_comment_is_marked(
    browser, town_a_staff, district_staff, town_a
):
    file = hardship_file(town_a, status="reviewing", submitted_by=town_a_staff)
    client = browser(district_staff)
    refused = submit(client, file_page(client, file), "[data-step=reject]")
    assert refused.status_code == 200 and "comment" in refused.context["reject_form"].errors
    response = submit(client, refused, "[data-step=reject]", fill={"comment": "收入证明不全"})
    assert landed(response) == reverse("benefits:file_detail", args=[file.pk])
    file.refresh_from_db()
    assert (file.status, file.review_comment) == ("rejected", "收入证明不全")


@pytest.mark.django_db
def test_a_home_visit_is_recorded_from_the_file_page(browser, town_a_staff, town_a):
    file = hardship_file(town_a, status="approved", level="deep", last_checked_on=timezone.localdate())
    client = browser(town_a_staff)
    page = client.get(reverse("benefits:visit_create", args=[file.pk]))
    response = submit(client, page, "[data-testid=visit-form]", fill={"visitors": "镇工会主席", "notes": "送米面油"})
    assert landed(response) == reverse("benefits:file_detail", args=[file.pk])
    visit = file.visits.get()
    assert (visit.visitors, visit.recorded_by, visit.visited_on) == ("镇工会主席", town_a_staff, timezone.localdate())


@pytest.mark.django_db
def test_the_allowance_list_is_uploaded_previewed_and_saved_from_the_import_page(browser, district_staff):
    from benefits.models import AllowanceListEntry

    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "类别"])
    book.active.append(["孙低保", id_number(780), "低保"])
    book.active.append(["周特困", id_number(781), "特困"])
    out = io.BytesIO()
    book.save(out)
    client = browser(district_staff)
    page = client.get(reverse("benefits:allowance_import"))
    upload = SimpleUploadedFile("低保名单.xlsx", out.getvalue())
    preview = submit(client, page, "[enctype=multipart/form-data]", files={"file": upload})
    assert preview.status_code == 200 and not preview.context["sheet"].errors, form_errors(preview)
    assert not AllowanceListEntry.objects.exists()
    done = submit(client, preview, "[data-testid=import-confirm]", button="confirm-import")
    assert landed(done) == reverse("benefits:allowance_list")
    assert dict(AllowanceListEntry.objects.values_list("name", "kind")) == {"孙低保": "minimum", "周特困": "extreme"}


# Benefits: the aid ledger (the payment page, its entry form and the payments panel of the file page)

PAYMENT_FORM = "[data-testid=payment-form]"


def payable_file(town, n=1):
    """An approved file, re-checked today: aid may be paid to it today."""
    return hardship_file(town, 40 + n, status="approved", level="deep", last_checked_on=timezone.localdate())


def ledger_second(town):
    from tests.factories import make_staff
    from union_portal.access import Role

    return make_staff(Role.TOWN_STAFF, town, username="town_a_second")


def entered_payment(file, user, amount="8000.00", programme="medical"):
    from benefits.services import aid_enter

    return aid_enter(
        file=file, user=user, programme=programme, amount=amount, paid_on=timezone.localdate(), funding_source="city"
    )


def step_form(name, payment):
    return reverse(f"benefits:payment_{name}", args=[payment.pk])


@pytest.mark.django_db
def test_a_payment_is_recorded_from_its_page_and_a_second_one_states_why(browser, town_a_staff, town_a):
    from benefits.models import AidPayment

    file = payable_file(town_a)
    client = browser(town_a_staff)
    page = client.get(reverse("benefits:payment_create", args=[file.pk]))
    fill = {"programme": "medical", "amount": "8000.00", "funding_source": "district"}
    response = submit(client, page, PAYMENT_FORM, fill=fill)  # the date offered: today
    payment = AidPayment.objects.get()
    assert landed(response) == reverse("benefits:payment_detail", args=[payment.pk])
    assert (payment.amount, payment.paid_on, payment.state) == (8000, timezone.localdate(), "entered")

    page = client.get(reverse("benefits:payment_create", args=[file.pk]))
    refused = submit(client, page, PAYMENT_FORM, fill={**fill, "amount": "2000.00"})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    response = submit(client, refused, PAYMENT_FORM, fill={"reason": "病情加重，再次救助"})  # the rest is kept
    assert landed(response) == reverse("benefits:payment_detail", args=[AidPayment.objects.latest("pk").pk])
    assert AidPayment.objects.latest("pk").reason == "病情加重，再次救助"


@pytest.mark.django_db
def test_a_payment_is_approved_posted_and_reversed_from_its_page(browser, town_a_staff, town_a):
    from benefits.models import AidPayment

    payment = entered_payment(payable_file(town_a), town_a_staff)
    url = reverse("benefits:payment_detail", args=[payment.pk])
    second = browser(ledger_second(town_a))
    assert landed(submit(second, second.get(url), step_form("approve", payment))) == url
    assert landed(submit(second, second.get(url), step_form("post", payment))) == url
    first = browser(town_a_staff)
    page = first.get(url)
    refused = submit(first, page, step_form("reverse", payment))  # no reason given: marked on the field
    assert refused.status_code == 200 and "reason" in refused.context["reverse_form"].errors
    response = submit(first, refused, step_form("reverse", payment), fill={"reason": "金额录入错误"})
    reversal = AidPayment.objects.get(reverses=payment)
    assert landed(response) == url  # back to the page it was sent from
    assert (reversal.amount, reversal.reason) == (-8000, "金额录入错误")


@pytest.mark.django_db
def test_a_payment_is_withdrawn_from_its_page(browser, town_a_staff, town_a):
    from benefits.models import AidPayment

    payment = entered_payment(payable_file(town_a), town_a_staff)
    client = browser(town_a_staff)
    url = reverse("benefits:payment_detail", args=[payment.pk])
    assert landed(submit(client, client.get(url), step_form("withdraw", payment))) == url
    assert AidPayment.objects.get().state == "withdrawn"


@pytest.mark.django_db
def test_the_payments_panel_of_the_file_page_approves_posts_withdraws_and_reverses(browser, town_a_staff, town_a):
    from benefits.models import AidPayment

    file = payable_file(town_a)
    paid = entered_payment(file, town_a_staff)
    dropped = entered_payment(file, town_a_staff, "300.00", "summer")
    url = reverse("benefits:file_detail", args=[file.pk])
    second = browser(ledger_second(town_a))
    assert landed(submit(second, second.get(url), step_form("approve", paid))) == url
    assert landed(submit(second, second.get(url), step_form("post", paid))) == url
    assert landed(submit(second, second.get(url), step_form("withdraw", dropped))) == url
    fill = {"reason": "重复录入"}
    assert landed(submit(second, second.get(url), step_form("reverse", paid), fill=fill)) == url
    states = dict(AidPayment.objects.values_list("voucher_number", "state"))
    assert states[paid.voucher_number] == "posted" and states[dropped.voucher_number] == "withdrawn"
    assert AidPayment.objects.get(reverses=paid).state == "entered"


# Benefits: services for all members (the five programmes share their pages)

PROGRAMME_FORM = "[data-testid=programme-form]"
PROGRAMME_KEYS = ("childcare", "jobfair", "purchased", "wechat", "culture")
PROGRAMME_NEW = {
    "childcare": {"year": "2018", "classes": "3", "children": "90", "courses": "书法"},
    "jobfair": {"title": "春风行动招聘会", "held_on": "2018-03-01", "jobs_offered": "1200", "intentions_signed": "300"},
    "purchased": {
        "year": "2018",
        "title": "心理服务",
        "provider": "阳光社工",
        "contract_sum": "150000.00",
        "person_times": "800",
    },
    "wechat": {"title": "夏送清凉", "held_on": "2018-07-01", "participants": "900", "beneficiaries": "400"},
    "culture": {
        "year": "2018",
        "category": "match",
        "item": "篮球赛",
        "spend": "2000.00",
        "events": "3",
        "participants": "40",
    },
}
PROGRAMME_CHANGE = {"childcare": "children", "jobfair": "jobs_offered", "purchased": "person_times",
                    "wechat": "participants", "culture": "participants"}  # fmt: skip


def programme_model(key):
    from benefits.resources import SERVICE_PROGRAMMES

    return SERVICE_PROGRAMMES[key].model


@pytest.mark.django_db
@pytest.mark.parametrize("key", PROGRAMME_KEYS)
def test_a_programme_record_is_added_from_its_page(browser, town_a_staff, town_a, key):
    client = browser(town_a_staff)
    page = client.get(reverse(f"benefits:{key}_create"))
    response = submit(client, page, PROGRAMME_FORM, fill=PROGRAMME_NEW[key])  # the town offered: the staff's own
    record = programme_model(key).objects.get()
    assert landed(response) == reverse(f"benefits:{key}_detail", args=[record.pk])
    assert record.town == town_a


@pytest.mark.django_db
@pytest.mark.parametrize("key", PROGRAMME_KEYS)
def test_a_programme_record_is_edited_from_its_page(browser, district_staff, town_a, key):
    client = browser(district_staff)
    new = client.get(reverse(f"benefits:{key}_create"))
    landed(submit(client, new, PROGRAMME_FORM, fill={**PROGRAMME_NEW[key], "town": str(town_a.pk)}))
    record = programme_model(key).objects.get()
    page = client.get(reverse(f"benefits:{key}_update", args=[record.pk]))
    response = submit(client, page, PROGRAMME_FORM, fill={PROGRAMME_CHANGE[key]: "7"})
    assert landed(response) == reverse(f"benefits:{key}_detail", args=[record.pk])
    record.refresh_from_db()
    assert getattr(record, PROGRAMME_CHANGE[key]) == 7 and record.town == town_a


@pytest.mark.django_db
@pytest.mark.parametrize("key", PROGRAMME_KEYS)
def test_a_programme_sheet_is_uploaded_previewed_and_saved_from_the_import_page(browser, town_a_staff, town_a, key):
    from benefits.resources import SERVICE_PROGRAMMES

    programme = SERVICE_PROGRAMMES[key]
    values = {**PROGRAMME_NEW[key], "town": town_a.name}
    book = openpyxl.Workbook()
    book.active.append([programme.label(name) for name in programme.fields])
    book.active.append([values.get(name, "") for name in programme.fields])
    out = io.BytesIO()
    book.save(out)
    client = browser(town_a_staff)
    page = client.get(reverse(f"benefits:{key}_import"))
    upload = SimpleUploadedFile("表.xlsx", out.getvalue())
    preview = submit(client, page, "[enctype=multipart/form-data]", files={"file": upload})
    assert preview.status_code == 200 and not preview.context["sheet"].errors, preview.context["sheet"].errors
    assert not programme.model.objects.exists()
    done = submit(client, preview, "[data-testid=import-confirm]", button="confirm-import")
    assert landed(done) == reverse(f"benefits:{key}_list")
    assert programme.model.objects.get().town == town_a


@pytest.mark.django_db
def test_an_employers_credit_code_is_filled_in_from_the_awaiting_list(browser, town_a_staff, town_a):
    from union_portal.models import Enterprise

    waiting = Enterprise.objects.create(name="北京只知其名有限公司", credit_code=None, town=town_a)
    client = browser(town_a_staff)
    page = client.get(reverse("disputes:employers_awaiting_code"))
    code = make_credit_code(777201)
    landed(submit(client, page, "[data-testid=code-form]", fill={f"code{waiting.pk}-credit_code": code}))
    waiting.refresh_from_db()
    assert waiting.credit_code == code


# Every form is covered ------------------------------------------------------------------------------------

# The POST forms each page shows (by action; "" is the page itself), and the test above that sends it. The
# dossier preview's confirm form shows only after an upload: the import test sends it too.
COVERED = {
    "login": {"": "test_a_user_logs_in_from_the_login_page"},
    "stations:venue_create": {"": "test_a_new_venue_without_photos_is_saved_from_the_page"},
    "stations:venue_update": {"": "test_a_venue_without_photos_is_edited_from_the_page"},
    "disputes:case_create": {"": "test_a_case_is_taken_in_from_the_intake_page"},
    "disputes:case_update": {"": "test_a_case_is_edited_from_its_edit_page"},
    "disputes:employers_awaiting_code": {"": "test_an_employers_credit_code_is_filled_in_from_the_awaiting_list"},
    "disputes:case_detail": {
        "disputes:case_transition": "test_every_move_the_case_page_offers_can_be_sent",
        "disputes:timeline_add": "test_a_timeline_entry_is_added_from_the_case_page",
        "disputes:attachment_add": "test_a_file_is_attached_from_the_case_page",
        "disputes:case_extend": "test_arbitration_is_extended_from_the_case_page",
    },
    "disputes:dossier_import": {"": "test_dossiers_are_uploaded_previewed_and_saved_from_the_import_page"},
    "disputes:agreement_create": {"": "test_a_wage_agreement_is_recorded_from_its_page"},
    "disputes:census_create": {"": "test_a_census_entry_is_recorded_from_its_page"},
    "disputes:inspection_create": {"": "test_an_inspection_is_recorded_from_its_page"},
    # benefits: members, service cards, merchants, member-only activities
    "benefits:member_create": {"": "test_a_member_is_registered_from_the_page"},
    "benefits:member_update": {"": "test_a_member_is_edited_from_the_page"},
    "benefits:member_detail": {
        "benefits:card_issue": "test_a_card_is_issued_suspended_and_reported_lost_from_the_member_page",
        "benefits:card_status": "test_a_card_is_issued_suspended_and_reported_lost_from_the_member_page",
        "benefits:card_lost": "test_a_card_is_issued_suspended_and_reported_lost_from_the_member_page",
    },
    "benefits:member_import": {"": "test_members_are_uploaded_previewed_and_saved_from_the_import_page"},
    "benefits:merchant_create": {"": "test_a_merchant_is_added_and_edited_from_its_pages"},
    "benefits:merchant_update": {"": "test_a_merchant_is_added_and_edited_from_its_pages"},
    "benefits:activity_create": {"": "test_an_activity_is_recorded_and_edited_from_its_pages"},
    "benefits:activity_update": {"": "test_an_activity_is_recorded_and_edited_from_its_pages"},
    # benefits: hardship files, visits, re-checks, the allowance list
    "benefits:file_create": {"": "test_a_hardship_file_is_opened_with_its_household_from_the_page"},
    "benefits:file_update": {"": "test_a_hardship_file_is_edited_from_its_page"},
    # The ledger's payments panel on this page adds its own actions to this entry (one key per page).
    "benefits:file_detail": {
        **dict.fromkeys(
            [f"benefits:file_{step}" for step in ("submit", "approve", "recheck", "close", "reopen")],
            "test_a_file_is_submitted_approved_rechecked_closed_and_reopened_from_its_page",
        ),
        "benefits:file_reject": "test_a_file_is_rejected_from_its_page_and_a_missing_comment_is_marked",
        # the aid ledger's payments panel
        **dict.fromkeys(
            [f"benefits:payment_{step}" for step in ("approve", "post", "withdraw", "reverse")],
            "test_the_payments_panel_of_the_file_page_approves_posts_withdraws_and_reverses",
        ),
    },
    "benefits:visit_create": {"": "test_a_home_visit_is_recorded_from_the_file_page"},
    "benefits:allowance_import": {"": "test_the_allowance_list_is_uploaded_previewed_and_saved_from_the_import_page"},
    # benefits: the aid ledger
    "benefits:payment_create": {"": "test_a_payment_is_recorded_from_its_page_and_a_second_one_states_why"},
    "benefits:payment_detail": {
        **dict.fromkeys(
            [f"benefits:payment_{step}" for step in ("approve", "post", "reverse")],
            "test_a_payment_is_approved_posted_and_reversed_from_its_page",
        ),
        "benefits:payment_withdraw": "test_a_payment_is_withdrawn_from_its_page",
    },
    # benefits: services for all members
    **{
        f"benefits:{key}_{page}": {"": test}
        for key in PROGRAMME_KEYS
        for page, test in (
            ("create", "test_a_programme_record_is_added_from_its_page"),
            ("update", "test_a_programme_record_is_edited_from_its_page"),
            ("import", "test_a_programme_sheet_is_uploaded_previewed_and_saved_from_the_import_page"),
        )
    },
}
LOGOUT = "test_a_user_logs_out_from_the_menu"  # on every page of a signed-in user


@pytest.mark.django_db
def test_every_post_form_of_the_portal_has_a_test_here(district_staff, client):
    """Open every GET page of the portal (test_every_url's table) as district staff and list its POST forms:
    each must be in COVERED, naming a test of this module (a new form fails here until it gets one), hold its
    CSRF token and the management form of each formset it shows."""
    case = CaseFactory(town=TownFactory(), workers=[{}])
    Case.objects.filter(pk=case.pk).update(arbitration_accepted_on=timezone.localdate())
    venue = VenueFactory(town=case.town)
    probe_world = SimpleNamespace(case_a=case, venue_a=venue, venue_b=venue, planned_venue=venue, closed_venue=venue)
    vars(probe_world).update(every_url.benefits_world(case.town, TownFactory(), district_staff))
    probe_world.export_job = every_url.export_job_of(district_staff, case)
    probe_world.import_job = ImportJob.objects.create(
        owner=district_staff, kind="benefits-members", title="会员导入", token="probe", state=ImportJob.State.DONE
    )
    client.force_login(district_staff)
    names = {name for name in COVERED.values() for name in name.values()} | {LOGOUT}
    missing_tests = sorted(name for name in names if name not in globals())
    assert not missing_tests, f"COVERED names tests that do not exist: {missing_tests}"
    uncovered = []
    for key, probes in every_url.URLS.items():
        for probe in probes:
            if probe.method != "get" or probe.variant or key in ("logout", "disputes:attachment_download"):
                continue
            url = probe.url(probe_world)
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            for form in parse_forms(response.content.decode(), f"http://testserver{url}"):
                if form.method != "post":
                    continue
                action = _url_name(form.action, url)
                if action == "logout":
                    continue
                form.check_formsets()
                assert "csrfmiddlewaretoken" in form.names, f"{url}: {form.describe()} holds no CSRF token"
                if action not in COVERED.get(key, {}):
                    uncovered.append((key, action or "(the page itself)"))
    client.logout()
    login_forms = [f for f in parse_forms(client.get(reverse("login")).content.decode()) if f.method == "post"]
    assert len(login_forms) == 1
    assert not uncovered, f"POST forms without a test in this module (page, action): {uncovered}"


def _url_name(action: str, page_path: str) -> str:
    """The URL name of a form's action, or "" when the form posts to its own page."""
    path = urlsplit(action).path
    return "" if path == urlsplit(page_path).path else resolve(path).view_name
