"""Hardship files kept by household: ID numbers, the level at its boundaries, the workflow, the duplicate check,
the yearly re-check, closing and reopening, home visits, the allowance list, scoping and query counts."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from benefits import services
from benefits.models import (
    AllowanceListEntry,
    FileStatus,
    HardshipFile,
    HardshipLevel,
    HomeVisit,
    HouseholdMember,
    MinimumAllowance,
    Recheck,
)
from benefits.resources import AllowanceSheet
from union_portal.child_rows import RowEdits
from union_portal.errors import DomainError
from union_portal.validators import make_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def person(n: int) -> str:
    return make_id_number(n, datetime.date(1975, 1, 1) + datetime.timedelta(days=n))


def make_file(town, n=1, *, members=(), **values) -> HardshipFile:
    fields = {
        "town": town,
        "applicant_name": f"困难职工{n}",
        "id_number": person(n),
        "main_cause": "illness",
        "applicant_income": Decimal("1000.00"),
        **values,
    }
    file = HardshipFile.objects.create(**fields)
    for k, number in enumerate(members):
        HouseholdMember.objects.create(file=file, name=f"家属{k}", id_number=number, relation="child")
    return file


def codes(refused) -> set[str]:
    error = refused.value
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


@pytest.fixture
def allowance():
    year = TODAY().year
    return MinimumAllowance.objects.create(year=year, monthly_amount=Decimal("1000.00"))


def new_fields(town, n=1, **values) -> dict:
    fields = dict.fromkeys(("phone", "union_name", "workplace", "bank_name", "bank_account"), "")
    return {
        **fields,
        "town": town,
        "applicant_name": f"申请人{n}",
        "id_number": person(n),
        "applicant_income": Decimal("1500.00"),
        "essential_spending": Decimal("0.00"),
        "sudden_loss": Decimal("0.00"),
        "main_cause": "illness",
        "secondary_causes": [],
        **values,
    }


def member_rows(*numbers) -> RowEdits:
    return RowEdits(
        rows=[
            {"id": None, "name": f"家属{k}", "id_number": n, "relation": "child", "monthly_income": Decimal("0")}
            for k, n in enumerate(numbers)
        ]
    )


# ID numbers and masking ------------------------------------------------------------------


def test_a_wrong_id_number_is_refused_on_its_field(client_for, town_a_staff, town_a):
    bad = person(1)[:-1] + ("0" if person(1)[-1] != "0" else "1")
    response = client_for(town_a_staff).post(
        reverse("benefits:file_create"),
        {**{k: v for k, v in new_fields(town_a).items() if k != "secondary_causes"}, "town": town_a.pk, "id_number": bad,
         "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [
        gettext("The check character of this ID number is wrong; please check the number.")
    ]
    assert not HardshipFile.objects.exists()


def test_lists_mask_id_numbers_and_readers_who_may_not_edit_see_masked_values(
    client_for, district_staff, leadership, town_a
):
    file = make_file(town_a, bank_account="6222020000000012345", phone="13912345678")
    listing = client_for(district_staff).get(reverse("benefits:file_list")).content.decode()
    assert file.masked_id_number in listing and file.id_number not in listing
    page = client_for(district_staff).get(reverse("benefits:file_detail", args=[file.pk])).content.decode()
    assert file.id_number in page and file.bank_account in page
    page = client_for(leadership).get(reverse("benefits:file_detail", args=[file.pk])).content.decode()
    assert file.id_number not in page and file.bank_account not in page and file.phone not in page
    assert file.masked_bank_account in page


# The level at its boundaries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "spending", "loss", "level"),
    [
        ("1000.00", "0", "0", HardshipLevel.RELATIVE),  # per head exactly the allowance: not below it
        ("999.99", "0", "0", HardshipLevel.DEEP),  # just below
        ("1500.00", "500.01", "0", HardshipLevel.DEEP),  # essential spending counts
        ("1999.99", "0", "0", HardshipLevel.RELATIVE),
        ("2000.00", "0", "0", ""),  # twice the allowance: no longer relative hardship
        ("2000.00", "0", "19200.00", ""),  # a sudden loss of exactly 80% of the yearly income
        ("2000.00", "0", "19200.01", HardshipLevel.ACCIDENT),  # just above 80%
    ],
)
def test_the_level_at_its_boundaries(town_a, allowance, income, spending, loss, level):
    file = make_file(
        town_a, applicant_income=Decimal(income), essential_spending=Decimal(spending), sudden_loss=Decimal(loss)
    )
    assessment = services.level_assess(file=file, year=allowance.year)
    assert assessment.level == level
    assert assessment.allowance == Decimal("1000.00") and assessment.household_size == 1


def test_the_level_counts_the_household_per_head(town_a, allowance):
    file = make_file(town_a, applicant_income=Decimal("1500.00"), members=[person(2)])
    HouseholdMember.objects.filter(file=file).update(monthly_income=Decimal("500.00"))
    assessment = services.level_assess(file=file, year=allowance.year)
    assert (assessment.household_income, assessment.household_size, assessment.income_per_head) == (
        Decimal("2000.00"), 2, Decimal("1000.00"),
    )  # fmt: skip
    assert assessment.level == HardshipLevel.RELATIVE


def test_the_file_page_shows_the_computation(client_for, district_staff, town_a, allowance):
    file = make_file(town_a, applicant_income=Decimal("999.99"))
    response = client_for(district_staff).get(reverse("benefits:file_detail", args=[file.pk]))
    page = response.content.decode()
    assert 'data-testid="income-per-head">999.99<' in page and 'data-testid="allowance">1000.00<' in page
    assert gettext("Income per head after essential spending is below the minimum allowance.") in page


# The workflow ------------------------------------------------------------------------------


def test_town_staff_submit_and_district_staff_approve_recording_who_and_when(
    town_a, town_a_staff, district_staff, allowance
):
    file = services.file_create(user=town_a_staff, fields=new_fields(town_a), members=member_rows(person(2)))
    assert file.status == FileStatus.APPLYING and file.members.count() == 1
    services.file_submit(file=file, user=town_a_staff)
    with pytest.raises(DomainError) as refused:
        services.file_approve(file=file, user=town_a_staff)
    assert codes(refused) == {"not_reviewer"}
    file = services.file_approve(file=file, user=district_staff)
    assert (file.status, file.level, file.last_checked_on) == (FileStatus.APPROVED, HardshipLevel.DEEP, TODAY())
    assert (file.submitted_by, file.reviewed_by) == (town_a_staff, district_staff)
    assert file.submitted_at and file.reviewed_at
    assert file.history.count() == 3  # created, submitted, approved


def test_a_rejection_without_a_comment_is_refused(town_a, town_a_staff, district_staff):
    file = make_file(town_a, status=FileStatus.REVIEWING, submitted_by=town_a_staff)
    with pytest.raises(DomainError) as refused:
        services.file_reject(file=file, user=district_staff, comment="  ")
    assert codes(refused) == {"comment_required"}
    file = services.file_reject(file=file, user=district_staff, comment="收入证明不全")
    assert (file.status, file.review_comment, file.reviewed_by) == (FileStatus.REJECTED, "收入证明不全", district_staff)


def test_nobody_approves_or_rejects_a_file_they_submitted(town_a, district_staff, allowance):
    file = make_file(town_a)
    services.file_submit(file=file, user=district_staff)
    for step in (
        lambda: services.file_approve(file=file, user=district_staff),
        lambda: services.file_reject(file=file, user=district_staff, comment="自己审"),
    ):
        with pytest.raises(DomainError) as refused:
            step()
        assert codes(refused) == {"own_submission"}
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses it too
        HardshipFile.objects.filter(pk=file.pk).update(reviewed_by=district_staff)


def test_the_file_page_offers_no_approval_to_the_submitter(client_for, district_staff, town_a, allowance):
    file = make_file(town_a, status=FileStatus.REVIEWING, submitted_by=district_staff)
    page = client_for(district_staff).get(reverse("benefits:file_detail", args=[file.pk])).content.decode()
    assert reverse("benefits:file_approve", args=[file.pk]) not in page


def test_an_approval_needs_the_years_allowance(town_a, town_a_staff, district_staff):
    file = make_file(town_a, status=FileStatus.REVIEWING, submitted_by=town_a_staff)
    with pytest.raises(DomainError) as refused:
        services.file_approve(file=file, user=district_staff)
    assert codes(refused) == {"no_allowance"}


# The duplicate check -------------------------------------------------------------------------

STATES = [FileStatus.APPLYING, FileStatus.REVIEWING, FileStatus.APPROVED, FileStatus.REJECTED, FileStatus.CLOSED]
STATE_FIELDS = {
    FileStatus.REJECTED: {"review_comment": "不符合条件"},
    FileStatus.CLOSED: {"closed_on": datetime.date(2018, 5, 1), "close_reason": "recovered"},
}


@pytest.mark.parametrize("status", STATES)
@pytest.mark.parametrize("as_member", [False, True], ids=["applicant", "member"])
def test_a_person_in_a_file_of_any_state_is_found_and_an_open_one_refuses_a_second(
    town_a, town_b, town_a_staff, status, as_member
):
    numbers = {"members": [person(7)]} if as_member else {}
    other = make_file(
        town_b, 5, status=status, id_number=person(5 if as_member else 7), **numbers, **STATE_FIELDS.get(status, {})
    )
    holdings = services.files_holding([person(7)])
    assert [(h.file, h.as_applicant) for h in holdings] == [(other, not as_member)]
    # The new file names the person as a member (or as its applicant).
    fields = new_fields(town_a, 1) if as_member else new_fields(town_a, 7)
    members = member_rows(person(7)) if as_member else member_rows()
    if status in (FileStatus.APPLYING, FileStatus.REVIEWING, FileStatus.APPROVED):
        with pytest.raises(DomainError) as refused:
            services.file_create(user=town_a_staff, fields=fields, members=members)
        assert codes(refused) == {"open_file_exists"}
        assert HardshipFile.objects.count() == 1
    else:
        assert services.file_create(user=town_a_staff, fields=fields, members=members).pk


def test_the_form_shows_every_file_holding_the_household_with_town_and_state_before_saving(
    client_for, town_a_staff, town_a, town_b
):
    make_file(town_b, 5, members=[person(7)], status=FileStatus.CLOSED, **STATE_FIELDS[FileStatus.CLOSED])
    AllowanceListEntry.objects.create(id_number=person(7), name="家属甲", kind="minimum")
    client = client_for(town_a_staff)
    data = {
        **{k: v for k, v in new_fields(town_a).items() if k != "secondary_causes"},
        "town": town_a.pk,
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "家属甲",
        "members-0-id_number": person(7),
        "members-0-relation": "child",
        "members-0-monthly_income": "0",
        "members-0-health": "healthy",
    }
    response = client.post(reverse("benefits:file_create"), data)
    assert response.status_code == 200 and not HardshipFile.objects.filter(town=town_a).exists()
    shown = response.content.decode()
    assert town_b.name in shown and str(FileStatus.CLOSED.label) in shown
    assert "困难职工5" not in shown  # another town's applicant is not named to town A's staff
    assert 'data-testid="allowance-entries"' in shown
    response = client.post(reverse("benefits:file_create"), {**data, "confirm_duplicates": "on"})
    file = HardshipFile.objects.get(town=town_a)
    assert response.status_code == 302 and response["Location"] == reverse("benefits:file_detail", args=[file.pk])


def test_the_file_page_shows_whether_the_household_is_on_the_allowance_list(client_for, district_staff, town_a):
    file = make_file(town_a, members=[person(8)])
    url = reverse("benefits:file_detail", args=[file.pk])
    assert 'data-testid="on-allowance-list"' not in client_for(district_staff).get(url).content.decode()
    AllowanceListEntry.objects.create(id_number=person(8), name="家属", kind="extreme")
    assert 'data-testid="on-allowance-list"' in client_for(district_staff).get(url).content.decode()
    listing = client_for(district_staff).get(reverse("benefits:file_list")).content.decode()
    assert gettext("on the list") in listing


# The yearly re-check --------------------------------------------------------------------------


def approved(town, n, checked_days_ago, **values):
    return make_file(
        town, n, status=FileStatus.APPROVED, level=HardshipLevel.DEEP,
        last_checked_on=TODAY() - datetime.timedelta(days=checked_days_ago), **values,
    )  # fmt: skip


def listed(client, url) -> set[int]:
    return {file.pk for file, _listed in client.get(url).context["files"]}


def test_the_recheck_lists_show_files_due_within_30_days_and_overdue(client_for, district_staff, town_a):
    due = approved(town_a, 1, 340)
    due_today = approved(town_a, 2, 365)
    overdue = approved(town_a, 3, 366)
    approved(town_a, 4, 100)  # neither
    make_file(town_a, 5, status=FileStatus.CLOSED, last_checked_on=TODAY() - datetime.timedelta(days=500),
              closed_on=TODAY(), close_reason="moved")  # fmt: skip
    client = client_for(district_staff)
    assert listed(client, reverse("benefits:file_list") + "?recheck=due") == {due.pk, due_today.pk}
    assert listed(client, reverse("benefits:file_list") + "?recheck=overdue") == {overdue.pk}
    page = client.get(reverse("benefits:recheck_list"))
    assert page.context["recheck_counts"] == {"due": 2, "overdue": 1, "shown": "due"}
    assert due_today.recheck_overdue(TODAY()) is False and overdue.recheck_overdue(TODAY()) is True


def test_a_recheck_that_changes_the_level_needs_a_recorded_visit(town_a, town_a_staff, allowance):
    file = approved(town_a, 1, 360, applicant_income=Decimal("1500.00"))  # the figures now give relative hardship
    with pytest.raises(DomainError) as refused:
        services.file_recheck(file=file, user=town_a_staff, checked_on=TODAY())
    assert codes(refused) == {"visit_required"}
    visit = services.visit_record(file=file, user=town_a_staff, visited_on=TODAY(), visitors="镇工会")
    recheck = services.file_recheck(file=file, user=town_a_staff, checked_on=TODAY(), visit=visit)
    file.refresh_from_db()
    assert (recheck.level_before, recheck.level_after) == (HardshipLevel.DEEP, HardshipLevel.RELATIVE)
    assert (file.level, file.last_checked_on) == (HardshipLevel.RELATIVE, TODAY())
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps the rule too
        Recheck.objects.create(file=file, checked_on=TODAY(), level_before="deep", level_after="relative",
                               checked_by=town_a_staff)  # fmt: skip


def test_a_recheck_keeping_the_level_needs_no_visit(town_a, town_a_staff, allowance):
    file = approved(town_a, 1, 400, applicant_income=Decimal("500.00"))
    recheck = services.file_recheck(file=file, user=town_a_staff, checked_on=TODAY())
    assert recheck.level_after == HardshipLevel.DEEP and recheck.visit is None


def test_a_visit_to_another_household_is_refused_for_a_recheck(town_a, town_a_staff, allowance):
    file, other = approved(town_a, 1, 360, applicant_income=Decimal("1500.00")), approved(town_a, 2, 10)
    visit = services.visit_record(file=other, user=town_a_staff, visited_on=TODAY(), visitors="镇工会")
    with pytest.raises(DomainError) as refused:
        services.file_recheck(file=file, user=town_a_staff, checked_on=TODAY(), visit=visit)
    assert codes(refused) == {"visit_other"}


# Closing and reopening --------------------------------------------------------------------------


def test_a_file_is_closed_with_reason_and_date_and_reopened_into_review_keeping_its_history(
    town_a, town_a_staff, district_staff
):
    file = approved(town_a, 1, 10)
    with pytest.raises(DomainError) as refused:
        services.file_close(file=file, user=town_a_staff, reason="", closed_on=TODAY())
    assert codes(refused) == {"close_reason"}
    file = services.file_close(file=file, user=town_a_staff, reason="recovered", closed_on=TODAY())
    assert (file.status, file.close_reason, file.closed_on) == (FileStatus.CLOSED, "recovered", TODAY())
    file = services.file_reopen(file=file, user=town_a_staff)
    assert (file.status, file.submitted_by, file.closed_on) == (FileStatus.REVIEWING, town_a_staff, None)
    assert list(file.history.values_list("status", flat=True)) == ["reviewing", "closed", "approved"]


def test_a_file_is_not_reopened_while_the_person_has_another_open_file(town_a, town_b, town_a_staff):
    closed = make_file(town_a, 1, status=FileStatus.CLOSED, **STATE_FIELDS[FileStatus.CLOSED])
    make_file(town_b, 2, members=[person(1)])
    with pytest.raises(DomainError) as refused:
        services.file_reopen(file=closed, user=town_a_staff)
    assert codes(refused) == {"open_file_exists"}


# Home visits ------------------------------------------------------------------------------------


def test_the_visit_list_counts_households_visited_as_distinct_files(client_for, district_staff, town_a, town_b):
    first, second = approved(town_a, 1, 10), approved(town_b, 2, 10)
    for file, day in ((first, 1), (first, 2), (second, 3)):
        HomeVisit.objects.create(
            file=file, visited_on=datetime.date(2018, 3, day), visitors="区总工会", recorded_by=district_staff
        )
    HomeVisit.objects.create(file=first, visited_on=datetime.date(2017, 3, 1), visitors="区总工会",
                             recorded_by=district_staff)  # fmt: skip
    client = client_for(district_staff)
    response = client.get(reverse("benefits:visit_list") + "?year=2018")
    assert response.context["totals"] == {"visits": 3, "households": 2}
    response = client.get(reverse("benefits:visit_list") + f"?town={town_a.pk}")
    assert [(r["year"], r["visits"], r["households"]) for r in response.context["per_year"]] == [
        (2018, 2, 1), (2017, 1, 1),
    ]  # fmt: skip
    assert listed(client, reverse("benefits:file_list") + "?visited_in=2018") == {first.pk, second.pk}
    assert listed(client, reverse("benefits:file_list") + "?visited_in=2017") == {first.pk}


def test_a_visit_in_the_future_is_refused(town_a, town_a_staff):
    with pytest.raises(DomainError) as refused:
        services.visit_record(
            file=approved(town_a, 1, 10), user=town_a_staff, visited_on=TODAY() + datetime.timedelta(days=1),
            visitors="镇工会",
        )  # fmt: skip
    assert codes(refused) == {"visit_future"}


# The allowance list -------------------------------------------------------------------------------


def sheet(*rows, headers=("姓名", "身份证号", "类别")) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(list(headers))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("低保名单.xlsx", out.getvalue())


def test_the_allowance_sheet_names_every_bad_row_and_nothing_is_written(district_staff):
    AllowanceListEntry.objects.create(id_number=person(9), name="旧名单", kind="minimum")
    read = AllowanceSheet.read(sheet(["张三", person(1), "低保"], ["", "110115197501011234", "低保"],
                                     ["李四", person(1), "五保"]))  # fmt: skip
    assert len(read.errors) == 4 and all(error.startswith(("第", "Row")) for error in read.errors)
    assert any("3" in error for error in read.errors) and any("4" in error for error in read.errors)
    with pytest.raises(DomainError):
        services.allowance_list_import(user=district_staff, rows=[{"id_number": "1", "name": "x", "kind": "minimum"}])
    assert list(AllowanceListEntry.objects.values_list("name", flat=True)) == ["旧名单"]


def test_a_good_allowance_sheet_replaces_the_list(district_staff, town_a_staff):
    AllowanceListEntry.objects.create(id_number=person(9), name="旧名单", kind="minimum")
    read = AllowanceSheet.read(sheet(["张三", person(1), "低保"], ["李四", person(2).lower(), "特困"]))
    assert not read.errors
    with pytest.raises(DomainError):
        services.allowance_list_import(user=town_a_staff, rows=read.rows)
    assert services.allowance_list_import(user=district_staff, rows=read.rows) == 2
    assert dict(AllowanceListEntry.objects.values_list("name", "kind")) == {"张三": "minimum", "李四": "extreme"}


# Scoping ------------------------------------------------------------------------------------------


def test_town_staff_see_only_their_towns_files_and_get_404_for_another(client_for, town_a_staff, town_a, town_b):
    mine, theirs = make_file(town_a, 1), make_file(town_b, 2)
    client = client_for(town_a_staff)
    assert listed(client, reverse("benefits:file_list")) == {mine.pk}
    for name in ("benefits:file_detail", "benefits:file_update", "benefits:visit_create"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("benefits:file_submit", args=[theirs.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.file_submit(file=theirs, user=town_a_staff)


# Query counts -------------------------------------------------------------------------------------


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_files(town, user, count, start=0):
    files = HardshipFile.objects.bulk_create(
        HardshipFile(
            town=town, applicant_name=f"职工{n}", id_number=person(start + n), main_cause="illness",
            status=FileStatus.APPROVED, level="deep", last_checked_on=TODAY() - datetime.timedelta(days=330 + (n * 7) % 60),
        )
        for n in range(count)
    )  # fmt: skip
    HouseholdMember.objects.bulk_create(
        HouseholdMember(file=f, name="家属", id_number=person(5000 + start + k), relation="child")
        for k, f in enumerate(files)
    )
    HomeVisit.objects.bulk_create(
        HomeVisit(file=f, visited_on=datetime.date(2018, 1, 1), visitors="镇工会", recorded_by=user) for f in files
    )


LIST_PAGES = [
    reverse("benefits:file_list"),
    reverse("benefits:file_list") + "?recheck=due&q=职工",
    reverse("benefits:recheck_list") + "?recheck=overdue",
    reverse("benefits:visit_list") + "?year=2018",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_file_lists_take_the_same_statements_for_10_and_1000_files(
    url, client_for, town_a_staff, town_a, django_assert_max_num_queries
):
    client = client_for(town_a_staff)
    add_files(town_a, town_a_staff, 10)
    few = statements(client, url)
    add_files(town_a, town_a_staff, 990, start=10)
    with django_assert_max_num_queries(few):
        client.get(url)
    assert statements(client, url) == few


def test_the_file_page_takes_the_same_statements_for_a_short_and_a_long_history(
    client_for, district_staff, town_a, allowance
):
    file = approved(town_a, 1, 10, members=[person(2)])
    client = client_for(district_staff)
    url = reverse("benefits:file_detail", args=[file.pk])
    few = statements(client, url)
    for n in range(20):
        file.refresh_from_db()
        file.workplace = f"单位{n}"
        file.save()
        HomeVisit.objects.create(file=file, visited_on=TODAY(), visitors=f"第{n}次", recorded_by=district_staff)
    assert statements(client, url) == few


def test_an_edit_over_someone_elses_newer_save_is_refused_then_saved_on_purpose(client_for, town_a_staff, town_a):
    from tests.html_forms import submit

    file = make_file(town_a)
    client = client_for(town_a_staff)
    page = client.get(reverse("benefits:file_update", args=[file.pk]))
    file.workplace = "别人改的单位"
    file.save()
    refused = submit(client, page, "[data-testid=file-form]", fill={"union_name": "我的工会"})
    assert refused.status_code == 200
    assert refused.context["form"].has_error("__all__", code="stale")
    file.refresh_from_db()
    assert (file.union_name, file.workplace) == ("", "别人改的单位")
    saved = submit(client, refused, "[data-testid=file-form]")
    assert saved.status_code == 302
    file.refresh_from_db()
    assert file.union_name == "我的工会"
