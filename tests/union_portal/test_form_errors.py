"""A refused form says what went wrong at its top: the error summary (templates/union_portal/_form_errors.html).

Each form is sent as its rendered HTML holds it (tests/html_forms.py) with a bad value; the page comes back
(200, the typed values kept) with a summary naming each bad field by its Chinese label and message, each a
link to the field's id. The staff lists' filters offer "全部", never "---------".
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from benefits.views import SERVICE_PROGRAMMES
from tests.factories import EnterpriseFactory, VenueFactory
from tests.html_forms import find_form, submit
from union_portal.templatetags.form_errors import collect

CJK = re.compile(r"[\u4e00-\u9fff]")


class SummaryParser(HTMLParser):
    """The summary's entries (href or None, text) and every element id of the page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.summaries = 0
        self.depth = 0  # inside the summary: depth of open elements
        self.heading: list[str] = []
        self.in_heading = False
        self.entries: list[dict] = []
        self.entry: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("data-testid") == "form-errors":
            self.summaries += 1
            if self.summaries == 1:
                self.depth = 1
                self.summary_attrs = attrs
                return
        if self.depth:
            self.depth += 1 if tag not in ("br", "input", "img") else 0
            if tag == "h2":
                self.in_heading = True
            if attrs.get("data-testid") == "form-error":
                self.entry = {"href": None, "text": ""}
                self.entries.append(self.entry)
            if tag == "a" and self.entry is not None:
                self.entry["href"] = attrs.get("href")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag == "h2":
                self.in_heading = False
            if tag == "li":
                self.entry = None

    def handle_data(self, data):
        if self.depth:
            if self.in_heading:
                self.heading.append(data)
            if self.entry is not None:
                self.entry["text"] += data


def summary_of(response) -> SummaryParser:
    parser = SummaryParser()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def assert_summary_names(response, field: str, *, message: str | None = None) -> dict:
    """The summary is there, at the top of the page's content, and links `field` (a name) with label and message."""
    assert response.status_code == 200
    form = response.context["form"]
    parsed = summary_of(response)
    assert parsed.summaries >= 1, "no error summary on the refused page"
    assert parsed.summary_attrs.get("role") == "alert" and parsed.summary_attrs.get("tabindex") == "-1"
    assert str(len(parsed.entries)) in "".join(parsed.heading)
    field_id = form[field].id_for_label or f"{form[field].auto_id}_0"
    linked = [entry for entry in parsed.entries if entry["href"] == f"#{field_id}"]
    assert linked, f"no link to #{field_id} among {parsed.entries}"
    text = linked[0]["text"]
    label = str(form[field].label)
    assert label in text and CJK.search(label), f"{text!r} does not name {label!r} in Chinese"
    message = message or form.errors[field][0]
    assert message in text and CJK.search(message), f"{text!r} does not say {message!r} in Chinese"
    for entry in parsed.entries:  # every link lands on a control of the page
        if entry["href"]:
            assert entry["href"][1:] in parsed.ids, f"{entry['href']} is no element of the page"
    html = response.content.decode()
    assert html.index('data-testid="form-errors"') < html.index(f'id="{field_id}"')  # above the field
    return linked[0]


# The forms -------------------------------------------------------------------------------------------------


def test_a_refused_venue_lists_the_missing_name_with_a_link_and_keeps_what_was_typed(client, district_staff, town_a):
    client.force_login(district_staff)
    page = client.get(reverse("stations:venue_create"))
    assert summary_of(page).summaries == 0  # a fresh form has no summary

    response = submit(client, page, "[data-testid=venue-form]", fill={"name": "", "address": "瀛海镇南海子路8号"})

    assert_summary_names(response, "name", message=gettext("This field is required."))
    assert "瀛海镇南海子路8号" in response.content.decode()  # the bound form, not a redirect that loses input


def test_a_bad_venue_funding_row_is_named_by_its_row(client, district_staff, town_a):
    venue_a = VenueFactory(town=town_a, name="瀛海暖心驿站")
    client.force_login(district_staff)
    page = client.get(reverse("stations:venue_update", args=[venue_a.pk]))

    response = submit(
        client, page, "[data-testid=venue-form]", fill={"funding-0-year": "2018", "funding-0-amount": "很多"}
    )

    assert response.status_code == 200
    parsed = summary_of(response)
    row = [entry for entry in parsed.entries if entry["href"] == "#id_funding-0-amount"]
    assert row, parsed.entries
    assert "1" in row[0]["text"] and "·" in row[0]["text"]  # "资金第 1 行 · 金额：…"
    assert "id_funding-0-amount" in parsed.ids


def test_a_refused_merchant_names_the_contract_end_and_its_message(client, district_staff):
    client.force_login(district_staff)
    page = client.get(reverse("benefits:merchant_create"))
    fill = {"name": "照相馆", "category": "wedding_photo", "offer": "九折", "contract_start": "2018-06-01",
            "contract_end": "2018-05-31", "status": "active"}  # fmt: skip

    response = submit(client, page, "[data-testid=merchant-form]", fill=fill, button="save")

    assert_summary_names(response, "contract_end", message=gettext("The contract cannot end before it starts."))
    assert "照相馆" in response.content.decode()


def test_a_refused_member_lists_each_missing_field(client, district_staff, town_a):
    client.force_login(district_staff)
    page = client.get(reverse("benefits:member_create"))

    response = submit(client, page, "[data-testid=member-form]", fill={"name": "", "id_number": "123"}, button="save")

    assert_summary_names(response, "name", message=gettext("This field is required."))
    assert_summary_names(response, "id_number")


def test_a_refused_login_names_the_empty_fields(client, district_staff):
    page = client.get(reverse("login"))

    response = submit(client, page, fill={"username": "", "password": ""})

    assert_summary_names(response, "username", message=gettext("This field is required."))
    assert_summary_names(response, "password", message=gettext("This field is required."))


def test_a_wrong_password_is_said_at_the_top_without_a_field_link(client, district_staff):
    page = client.get(reverse("login"))

    response = submit(client, page, fill={"username": district_staff.username, "password": "wrong-password"})

    assert response.status_code == 200
    parsed = summary_of(response)
    assert len(parsed.entries) == 1 and parsed.entries[0]["href"] is None  # the focus goes to the summary itself
    assert CJK.search(parsed.entries[0]["text"])
    assert response.context["form"].non_field_errors()[0] in parsed.entries[0]["text"]


def test_a_refused_wage_agreement_names_the_missing_enterprise(client, district_staff, town_a):
    EnterpriseFactory(town=town_a, headcount=300)
    client.force_login(district_staff)
    page = client.get(reverse("disputes:agreement_create"))

    response = submit(client, page, 1, fill={"enterprise": "", "notes": "首轮协商"}, button="save")

    assert_summary_names(response, "enterprise", message=gettext("This field is required."))
    assert "首轮协商" in response.content.decode()


def test_a_dossier_import_without_a_file_names_the_file_field(client, district_staff, town_a):
    client.force_login(district_staff)
    page = client.get(reverse("disputes:dossier_import"))

    response = submit(client, page, "[enctype='multipart/form-data']")

    assert_summary_names(response, "file", message=gettext("This field is required."))


def test_a_formset_row_and_a_non_form_error_are_listed_with_the_row_named():
    """The partial's gathering, directly: a worker row's field and the formset's own message."""
    from disputes.forms import IntakeWorkerFormSet

    data = {"workers-TOTAL_FORMS": "1", "workers-INITIAL_FORMS": "0", "workers-0-name": "",
            "workers-0-id_number": "X"}  # fmt: skip
    formset = IntakeWorkerFormSet(data, prefix="workers")
    entries = collect(None, [formset])
    assert entries, "the bad worker row is not listed"
    rowed = [entry for entry in entries if entry.row]
    assert rowed and {entry.row for entry in rowed} == {gettext("Worker %(number)s") % {"number": 1}}  # 第 1 位职工
    assert all(entry.field_id.startswith("id_workers-0-") for entry in rowed if entry.field_id)


EMPTY_FORMS = [
    ("benefits:member_create", "[data-testid=member-form]"),
    ("benefits:merchant_create", "[data-testid=merchant-form]"),
    ("benefits:activity_create", "[data-testid=activity-form]"),
    *((f"benefits:{key}_create", "[data-testid=programme-form]") for key in SERVICE_PROGRAMMES),
    ("benefits:member_import", "[data-testid=import-upload]"),
    ("benefits:allowance_import", "[enctype='multipart/form-data']"),
    *((f"benefits:{key}_import", "[enctype='multipart/form-data']") for key in SERVICE_PROGRAMMES),
    ("disputes:dossier_import", "[enctype='multipart/form-data']"),
    ("disputes:census_create", 1),
    ("disputes:inspection_create", 1),
    ("stations:venue_create", "[data-testid=venue-form]"),
]


@pytest.mark.parametrize(("name", "selector"), EMPTY_FORMS)
def test_every_form_sent_empty_comes_back_with_a_summary_linking_its_fields(
    client, district_staff, town_a, name, selector
):
    client.force_login(district_staff)
    page = client.get(reverse(name))
    fill = {  # every text field and every select that can be emptied, emptied
        control.name: ""
        for control in find_form(page, selector).controls
        if control.sends
        and control.kind in ("text", "number", "date", "email", "select")
        and (control.kind != "select" or any(option.value == "" for option in control.options))
    }
    response = submit(client, page, selector, fill=fill)

    assert response.status_code == 200
    parsed = summary_of(response)
    assert parsed.summaries >= 1 and parsed.entries, "the refused form says nothing at its top"
    for entry in parsed.entries:
        assert CJK.search(entry["text"]), entry
        if entry["href"]:
            assert entry["href"][1:] in parsed.ids, f"{entry['href']} is no element of the page"


# The filters ---------------------------------------------------------------------------------------------

STAFF_LISTS = [
    "disputes:case_list",
    "disputes:bargaining",
    "disputes:bargaining_census",
    "disputes:instructor_list",
    "disputes:inspection_list",
    "disputes:inspected_union_list",
    "stations:venue_list",
    "benefits:member_list",
    "benefits:merchant_list",
    "benefits:activity_list",
    "benefits:file_list",
    "benefits:recheck_list",
    "benefits:visit_list",
    "benefits:allowance_list",
    "benefits:payment_list",
    "benefits:payment_totals",
    "benefits:signoff_sheet",
    *(f"benefits:{key}_list" for key in SERVICE_PROGRAMMES),
]


@pytest.mark.parametrize("name", STAFF_LISTS)
def test_no_filter_on_a_staff_list_offers_dashes(client, district_staff, town_a, name):
    client.force_login(district_staff)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "---------" not in response.content.decode()


def test_the_case_list_filters_offer_all(client, district_staff, town_a):
    client.force_login(district_staff)
    html = client.get(reverse("disputes:case_list")).content.decode()
    empty_options = re.findall(r'<option value=""[^>]*>([^<]*)</option>', html)
    assert empty_options and set(empty_options) <= {gettext("All"), gettext("All towns")}
