"""The case page: moves as buttons, the timeline, attachments kept private, the stale-edit refusal."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from disputes import services
from disputes.forms import TransitionForm
from disputes.models import Case, CaseAttachment, CaseWorker, ClaimKind, EventKind, HandlingBody, Status
from tests import upload_samples
from tests.disputes.factories import CaseFactory
from union_portal.child_rows import RowEdits
from union_portal.concurrency import STALE_EDIT_MESSAGE, StaleEdit
from union_portal.formatting import person_name

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def case(town_a):
    return CaseFactory(
        town=town_a, workers=[{"name": "王建国", "id_number": "110115198501011237", "phone": "13811112222"}]
    )


def test_the_case_page_offers_only_the_allowed_moves(client_for, town_a_staff, case):
    page = client_for(town_a_staff).get(case.get_absolute_url()).content.decode()
    assert 'data-move="accepted"' in page
    assert 'data-move="agreement"' not in page
    assert 'data-move="archived"' not in page


def test_the_case_page_shows_the_clock_with_days_left(client_for, town_a_staff, case):
    response = client_for(town_a_staff).get(case.get_absolute_url())
    assert [clock["days_left"] for clock in response.context["clocks"]] == [15]


def test_a_move_posted_from_the_page_is_made(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    url = reverse("disputes:case_transition", args=[case.pk])
    response = client.post(url, {"to_status": "accepted", "move-accepted-note": "材料齐全，予以受理"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.events.filter(to_status="accepted", text="材料齐全，予以受理", recorded_by=town_a_staff).exists()


def test_a_refused_move_changes_nothing_and_says_why(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    response = client.post(reverse("disputes:case_transition", args=[case.pk]), {"to_status": "agreement"}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.RECEIVED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_closing_with_an_agreement_from_the_page_records_the_amount(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    url = reverse("disputes:case_transition", args=[case.pk])
    client.post(url, {"to_status": "accepted"})
    client.post(url, {"to_status": "mediating"})
    missing = client.post(url, {"to_status": "agreement"}, follow=True)
    assert any(m.level_tag == "error" for m in missing.context["messages"])
    client.post(url, {"to_status": "agreement", "move-agreement-amount_recovered": "12000"})
    client.post(url, {"to_status": "archived", "move-archived-dossier_kind": "simple"})
    case.refresh_from_db()
    assert (case.status, case.amount_recovered, case.dossier_kind) == (Status.ARCHIVED, 12000, "simple")


def test_timeline_entries_are_added_with_who_and_when(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    client.post(
        reverse("disputes:timeline_add", args=[case.pk]),
        {"kind": "mediation_session", "on": case.received_on.isoformat(), "text": "第一次调解"},
    )
    event = case.events.get(kind=EventKind.MEDIATION_SESSION)
    assert (event.text, event.recorded_by, event.happened_on) == ("第一次调解", town_a_staff, case.received_on)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "第一次调解" in page


def test_a_note_does_not_make_an_open_edit_form_stale(client_for, town_a_staff, case):
    from disputes import services

    version = case.version
    services.timeline_add(case=case, kind=EventKind.NOTE, text="电话联系", by=town_a_staff)
    case.refresh_from_db()
    assert case.version == version


def test_a_pdf_is_attached_privately_and_served_only_through_the_case(client_for, town_a_staff, town_b_staff, case):
    client = client_for(town_a_staff)
    upload = SimpleUploadedFile("调解协议.pdf", PDF, content_type="application/pdf")
    client.post(reverse("disputes:attachment_add", args=[case.pk]), {"file": upload, "description": "调解协议书"})
    attachment = CaseAttachment.objects.get()
    stored = Path(attachment.file.path)
    assert stored.is_file()
    assert Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    assert "调解协议" not in stored.name
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    other = client_for(town_b_staff).get(attachment.get_absolute_url())
    assert other.status_code == 404


def test_another_towns_attachment_cannot_be_reached_through_ones_own_case(client_for, town_a_staff, town_b, case):
    other_case = CaseFactory(town=town_b)
    attachment = CaseAttachment.objects.create(
        case=other_case,
        file=SimpleUploadedFile("x.pdf", PDF),
        original_name="x.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    client = client_for(town_a_staff)
    assert client.get(reverse("disputes:attachment_download", args=[case.pk, attachment.pk])).status_code == 404
    assert client.get(reverse("disputes:attachment_download", args=[other_case.pk, attachment.pk])).status_code == 404


def test_an_image_is_accepted_by_its_content(client_for, town_a_staff, case):
    # The browser's claimed type is ignored; the name must agree with the content (a PNG named .jpeg is refused).
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/jpeg")
    client_for(town_a_staff).post(reverse("disputes:attachment_add", args=[case.pk]), {"file": upload})
    attachment = CaseAttachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content"),
    [("invoice.pdf", b"MZ\x90\x00 this is a program"), ("page.png", b"<svg onload=alert(1)>"), ("notes.txt", b"hello")],
    ids=["exe named pdf", "svg named png", "text"],
)
def test_files_that_are_not_pdf_or_image_are_refused(name, content, client_for, town_a_staff, case):
    response = client_for(town_a_staff).post(
        reverse("disputes:attachment_add", args=[case.pk]), {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert not CaseAttachment.objects.exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_a_file_over_the_size_limit_is_refused(client_for, town_a_staff, case, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 200)
    client_for(town_a_staff).post(reverse("disputes:attachment_add", args=[case.pk]), {"file": upload})
    assert not CaseAttachment.objects.exists()


def edit_data(case, **changes):
    workers = list(case.workers.all())
    data = {
        "version": case.version,
        "received_on": case.received_on.isoformat(),
        "channel": case.channel,
        "town": case.town_id,
        "claim_kinds": [ClaimKind.objects.get(code="wage_arrears").pk],
        "amount_claimed": str(case.amount_claimed),
        "learned_on": "",
        "facts": case.facts,
        "headcount": case.headcount,
        "employer_credit_code": case.employer.credit_code,
        "employer_name": case.employer.name,
        "assigned_to": "",
        "workers-TOTAL_FORMS": str(len(workers)),
        "workers-INITIAL_FORMS": str(len(workers)),
        "workers-MIN_NUM_FORMS": "0",
        "workers-MAX_NUM_FORMS": "1000",
    }
    for i, worker in enumerate(workers):
        data.update(
            {
                f"workers-{i}-id": worker.pk,
                f"workers-{i}-case": case.pk,
                f"workers-{i}-name": worker.name,
                f"workers-{i}-id_number": worker.id_number,
                f"workers-{i}-phone": worker.phone,
            }
        )
    data.update(changes)
    return data


def test_an_edit_is_saved_and_kept_in_the_history(client_for, town_a_staff, case):
    response = client_for(town_a_staff).post(
        reverse("disputes:case_update", args=[case.pk]),
        edit_data(case, facts="补充：企业承认欠薪", **{"workers-0-phone": "13900001111"}),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.facts == "补充：企业承认欠薪"
    assert case.workers.get().phone == "13900001111"
    assert case.history.filter(facts="补充：企业承认欠薪").exists()
    assert case.workers.get().history.count() == 2


def test_the_second_of_two_concurrent_edits_is_refused_and_keeps_what_was_typed(
    client_for, town_a_staff, district_staff, case
):
    url = reverse("disputes:case_update", args=[case.pk])
    first_form = client_for(district_staff).get(url).context["form"]
    second_form = client_for(town_a_staff).get(url).context["form"]
    assert first_form["version"].value() == second_form["version"].value() == case.version
    first = client_for(district_staff).post(url, edit_data(case, facts="区中心补充的情况", amount_claimed="52000"))
    assert first.status_code == 302
    second = client_for(town_a_staff).post(url, edit_data(case, facts="镇工会补充的情况"))
    assert second.status_code == 200
    assert second.context["form"].has_error("__all__", code="stale")
    page = second.content.decode()
    assert str(STALE_EDIT_MESSAGE) in page
    assert "镇工会补充的情况" in page
    saved = Case.objects.get(pk=case.pk)
    assert (saved.facts, saved.amount_claimed) == ("区中心补充的情况", 52000)
    # The refusal names who saved what meanwhile, so the second person knows what they would replace.
    meanwhile = page[page.index('data-testid="saved-meanwhile"') :]
    facts_label = str(Case._meta.get_field("facts").verbose_name)
    assert facts_label in meanwhile and "区中心补充的情况" in meanwhile
    assert person_name(district_staff) in meanwhile


def test_after_a_stale_refusal_saving_the_kept_form_again_goes_through(client_for, town_a_staff, district_staff, case):
    url = reverse("disputes:case_update", args=[case.pk])
    opened = edit_data(case, facts="镇工会补充的情况")
    client_for(district_staff).post(url, edit_data(case, facts="区中心补充的情况"))
    refused = client_for(town_a_staff).post(url, opened)
    kept = refused.context["form"]
    assert kept["facts"].value() == "镇工会补充的情况"
    again = client_for(town_a_staff).post(url, {**opened, "version": kept["version"].value()})
    assert again.status_code == 302
    assert Case.objects.get(pk=case.pk).facts == "镇工会补充的情况"


def test_a_status_move_makes_an_open_edit_form_stale(client_for, town_a_staff, district_staff, case):
    url = reverse("disputes:case_update", args=[case.pk])
    opened = edit_data(case, facts="改了事实")
    client_for(district_staff).post(reverse("disputes:case_transition", args=[case.pk]), {"to_status": "accepted"})
    refused = client_for(town_a_staff).post(url, opened)
    assert refused.status_code == 200
    assert refused.context["form"].has_error("__all__", code="stale")
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_the_case_page_shows_who_changed_which_field_from_what_to_what(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    client.post(
        reverse("disputes:case_update", args=[case.pk]),
        edit_data(case, amount_claimed="52000", **{"workers-0-phone": "13900001111"}),
    )
    client.post(reverse("disputes:case_transition", args=[case.pk]), {"to_status": "accepted"})
    response = client.get(case.get_absolute_url())
    log = response.content.decode()
    log = log[log.index('data-testid="changes"') :]
    amount = str(Case._meta.get_field("amount_claimed").verbose_name)
    status = str(Case._meta.get_field("status").verbose_name)
    assert re.search(rf"{re.escape(amount)}: <del>10,?000\.00</del> → <ins>52,?000\.00</ins>", log)
    assert f"{status}: <del>{Status.RECEIVED.label}</del> → <ins>{Status.ACCEPTED.label}</ins>" in log
    assert "王建国" in log and "139****1111" in log and "13900001111" not in log
    assert person_name(town_a_staff) in log


def test_leadership_sees_masked_numbers_and_cannot_download_attachments(client_for, leadership, district_staff, case):
    services.attachment_add(
        case=case, upload=SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf"), by=district_staff
    )
    attachment = CaseAttachment.objects.get()
    client = client_for(leadership)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "110115198501011237" not in page and "13811112222" not in page
    assert "110115********1237" in page and "138****2222" in page
    assert attachment.get_absolute_url() not in page
    assert client.get(attachment.get_absolute_url()).status_code == 403
    staff = client_for(district_staff)
    assert "110115198501011237" in staff.get(case.get_absolute_url()).content.decode()
    assert staff.get(attachment.get_absolute_url()).status_code == 200


def test_a_collective_case_keeps_a_representative_when_edited(client_for, district_staff, town_a):
    collective = CaseFactory(
        town=town_a,
        is_collective=True,
        headcount=3126,
        collective_cause="疏解外迁",
        workers=[{"name": "代表甲", "id_number": "110115198501011237", "is_representative": True}],
    )
    url = reverse("disputes:case_update", args=[collective.pk])
    data = edit_data(collective, is_collective="on", headcount="3126", collective_cause="疏解外迁")
    refused = client_for(district_staff).post(url, data)  # the representative box left unticked
    assert refused.status_code == 200
    assert refused.context["form"].errors["is_collective"]
    assert collective.workers.get().is_representative
    kept = client_for(district_staff).post(url, {**data, "workers-0-is_representative": "on", "facts": "补充"})
    assert kept.status_code == 302
    assert Case.objects.get(pk=collective.pk).facts == "补充"


def test_the_handling_body_cannot_change_after_intake(client_for, district_staff, case):
    client_for(district_staff).post(
        reverse("disputes:case_update", args=[case.pk]), edit_data(case, handling_body=HandlingBody.LEGAL_AID)
    )
    case.refresh_from_db()
    assert case.handling_body == HandlingBody.CENTRE


def test_a_failed_mediation_posted_without_a_reason_is_refused_with_the_fields_name(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    url = reverse("disputes:case_transition", args=[case.pk])
    client.post(url, {"to_status": "accepted"})
    client.post(url, {"to_status": "mediating"})
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'name="move-failed-note"' in page
    refused = client.post(url, {"to_status": "failed", "move-failed-note": ""}, follow=True)
    errors = [str(m) for m in refused.context["messages"] if m.level_tag == "error"]
    assert errors and str(TransitionForm(to_status="failed").fields["note"].label) in errors[0]
    assert Case.objects.get(pk=case.pk).status == Status.MEDIATING
    client.post(url, {"to_status": "failed", "move-failed-note": "企业拒不到场"})
    assert Case.objects.get(pk=case.pk).status == Status.FAILED


# Attachments through the shared upload check (union_portal.uploads) -------------------------------------------


def attach(client, case, name, content, **extra):
    url = reverse("disputes:attachment_add", args=[case.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content), **extra}, follow=True)


def error_messages(response):
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("劳动合同.html", PDF),
        ("平面图.png", upload_samples.png_bomb(12_000, 12_000)),
        ("half.jpg", upload_samples.truncated_jpeg()),
        ("receipt.jpg", png_bytes()),
    ],
    ids=["html starting %PDF", "17 KB PNG of 12000x12000", "truncated jpeg", "png named jpg"],
)
def test_a_hostile_attachment_is_refused_with_a_message_naming_it(client_for, town_a_staff, case, name, content):
    response = attach(client_for(town_a_staff), case, name, content)

    assert response.status_code == 200
    errors = error_messages(response)
    assert errors and name in errors[0]
    assert not CaseAttachment.objects.exists()


def test_the_service_refuses_a_name_that_disagrees_with_the_content(district_staff, case):
    with pytest.raises(services.CaseRuleError) as caught:
        services.attachment_add(case=case, upload=SimpleUploadedFile("page.html", PDF), by=district_staff)
    assert caught.value.error_list[0].code == "attachment_name"
    assert not CaseAttachment.objects.exists()


def test_a_good_pdf_is_stored_at_random_and_served_as_a_pdf_download(client_for, town_a_staff, case):
    client = client_for(town_a_staff)
    response = attach(client, case, "张三-调解协议.PDF", PDF)

    assert not error_messages(response)
    attachment = CaseAttachment.objects.get()
    assert attachment.original_name == "张三-调解协议.PDF"  # shown on the page, kept as data only
    assert attachment.original_name in response.content.decode()
    assert "张三" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    download = client.get(attachment.get_absolute_url())
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''%E5%BC%A0%E4%B8%89-%E8%B0%83%E8%A7%A3%E5%8D%8F%E8%AE%AE.PDF"
        in download["Content-Disposition"]
    )
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_older_row_whose_name_disagrees_is_served_under_a_name_that_agrees(client_for, town_a_staff, case):
    attachment = CaseAttachment.objects.create(
        case=case,
        file=SimpleUploadedFile("x.pdf", PDF),
        original_name="page.html",
        content_type="application/pdf",
        size=len(PDF),
    )
    download = client_for(town_a_staff).get(attachment.get_absolute_url())
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="page.pdf"'


def test_an_unknown_recorded_type_is_served_as_bytes(client_for, town_a_staff, case):
    attachment = CaseAttachment.objects.create(
        case=case,
        file=SimpleUploadedFile("x.pdf", PDF),
        original_name="x.html",
        content_type="text/html",
        size=len(PDF),
    )
    download = client_for(town_a_staff).get(attachment.get_absolute_url())
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == 'attachment; filename="x.bin"'
    assert attachment.file.name.endswith(".bin")


def test_the_model_refuses_a_recorded_type_other_than_the_content(case):
    attachment = CaseAttachment(
        case=case,
        file=SimpleUploadedFile("scan.png", png_bytes()),
        original_name="scan.png",
        content_type="application/pdf",
        size=10,
    )
    with pytest.raises(ValidationError) as caught:
        attachment.full_clean()
    assert caught.value.error_dict["content_type"][0].code == "attachment_type"


# A worker row naming a worker of another case (a guessed or forged id) ----------------------------


def post_naming_another_cases_worker(client, case, **changes):
    other = CaseFactory(town=case.town, workers=[{"name": "别案职工", "id_number": "110115198001010078"}])
    stranger = other.workers.get()
    data = edit_data(case, facts="不应保存", **{"workers-0-id": stranger.pk, **changes})
    return client.post(reverse("disputes:case_update", args=[case.pk]), data), stranger


def test_an_edit_naming_another_cases_worker_is_refused_with_a_message_and_saves_nothing(
    client_for, town_a_staff, case
):
    response, stranger = post_naming_another_cases_worker(client_for(town_a_staff), case, **{"workers-0-name": "改名"})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("__all__", code="foreign_row")
    assert escape(form.non_field_errors()[0]) in response.content.decode()
    saved = Case.objects.get(pk=case.pk)
    assert saved.facts == case.facts and saved.version == case.version
    assert list(saved.workers.values_list("name", flat=True)) == ["王建国"]
    stranger.refresh_from_db()
    assert stranger.name == "别案职工" and stranger.case_id != case.pk


def test_an_edit_cannot_remove_another_cases_worker(client_for, town_a_staff, case):
    new_row = {"workers-TOTAL_FORMS": "2", "workers-1-name": "新职工", "workers-1-id_number": "110115199001010099"}
    response, stranger = post_naming_another_cases_worker(
        client_for(town_a_staff), case, **{"workers-0-DELETE": "on", **new_row}
    )

    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="foreign_row")
    assert CaseWorker.objects.filter(pk=stranger.pk).exists()
    assert case.workers.count() == 1


def test_the_edit_service_refuses_a_stale_version_and_foreign_rows(town_a_staff, case):
    other = CaseFactory(town=case.town).workers.get()
    kwargs = {"case": case, "by": town_a_staff, "fields": {"facts": "服务直接修改"}, "employer": case.employer}

    with pytest.raises(StaleEdit):
        services.case_update(version=case.version - 1, **kwargs)
    with pytest.raises(ValidationError) as refused:
        services.case_update(version=case.version, workers=RowEdits(removed=[other.pk]), **kwargs)
    assert refused.value.code == "foreign_row"
    assert Case.objects.get(pk=case.pk).facts == case.facts

    services.case_update(version=case.version, **kwargs)
    assert Case.objects.get(pk=case.pk).facts == "服务直接修改"


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_edit_page_at_once_one_is_told_it_is_stale(town_a, town_a_staff, district_staff):
    from tests.union_portal.test_concurrency import at_once

    case = CaseFactory(town=town_a)
    opened = Case.objects.get(pk=case.pk).version
    people = [town_a_staff, district_staff]

    def save(n):
        fields = {"facts": f"第{n}人的补充"}
        services.case_update(case=case, by=people[n], version=opened, fields=fields, employer=case.employer)
        return n

    saved, errors = at_once(save, 2)

    assert [type(error) for error in errors] == [StaleEdit]
    assert Case.objects.get(pk=case.pk).facts == f"第{saved[0]}人的补充"
