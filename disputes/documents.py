"""The documents of a case a mediator prints or hands over, filled from the record: the case sheet, the
registration form (登记表) and the mediation agreement (调解协议书), each a print page and (but the sheet) a .docx.

Who sees what follows the case page: every document is fetched through `Case.objects.visible_to(user)` (another
town's case answers 404), and ID and phone numbers are written in full only for those who may work the case
(`can_edit`, as the case page's `show_personal`); leadership reads them masked, on paper too.

The agreement exists only for a mediation case closed with an agreement (`has_agreement`): its outcome is
`Outcome.AGREEMENT`, the agreed amount is the amount recovered recorded by that move, and the agreed terms are the
note written with it. A legal-aid case's agreement is made by the arbitration or the court, which issue it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from union_portal.access import can_edit
from union_portal.chinese_numbers import amount_in_capitals
from union_portal.formatting import mask_id_number, mask_phone
from union_portal.views import StaffRequiredMixin
from union_portal.word_documents import (
    a4_document,
    add_label_grid,
    add_signature_lines,
    add_table,
    add_text,
    add_title,
    docx_response,
)

from .models import MEDIATION_BODIES, Case, EventKind, HandlingBody, Outcome, Status
from .views import clock_rows, limitation_warning

# --- what the documents say ------------------------------------------------------------------------------------


def has_agreement(case: Case) -> bool:
    """A mediation case closed with an agreement (still so once archived): it has a mediation agreement."""
    return case.outcome == Outcome.AGREEMENT and case.handling_body in MEDIATION_BODIES


def yuan(amount) -> str:
    """12,000.00 (元, two places): money as an agreement writes it."""
    return f"{Decimal(amount or 0):,.2f}"


def day(value: datetime.date | None) -> str:
    """A date as the locale writes it (2018年3月16日), or a blank line to fill in by hand."""
    return formats.date_format(value) if value else "\u3000" * 6


def mediating_organisation(case: Case) -> str:
    """The body that mediated: the district federation's mediation centre, or the town's union."""
    if case.handling_body == HandlingBody.TOWN_UNION:
        return gettext("%(town)s trade union") % {"town": case.town.name}
    return gettext("%(district)s Federation of Trade Unions labour dispute mediation centre") % {
        "district": case.town.district.name
    }


def credit_code_text(employer) -> str:
    """The employer's credit code, or 待补全 for an employer known by name alone."""
    return employer.credit_code or gettext("to be completed")


@dataclass(frozen=True)
class WorkerLine:
    name: str
    id_number: str
    phone: str
    is_representative: bool


def worker_lines(case: Case, *, personal: bool) -> list[WorkerLine]:
    """The case's workers, representatives first; numbers masked unless `personal`."""
    return [
        WorkerLine(
            name=worker.name,
            id_number=worker.id_number if personal else mask_id_number(worker.id_number),
            phone=(worker.phone if personal else mask_phone(worker.phone)) or "—",
            is_representative=worker.is_representative,
        )
        for worker in case.workers.order_by("-is_representative", "pk")
    ]


def agreement_terms(case: Case) -> str:
    """What the parties agreed: the note written with the move to "agreement reached" ("" when none was)."""
    event = (
        case.events.filter(kind=EventKind.STATUS_CHANGE, to_status=Status.AGREEMENT).order_by("-recorded_at").first()
    )
    return event.text if event else ""


@dataclass
class CaseDocument:
    """What a document of one case is filled with (both its print page and its .docx)."""

    case: Case
    workers: list[WorkerLine]
    claim_kinds: list[str]
    employer_code: str
    organisation: str
    terms: str = ""
    amount: str = ""
    amount_capitals: str = ""
    registration_rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def registration_grid(self) -> list[list[tuple[str, str]]]:
        """The registration form's pairs, two to a row (as the .docx lays them out)."""
        rows = self.registration_rows
        return [rows[start : start + 2] for start in range(0, len(rows), 2)]

    @property
    def claims_text(self) -> str:
        return "、".join(self.claim_kinds) or "—"


def case_document(case: Case, *, personal: bool) -> CaseDocument:
    return CaseDocument(
        case=case,
        workers=worker_lines(case, personal=personal),
        claim_kinds=[str(kind) for kind in case.claim_kinds.all()],
        employer_code=credit_code_text(case.employer),
        organisation=mediating_organisation(case),
    )


def agreement_document_content(case: Case, *, personal: bool) -> CaseDocument:
    content = case_document(case, personal=personal)
    amount = case.amount_recovered or Decimal("0")
    content.terms = agreement_terms(case)
    content.amount = yuan(amount)
    content.amount_capitals = amount_in_capitals(amount)
    return content


def registration_document_content(case: Case, *, personal: bool) -> CaseDocument:
    content = case_document(case, personal=personal)
    content.registration_rows = registration_rows(case, content)
    return content


def registration_rows(case: Case, content: CaseDocument) -> list[tuple[str, str]]:
    """The intake facts as the form's (label, value) pairs, in the order the desk takes them."""
    assigned = case.assigned_to
    rows = [
        (gettext("case number"), case.number),
        (gettext("received on"), day(case.received_on)),
        (gettext("channel"), case.get_channel_display()),
        (gettext("handling body"), case.get_handling_body_display()),
        (gettext("town"), case.town.name),
        (gettext("kinds of claim"), content.claims_text),
        (gettext("employer"), case.employer.name),
        (gettext("unified social credit code"), content.employer_code),
        (gettext("amount involved (yuan)"), yuan(case.amount_claimed)),
        (gettext("workers involved"), str(case.headcount)),
        (gettext("worker learned of the infringement on"), day(case.learned_on) if case.learned_on else "—"),
        (gettext("limitation date"), day(case.limitation_on) if case.limitation_on else "—"),
    ]
    if case.is_collective:
        rows += [
            (gettext("cause of the collective incident"), case.collective_cause or "—"),
            (gettext("government bodies involved"), case.government_bodies or "—"),
        ]
    rows.append((gettext("assigned to"), (assigned.get_full_name() or assigned.get_username()) if assigned else "—"))
    return rows


# --- .docx ---------------------------------------------------------------------------------------------------


def agreement_title() -> str:
    return gettext("Mediation agreement")


def registration_title() -> str:
    return gettext("Labour dispute case registration form")


def document_file_name(case: Case, title: str) -> str:
    return f"{case.number}_{title}.docx"


def agreement_docx(content: CaseDocument):
    """调解协议书: number, parties, facts and claims, the agreed terms and amount (in figures and 大写), signatures."""
    case = content.case
    document = a4_document(title=f"{agreement_title()} {case.number}")
    add_title(document, agreement_title())
    add_text(document, gettext("No. %(number)s") % {"number": case.number})
    for worker in content.workers:
        add_text(
            document,
            gettext("%(name)s, ID number %(id_number)s") % {"name": worker.name, "id_number": worker.id_number},
            bold_label=gettext("Applicant: "),
        )
    add_text(
        document,
        gettext("%(name)s, unified social credit code %(code)s")
        % {"name": case.employer.name, "code": content.employer_code},
        bold_label=gettext("Respondent: "),
    )
    add_text(document, content.organisation, bold_label=gettext("Mediating organisation: "))
    add_text(document, case.facts or "—", bold_label=gettext("Facts of the dispute: "))
    add_text(document, claims_sentence(content), bold_label=gettext("Claims: "))
    add_text(document, gettext("Through mediation, the parties agree of their own free will as follows:"))
    add_text(document, content.terms or "\n\n\n")
    add_text(document, amount_sentence(content), bold_label=gettext("Agreed amount: "))
    add_text(document, validity_sentence())
    add_text(document, gettext("Agreement reached on %(date)s.") % {"date": day(case.closed_on)})
    add_signature_lines(document, signature_labels(), date_label=gettext("Date: "))
    return document


def registration_docx(content: CaseDocument):
    """登记表: the intake facts as a one-page form, the workers as a table, a line for each to sign."""
    case = content.case
    document = a4_document(title=f"{registration_title()} {case.number}", margin_mm=20)
    add_title(document, registration_title())
    add_label_grid(document, content.registration_rows, columns=2)
    document.add_paragraph()
    add_table(
        document,
        [gettext("name"), gettext("ID number"), gettext("phone"), gettext("representative")],
        [[w.name, w.id_number, w.phone, gettext("yes") if w.is_representative else ""] for w in content.workers],
    )
    add_text(document, case.facts or "—", bold_label=gettext("Facts and claims: "))
    add_signature_lines(
        document,
        [gettext("Applicant (signature): "), gettext("Registered by (signature): ")],
        date_label=gettext("Date: "),
    )
    return document


def claims_sentence(content: CaseDocument) -> str:
    return gettext("%(kinds)s; amount involved %(amount)s yuan") % {
        "kinds": content.claims_text,
        "amount": yuan(content.case.amount_claimed),
    }


def amount_sentence(content: CaseDocument) -> str:
    return gettext("RMB %(amount)s yuan (in words: %(capitals)s)") % {
        "amount": content.amount,
        "capitals": content.amount_capitals,
    }


def validity_sentence() -> str:
    return gettext(
        "This agreement takes effect when both parties have signed or sealed it. It is made in three copies: one for "
        "each party and one kept by the mediating organisation."
    )


def signature_labels() -> list[str]:
    return [
        gettext("Applicant (signature): "),
        gettext("Respondent (seal): "),
        gettext("Mediator (signature): "),
        gettext("Mediating organisation (seal): "),
    ]


# --- the views -----------------------------------------------------------------------------------------------


class CaseDocumentMixin(StaffRequiredMixin):
    """A document of a case the user may see (else 404); numbers in full for those who may work it."""

    def get_case(self) -> Case:
        cases = Case.objects.visible_to(self.request.user).select_related(
            "town__district", "employer", "assigned_to", "created_by"
        )
        return get_object_or_404(cases, pk=self.kwargs["pk"])

    def personal(self, case: Case) -> bool:
        return can_edit(self.request.user, case)


class AgreementMixin(CaseDocumentMixin):
    def get(self, request, *args, **kwargs):
        case = self.get_case()
        if not has_agreement(case):
            return TemplateResponse(request, "disputes/documents/no_agreement.html", {"case": case}, status=404)
        return self.answer(agreement_document_content(case, personal=self.personal(case)))


class CasePrintView(CaseDocumentMixin, TemplateView):
    """The case sheet on A4: facts, parties, workers, claims, timeline and clocks, without any form."""

    template_name = "disputes/documents/case_sheet.html"

    def get_context_data(self, **kwargs):
        case = self.get_case()
        content = case_document(case, personal=self.personal(case))
        return {
            **super().get_context_data(**kwargs),
            "case": case,
            "document": content,
            "events": case.events.select_related("recorded_by"),
            "clocks": clock_rows(case),
            "limitation_warning": limitation_warning(case) if case.limitation_expired_at_receipt else "",
            "has_agreement": has_agreement(case),
        }


class AgreementView(AgreementMixin, View):
    def answer(self, content):
        context = {
            "case": content.case,
            "document": content,
            "title": agreement_title(),
            "claims_sentence": claims_sentence(content),
            "validity_sentence": validity_sentence(),
            "signature_labels": signature_labels(),
        }
        return TemplateResponse(self.request, "disputes/documents/agreement.html", context)


class AgreementDocxView(AgreementMixin, View):
    def answer(self, content):
        file_name = document_file_name(content.case, agreement_title())
        return docx_response(agreement_docx(content), file_name=file_name)


class RegistrationView(CaseDocumentMixin, View):
    def get(self, request, *args, **kwargs):
        case = self.get_case()
        content = registration_document_content(case, personal=self.personal(case))
        context = {"case": case, "document": content, "title": registration_title()}
        return TemplateResponse(request, "disputes/documents/registration.html", context)


class RegistrationDocxView(CaseDocumentMixin, View):
    def get(self, request, *args, **kwargs):
        case = self.get_case()
        content = registration_document_content(case, personal=self.personal(case))
        return docx_response(registration_docx(content), file_name=document_file_name(case, registration_title()))


# --- the case page's 文书 group ---------------------------------------------------------------------------------


def document_links(case: Case) -> list[dict]:
    """The documents that apply to `case`, as the case page links them: (label, URL, kind)."""
    from django.urls import reverse

    links = [
        {"label": gettext("Case sheet"), "url": reverse("disputes:case_print", args=[case.pk]), "kind": "page"},
        {"label": registration_title(), "url": reverse("disputes:case_registration", args=[case.pk]), "kind": "page"},
        {
            "label": registration_title(),
            "url": reverse("disputes:case_registration_docx", args=[case.pk]),
            "kind": "docx",
        },
    ]
    if has_agreement(case):
        links += [
            {"label": agreement_title(), "url": reverse("disputes:case_agreement", args=[case.pk]), "kind": "page"},
            {
                "label": agreement_title(),
                "url": reverse("disputes:case_agreement_docx", args=[case.pk]),
                "kind": "docx",
            },
        ]
    return links
