"""Members and their service cards: search, masking, scoping, the card's life, the Excel import and export."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from benefits import services
from benefits.models import CardStatus, Member, ServiceCard
from benefits.resources import MemberSheet, member_sheet_headers
from tests.disputes.factories import id_number
from tests.threads import at_once
from union_portal.errors import DomainError

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def make_member(town, n=1, **fields) -> Member:
    values = {
        "name": f"会员{n}",
        "id_number": id_number(n),
        "phone": f"139{n:08d}",
        "union_name": "测试工会",
        "workplace": "",
    }
    return Member.objects.create(town=town, **{**values, **fields})


def sheet_file(rows, headers=None, title=None) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    headers = headers or member_sheet_headers()
    if title:  # an office sheet's title merged across the columns above the headers
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("members.xlsx", out.getvalue())


def row(n, name=None, **overrides):
    values = {
        "name": f"导入{n}" if name is None else name,
        "id": id_number(n),
        "phone": f"137{n:08d}",
        "union": "亦庄工会",
        "work": "",
    }
    values.update(overrides)
    return [values["name"], values["id"], values["phone"], values["union"], values["work"]]


def read(town, user, rows, **options) -> MemberSheet:
    return MemberSheet(user=user, town=town).read(sheet_file(rows, **options))


# Search, masking, scoping ---------------------------------------------------------------------------------


@pytest.fixture
def carded(town_a, district_staff):
    member = make_member(town_a, 7, name="张三丰", phone="13912345678")
    card = services.card_issue(member=member, user=district_staff, on=datetime.date(2018, 3, 1))
    make_member(town_a, 8, name="李四")
    return member, card


@pytest.mark.parametrize(
    "query",
    ["三丰", "id", "id_lower_x", "phone", "card", "card_full_width"],
)
def test_the_member_list_finds_a_member_by_each_key(client, district_staff, carded, query):
    member, card = carded
    typed = {
        "三丰": "三丰",
        "id": member.id_number,
        "id_lower_x": member.id_number.lower(),
        "phone": member.phone,
        "card": card.number,
        "card_full_width": card.number.translate(FULL_WIDTH),
    }[query]
    client.force_login(district_staff)
    found = client.get(reverse("benefits:member_list"), {"q": typed}).context["object_list"]
    assert [m.name for m in found] == ["张三丰"]


@pytest.mark.parametrize("partial", ["id", "phone", "card"])
def test_identifiers_match_only_whole(client, district_staff, carded, partial):
    member, card = carded
    typed = {"id": member.id_number[:10], "phone": member.phone[:7], "card": card.number[:8]}[partial]
    client.force_login(district_staff)
    assert not client.get(reverse("benefits:member_list"), {"q": typed}).context["object_list"]


def test_the_list_masks_id_and_phone_numbers(client, district_staff, carded):
    member, _card = carded
    client.force_login(district_staff)
    page = client.get(reverse("benefits:member_list")).content.decode()
    assert member.masked_id_number in page and member.masked_phone in page
    assert member.id_number not in page and member.phone not in page


def test_the_member_page_shows_full_numbers_to_editors_and_masked_to_leadership(
    client, town_a_staff, leadership, carded
):
    member, _card = carded
    url = reverse("benefits:member_detail", args=[member.pk])
    client.force_login(town_a_staff)
    page = client.get(url).content.decode()
    assert member.id_number in page and member.phone in page
    client.force_login(leadership)
    page = client.get(url).content.decode()
    assert member.id_number not in page and member.phone not in page and member.masked_id_number in page


def test_town_staff_see_only_their_towns_members_and_get_404_by_guessed_id(client, town_a_staff, town_b):
    other = make_member(town_b, 9, name="亦庄会员")
    card = ServiceCard.objects.create(member=other, number="HK2018999999", issued_on=datetime.date(2018, 1, 1))
    client.force_login(town_a_staff)
    assert not client.get(reverse("benefits:member_list"), {"q": "亦庄会员"}).context["object_list"]
    assert client.get(reverse("benefits:member_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("benefits:member_update", args=[other.pk])).status_code == 404
    assert client.post(reverse("benefits:card_lost", args=[card.pk]), {"confirm": "on"}).status_code == 404
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_the_export_masks_numbers_and_escapes_formulae(client, town_a_staff, carded, town_a):
    member, card = carded
    make_member(town_a, 11, name="=HYPERLINK(1)")
    client.force_login(town_a_staff)
    response = client.get(reverse("benefits:member_export"))
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    sheet = book.worksheets[0]
    assert sheet.title == gettext("members")
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    row_of = {r[0]: r for r in cells[1:]}
    assert list(row_of["张三丰"][1:3]) == [member.masked_id_number, member.masked_phone]
    assert row_of["张三丰"][6] == card.number
    assert "'=HYPERLINK(1)" in row_of
    assert all(member.id_number not in str(cell) for r in cells for cell in r)


def test_leadership_may_not_export_members(client, leadership, carded):
    client.force_login(leadership)
    assert client.get(reverse("benefits:member_export")).status_code == 403


LIST_QUERIES = (
    13  # session, user, role; the town chosen and the choices; count, the page's keys and rows, cards; the menu
)


def list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("benefits:member_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_member_list_runs_the_same_statements_for_10_and_1000_members(client, django_assert_max_num_queries,
                                                                         district_staff, town_a, town_b):  # fmt: skip
    members = [Member(town=town_a if n % 2 else town_b, name=f"会员{n}", id_number=id_number(n), union_name="工会")
               for n in range(1, 11)]  # fmt: skip
    for member in Member.objects.bulk_create(members):
        ServiceCard.objects.create(member=member, number=f"HK2018{member.pk:06d}", issued_on=datetime.date(2018, 1, 1))
    small = list_queries(client, district_staff)
    more = [Member(town=town_a, name=f"会员{n}", id_number=id_number(n), union_name="工会") for n in range(11, 1001)]
    created = Member.objects.bulk_create(more)
    ServiceCard.objects.bulk_create(
        ServiceCard(member=m, number=f"HK2019{m.pk:06d}", issued_on=datetime.date(2019, 1, 1)) for m in created
    )
    assert list_queries(client, district_staff) == small
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(reverse("benefits:member_list"), {"town": town_a.pk})


# Registering and editing ----------------------------------------------------------------------------------


def test_an_id_number_with_a_wrong_check_character_is_refused_on_its_field(client, town_a_staff):
    client.force_login(town_a_staff)
    bad = id_number(5)[:17] + ("0" if id_number(5)[17] != "0" else "1")
    response = client.post(
        reverse("benefits:member_create"), {"name": "王五", "id_number": bad, "union_name": "工会", "town": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["id_number"] == [gettext("The check character of this ID number is wrong; please check the number.")]
    assert not Member.objects.exists()


def test_a_registered_id_number_is_refused_with_a_link_to_the_member(client, town_a_staff, town_a):
    member = make_member(town_a, 3)
    client.force_login(town_a_staff)
    data = {
        "name": "另一人",
        "id_number": member.id_number.translate(FULL_WIDTH),
        "union_name": "工会",
        "town": town_a.pk,
    }
    response = client.post(reverse("benefits:member_create"), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("id_number", code="duplicate_id")
    assert reverse("benefits:member_detail", args=[member.pk]) in response.content.decode()
    assert Member.objects.count() == 1


def test_another_towns_registered_id_number_is_refused_naming_the_town_only(client, town_a_staff, town_a, town_b):
    other = make_member(town_b, 4, name="亦庄某人")
    client.force_login(town_a_staff)
    data = {"name": "同号者", "id_number": other.id_number, "union_name": "工会", "town": town_a.pk}
    response = client.post(reverse("benefits:member_create"), data)
    page = response.content.decode()
    assert town_b.name in page and "亦庄某人" not in page
    assert reverse("benefits:member_detail", args=[other.pk]) not in page


def test_town_staff_may_not_register_a_member_in_another_town(town_a_staff, town_b):
    with pytest.raises(DomainError) as refused:
        services.member_create(user=town_a_staff, town=town_b, name="某", id_number=id_number(6), union_name="工会")
    assert "town" in refused.value.error_dict


def test_a_member_edit_is_kept_in_history(district_staff, town_a):
    member = make_member(town_a, 12)
    services.member_update(member=member, user=district_staff, phone="13700000000")
    phones = list(member.history.order_by("history_id").values_list("phone", flat=True))
    assert phones == [f"139{12:08d}", "13700000000"]


# Cards ----------------------------------------------------------------------------------------------------


def test_cards_are_numbered_from_the_years_sequence(district_staff, town_a):
    first = services.card_issue(member=make_member(town_a, 20), user=district_staff, on=datetime.date(2018, 5, 1))
    second = services.card_issue(member=make_member(town_a, 21), user=district_staff, on=datetime.date(2018, 6, 1))
    assert (first.number, second.number) == ("HK2018000001", "HK2018000002")


def test_numbering_goes_on_after_cards_stored_with_their_numbers(district_staff, town_a):
    ServiceCard.objects.create(
        member=make_member(town_a, 22), number="HK2018000041", issued_on=datetime.date(2018, 1, 1)
    )
    card = services.card_issue(member=make_member(town_a, 23), user=district_staff, on=datetime.date(2018, 2, 1))
    assert card.number == "HK2018000042"


def test_a_member_holds_one_active_card(district_staff, town_a):
    member = make_member(town_a, 24)
    services.card_issue(member=member, user=district_staff)
    with pytest.raises(DomainError, match=gettext("This member already holds an active card.")):
        services.card_issue(member=member, user=district_staff)


def test_a_card_reported_lost_is_replaced_by_a_new_number_linked_to_it(district_staff, town_a):
    member = make_member(town_a, 25)
    old = services.card_issue(member=member, user=district_staff, on=datetime.date(2018, 5, 1))
    new = services.card_report_lost(card=old, user=district_staff, on=datetime.date(2018, 9, 1))
    old.refresh_from_db()
    assert old.status == CardStatus.LOST
    assert (new.status, new.replaces, new.number, new.issued_on) == (
        CardStatus.ACTIVE,
        old,
        "HK2018000002",
        datetime.date(2018, 9, 1),
    )
    assert old.replaced_by == new
    with pytest.raises(DomainError):
        services.card_report_lost(card=old, user=district_staff)


def test_card_status_changes_follow_the_cards_life(district_staff, town_a):
    card = services.card_issue(member=make_member(town_a, 26), user=district_staff)
    assert services.card_set_status(card=card, user=district_staff, status="suspended").status == "suspended"
    assert services.card_set_status(card=card, user=district_staff, status="active").status == "active"
    assert services.card_set_status(card=card, user=district_staff, status="cancelled").status == "cancelled"
    with pytest.raises(DomainError):
        services.card_set_status(card=card, user=district_staff, status="active")
    with pytest.raises(DomainError):
        services.card_set_status(card=card, user=district_staff, status="lost")  # only through card_report_lost


def test_a_refused_card_action_shows_why_on_the_member_page(client, town_a_staff, town_a):
    card = services.card_issue(member=make_member(town_a, 27), user=town_a_staff)
    client.force_login(town_a_staff)
    response = client.post(reverse("benefits:card_lost", args=[card.pk]))  # the confirmation not ticked
    assert response.status_code == 200 and response.context["action_errors"]
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_leadership_may_not_change_cards(client, leadership, district_staff, town_a):
    card = services.card_issue(member=make_member(town_a, 28), user=district_staff)
    client.force_login(leadership)
    assert client.post(reverse("benefits:card_status", args=[card.pk]), {"status": "cancelled"}).status_code == 403


# Import ---------------------------------------------------------------------------------------------------


def test_a_good_sheet_is_imported_with_history(town_b_staff, town_b):
    sheet = read(town_b, town_b_staff, [row(1), row(2, work="甲公司")])
    assert not sheet.errors
    assert services.member_import(user=town_b_staff, sheet=sheet, merge=False) == (2, 0)
    member = Member.objects.get(id_number=id_number(2))
    assert (member.town, member.workplace) == (town_b, "甲公司")
    assert member.history.get().history_user == town_b_staff


def test_full_width_digits_and_a_title_row_above_the_headers_are_read(town_b_staff, town_b):
    number = id_number(3)
    rows = [row(3, id=number.translate(FULL_WIDTH), phone="13700000003".translate(FULL_WIDTH))]
    sheet = read(town_b, town_b_staff, rows, title="亦庄镇工会会员名册（2018年）")
    assert not sheet.errors
    assert sheet.rows[0].data["id_number"] == number and sheet.rows[0].data["phone"] == "13700000003"


def test_every_bad_row_is_named_and_nothing_is_written(town_b_staff, town_b):
    bad_id = id_number(5)[:17] + ("0" if id_number(5)[17] != "0" else "1")
    rows = [row(4), row(5, id=bad_id), row(6, phone="12345"), row(7, name="")]
    sheet = read(town_b, town_b_staff, rows)
    id_label, phone_label, name_label = gettext("ID number"), gettext("phone"), gettext("name")
    assert len(sheet.errors) == 3  # one message per bad cell, naming its row and column
    assert "3" in sheet.errors[0] and id_label in sheet.errors[0]
    assert "4" in sheet.errors[1] and phone_label in sheet.errors[1]
    assert "5" in sheet.errors[2] and name_label in sheet.errors[2]
    with pytest.raises(DomainError):
        services.member_import(user=town_b_staff, sheet=sheet, merge=False)
    assert not Member.objects.exists()


def test_a_sheet_missing_a_required_column_is_refused_naming_it(town_b_staff, town_b):
    headers = member_sheet_headers()
    without_union = [h for h in headers if h != gettext("union")]
    sheet = read(town_b, town_b_staff, [row(8)[:3] + row(8)[4:]], headers=without_union)
    assert sheet.errors == [gettext("The sheet lacks the columns: %(columns)s.") % {"columns": gettext("union")}]


@pytest.fixture
def repeated(town_b_staff, town_b):
    stored = make_member(town_b, 9, phone="13900000009", union_name="旧工会", workplace="旧单位")
    rows = [row(9, union="新工会", work=""), row(10), row(10, phone="13600000010")]
    return stored, read(town_b, town_b_staff, rows)


def test_repeated_id_numbers_are_shown_on_the_preview(repeated):
    _stored, sheet = repeated
    assert not sheet.errors
    assert [r.number for r in sheet.repeated] == [2, 4]


def test_repeated_id_numbers_refused_write_nothing_and_name_each_row(repeated, town_b_staff, town_b):
    stored, sheet = repeated
    with pytest.raises(DomainError):
        services.member_import(user=town_b_staff, sheet=sheet, merge=False)
    assert len(sheet.errors) == 2
    assert town_b.name in sheet.errors[0] and "2" in sheet.errors[0]
    assert gettext("The same ID number is already on row %(row)d.") % {"row": 3} in sheet.errors[1]
    assert Member.objects.count() == 1
    stored.refresh_from_db()
    assert stored.union_name == "旧工会"


def test_repeated_id_numbers_merged_update_phone_union_and_workplace(repeated, town_b_staff):
    stored, sheet = repeated
    assert services.member_import(user=town_b_staff, sheet=sheet, merge=True) == (1, 1)
    stored.refresh_from_db()
    # A blank cell keeps the stored value; the others take the row's.
    assert (stored.phone, stored.union_name, stored.workplace) == (row(9)[2], "新工会", "旧单位")
    assert stored.version == 2 and stored.history.count() == 2
    assert Member.objects.get(id_number=id_number(10)).phone == "13600000010"  # the later row merged in


def test_another_towns_member_is_never_merged_by_town_staff(town_b_staff, town_a, town_b):
    make_member(town_a, 30)
    sheet = read(town_b, town_b_staff, [row(30)])
    assert len(sheet.errors) == 1 and town_a.name in sheet.errors[0]


def test_the_import_page_refuses_then_merges_as_the_user_chooses(client, town_b_staff, repeated):
    stored, _sheet = repeated
    client.force_login(town_b_staff)
    upload = sheet_file([row(9, union="新工会"), row(10)])
    preview = client.post(reverse("benefits:member_import"), {"file": upload, "town": stored.town.pk})
    token = preview.context["confirm"]["token"].value()
    refused = client.post(
        reverse("benefits:member_import"),
        {"confirm": "1", "token": token, "town": stored.town.pk, "repeated": "refuse"},
    )
    assert refused.status_code == 200 and refused.context["sheet"].errors
    assert Member.objects.count() == 1
    token = refused.context["confirm"]["token"].value()  # the refused preview is kept under a new token
    merged = client.post(
        reverse("benefits:member_import"), {"confirm": "1", "token": token, "town": stored.town.pk, "repeated": "merge"}
    )
    assert merged.status_code == 302
    assert Member.objects.count() == 2


def test_thousands_of_rows_import_in_batches(town_b_staff, town_b):
    """The import writes in batches: no statement per row (a per-row town check once cost 3,000 of them).
    Its speed is make bench's."""

    def statements(first, count):
        sheet = read(town_b, town_b_staff, [row(n) for n in range(first, first + count)])
        assert not sheet.errors
        with CaptureQueriesContext(connection) as queries:
            assert services.member_import(user=town_b_staff, sheet=sheet, merge=False) == (count, 0)
        return len(queries)

    few, many = statements(1000, 300), statements(2000, 3000)
    assert few < 300 / 20 and many < 3000 / 50
    assert Member.history.model.objects.count() == 3300


# Two desks at the same moment (PostgreSQL and SQLite) -----------------------------------------------------


def run_together(count, work) -> tuple[list, list]:
    return at_once(work, count)


@pytest.mark.django_db(transaction=True)
def test_cards_issued_at_the_same_moment_get_different_numbers(town_a, district_staff):
    members = [make_member(town_a, 40 + n) for n in range(6)]
    on = datetime.date(2018, 4, 1)
    cards, errors = run_together(6, lambda n: services.card_issue(member=members[n], user=district_staff, on=on))
    assert not errors
    assert sorted(card.number for card in cards) == [f"HK2018{n:06d}" for n in range(1, 7)]


@pytest.mark.django_db(transaction=True)
def test_one_member_issued_two_cards_at_the_same_moment_gets_one(town_a, district_staff):
    member = make_member(town_a, 50)
    cards, errors = run_together(2, lambda n: services.card_issue(member=member, user=district_staff))
    assert len(cards) == 1 and len(errors) == 1 and isinstance(errors[0], DomainError)
    assert member.cards.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_id_number_registered_twice_at_the_same_moment_is_kept_once(town_a, district_staff):
    def register(n):
        return services.member_create(
            user=district_staff, town=town_a, name=f"同号{n}", id_number=id_number(60), union_name="工会"
        )

    members, errors = run_together(2, register)
    assert len(members) == 1 and len(errors) == 1
    assert isinstance(errors[0], DomainError) and "id_number" in errors[0].error_dict
    assert Member.objects.filter(id_number=id_number(60)).count() == 1


@pytest.mark.parametrize("found_by", ["model validation", "the database's constraint"])
def test_an_id_number_registered_between_the_look_and_the_save_is_refused_naming_the_town(
    town_a, town_b, district_staff, monkeypatch, found_by
):
    # The other desk's row lands right after this desk's first look: deterministic version of the race above,
    # whichever of model validation or the database's constraint is the one to find it.
    first_look = services._refuse_registered_id

    def look_then_other_desk_registers(member):
        first_look(member)
        monkeypatch.setattr(services, "_refuse_registered_id", first_look)
        make_member(town_b, 62)

    monkeypatch.setattr(services, "_refuse_registered_id", look_then_other_desk_registers)
    if found_by == "the database's constraint":
        monkeypatch.setattr(Member, "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(DomainError) as refused:
        services.member_create(
            user=district_staff, town=town_a, name="同号", id_number=id_number(62), union_name="工会"
        )
    assert town_b.name in str(refused.value.error_dict["id_number"])
    assert not Member.objects.filter(name="同号").exists()


def test_the_change_log_masks_numbers_for_readers_and_shows_them_to_editors(client, town_a_staff, leadership, town_a):
    member = make_member(town_a, 61, phone="13911112222")
    services.member_update(member=member, user=town_a_staff, phone="13933334444")
    url = reverse("benefits:member_detail", args=[member.pk])
    client.force_login(leadership)
    page = client.get(url).content.decode()
    assert "139****2222" in page and "13911112222" not in page
    client.force_login(town_a_staff)
    assert "13911112222" in client.get(url).content.decode()
