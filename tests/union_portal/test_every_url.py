"""Every URL with every role (DESIGN.md, contract 1): the table below says what each role gets from each page.

`URLS` lists every URL pattern of the portal's own pages (the Django admin, /media/ and /static/ are
tested elsewhere). A new pattern that the table does not list fails `test_every_portal_url_is_in_the_table`:
give it a row, deciding what each role gets.

Roles: `anonymous`, `no_role` (signed in, no staff profile), `district_admin`, `district_staff`,
`town_a_staff`, `leadership`. Pages about one record are probed on town A's record, by the staff of town A
(`town_a_staff_on_a`) and of town B (`town_b_staff_on_a`, always 404: another town's record is not
even admitted to exist). Expected answers follow DOMAIN.md §1; where today's code answers otherwise,
the case carries `xfail` with the reason.

Besides the status, answers are checked for what they must not show: town A's staff never see town B's
case or venue on any staff page, leadership never sees a worker's full ID or phone number, and the
public venue pages never show a contact person's name or phone.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from benefits.models import (
    AidPayment,
    ChildcareClass,
    CultureEvent,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    JobFair,
    Member,
    MemberActivity,
    Merchant,
    PurchasedService,
    ServiceCard,
    WechatActivity,
)
from disputes import services
from disputes.models import Case, CaseAttachment, CaseEvent, EventKind
from stations.models import Venue
from tests.disputes.factories import CaseFactory, id_number
from tests.factories import UserFactory, VenueFactory
from union_portal.models import Enterprise, ExportJob, ImportJob

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXCLUDED_PREFIXES = ("admin/", "media/", "static/")  # tested elsewhere (admin site, venue photos, assets)


# Walking the resolver -------------------------------------------------------------------------------------


def portal_patterns(resolver=None, prefix: str = "", namespace: str = "") -> dict[str, str]:
    """{key: route} of every URL pattern outside EXCLUDED_PREFIXES; the key is `namespace:name`, or the route
    of a pattern without a name."""
    found = {}
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            found.update(portal_patterns(entry, route, inner))
        elif isinstance(entry, URLPattern):
            key = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
            found[key] = route
    return found


# Expectations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Go:
    """A redirect (302) to `to`: a URL name or a path, `LOGIN` (the login page with ?next= the probed URL) or
    `CASE` (the page of the probed case)."""

    to: str


LOGIN, CASE = Go("login"), Go("case")
LAST_YEAR = timezone.localdate().year - 1  # the year the summary's own URL opens


@dataclass(frozen=True)
class Bug:
    """What the role should get, while today's code answers otherwise: the case is an xfail."""

    expected: int | Go
    reason: str
    strict: bool = True


GLOBAL_ROLES = ("anonymous", "no_role", "district_admin", "district_staff", "town_a_staff", "leadership")
OBJECT_ROLES = (
    "anonymous",
    "no_role",
    "district_admin",
    "district_staff",
    "town_a_staff_on_a",
    "town_b_staff_on_a",
    "leadership",
)
PERSONA = {"town_a_staff_on_a": "town_a_staff", "town_b_staff_on_a": "town_b_staff"}


def answers(roles=GLOBAL_ROLES, default=200, **by_role) -> dict:
    unknown = set(by_role) - set(roles)
    assert not unknown, f"roles {unknown} are not among {roles}"
    return {role: by_role.get(role, default) for role in roles}


# Staff pages: anonymous users log in first, signed-in users without a role are refused.
STAFF = answers(anonymous=LOGIN, no_role=403)
EDITORS = answers(anonymous=LOGIN, no_role=403, leadership=403)
STAFF_RECORD = answers(OBJECT_ROLES, anonymous=LOGIN, no_role=403, town_b_staff_on_a=404)
EDITORS_RECORD = answers(OBJECT_ROLES, anonymous=LOGIN, no_role=403, town_b_staff_on_a=404, leadership=403)
NO_AGREEMENT = answers(OBJECT_ROLES, default=404, anonymous=LOGIN, no_role=403)
# An empty POST to a form page: the form comes back with its errors (200). No POST probe changes a record.
EDITORS_POST = EDITORS
EDITORS_RECORD_POST = EDITORS_RECORD
# The one-form actions of the case page (POST only): a form that is not valid is refused with a message on the
# case page.
CASE_ACTION = answers(OBJECT_ROLES, default=CASE, anonymous=LOGIN, no_role=403, town_b_staff_on_a=404, leadership=403)
# A GET to an action: refused as a POST would be, else 405 (for any id: it reveals nothing).
CASE_ACTION_GET = answers(OBJECT_ROLES, default=405, anonymous=LOGIN, no_role=403, leadership=403)
PUBLIC = answers()
EXPORT_JOB = answers(default=404, anonymous=LOGIN, no_role=403, town_a_staff=200)
UNPUBLISHED = answers(default=404)


@dataclass(frozen=True)
class Probe:
    """One request: `url(world)` with `method` (and `data`), and the answer each role should get."""

    url: Callable[[SimpleNamespace], str]
    expect: dict
    method: str = "get"
    variant: str = ""  # tells apart several probes of one pattern in the test ids
    data: dict = field(default_factory=dict)
    public: bool = False  # a public page: town B's venues may show, personal data never


def page(name: str, expect: dict, **options) -> Probe:
    return Probe(lambda w: reverse(name), expect, **options)


def case_a(name: str, expect: dict, **options) -> Probe:
    return Probe(lambda w: reverse(name, args=[w.case_a.pk]), expect, **options)


def venue_a(name: str, expect: dict, **options) -> Probe:
    return Probe(lambda w: reverse(name, args=[w.venue_a.pk]), expect, **options)


def on(attribute: str):
    """A probe builder for the page of the world's record `attribute` (e.g. on("file_a")): its pk is the URL's argument."""

    def build(name: str, expect: dict, **options) -> Probe:
        return Probe(lambda w: reverse(name, args=[getattr(w, attribute).pk]), expect, **options)

    return build


def public_venue(attribute: str, expect: dict) -> Probe:
    return Probe(
        lambda w: reverse("venues:venue", args=[getattr(w, attribute).code]),
        expect,
        variant="" if attribute == "venue_b" else attribute.removesuffix("_venue"),
        public=True,
    )


def case_action(name: str, data=None) -> list[Probe]:
    return [
        case_a(name, CASE_ACTION, method="post", variant="POST", data=data or {}),
        case_a(name, CASE_ACTION_GET, variant="GET"),
    ]


def form_page(name: str, expect: dict, post_expect: dict, build=page) -> list[Probe]:
    return [build(name, expect), build(name, post_expect, method="post", variant="POST")]


# benefits: members part. A card action (POST only) that is refused shows the member page with why (200).
def card_action(attribute: str, name: str) -> list[Probe]:
    return [
        on(attribute)(name, EDITORS_RECORD_POST, method="post", variant="POST"),
        on(attribute)(name, CASE_ACTION_GET, variant="GET"),
    ]


CONFIRM = {"confirm": "1", "token": "no-such-preview"}
MEMBER_IMPORT_CONFIRM = answers(default=Go("benefits:member_import"), anonymous=LOGIN, no_role=403, leadership=403)
# A record of the district (no town): every staff role reads it; only district roles change it.
DISTRICT_RECORD = answers(OBJECT_ROLES, anonymous=LOGIN, no_role=403)
DISTRICT_RECORD_EDIT = answers(
    OBJECT_ROLES, anonymous=LOGIN, no_role=403, town_a_staff_on_a=403, town_b_staff_on_a=403, leadership=403
)


URLS: dict[str, list[Probe]] = {
    # The portal's root: staff start here, the public is sent to the venue finder.
    "home": [page("home", answers(anonymous=Go("venues:finder"), no_role=403))],
    "login": [page("login", answers(default=Go("home"), anonymous=200))],
    "logout": [
        page("logout", answers(default=Go("home")), method="post", variant="POST"),
        page("logout", answers(default=405), variant="GET"),  # Django 5: logging out is a POST
    ],
    # Venues, staff pages.
    "stations:venue_list": [page("stations:venue_list", STAFF)],
    "stations:venue_create": form_page("stations:venue_create", EDITORS, EDITORS_POST),
    "stations:venue_detail": [venue_a("stations:venue_detail", STAFF_RECORD)],
    "stations:venue_update": form_page("stations:venue_update", EDITORS_RECORD, EDITORS_RECORD_POST, build=venue_a),
    "stations:venue_poster": [venue_a("stations:venue_poster", STAFF_RECORD)],
    "stations:venue_qr": [venue_a("stations:venue_qr", STAFF_RECORD)],
    # The public venue finder: a venue in service for everyone, a planned or closed one for no one.
    "venues:finder": [page("venues:finder", PUBLIC, public=True)],
    "venues:venue": [
        public_venue("venue_b", PUBLIC),
        public_venue("planned_venue", UNPUBLISHED),
        public_venue("closed_venue", UNPUBLISHED),
    ],
    # Disputes.
    # Benefits. Each part of the app keeps its rows in its own block.
    "benefits:home": [page("benefits:home", STAFF)],
    # benefits: members, service cards, merchants, member-only activities
    "benefits:member_list": [page("benefits:member_list", STAFF)],
    "benefits:member_export": [page("benefits:member_export", EDITORS)],  # names of people: not for leadership
    "benefits:member_create": form_page("benefits:member_create", EDITORS, EDITORS_POST),
    "benefits:member_import": [
        *form_page("benefits:member_import", EDITORS, EDITORS_POST),
        # A confirm without a preview kept for this user: back to the upload, nothing written.
        page("benefits:member_import", MEMBER_IMPORT_CONFIRM, method="post", variant="POST_confirm", data=CONFIRM),
    ],
    "benefits:member_template": [page("benefits:member_template", EDITORS)],
    "benefits:member_detail": [on("member_a")("benefits:member_detail", STAFF_RECORD)],
    "benefits:member_update": form_page(
        "benefits:member_update", EDITORS_RECORD, EDITORS_RECORD_POST, build=on("member_a")
    ),
    # The card actions: refused (member A holds an active card; an empty form) on the member page, 200.
    "benefits:card_issue": card_action("member_a", "benefits:card_issue"),
    "benefits:card_status": card_action("card_a", "benefits:card_status"),
    "benefits:card_lost": card_action("card_a", "benefits:card_lost"),
    # Merchants and activities are the district's (no town): every staff role reads them, district roles edit.
    "benefits:merchant_list": [page("benefits:merchant_list", STAFF)],
    "benefits:merchant_create": form_page("benefits:merchant_create", EDITORS, EDITORS_POST),
    "benefits:merchant_detail": [on("merchant")("benefits:merchant_detail", DISTRICT_RECORD)],
    "benefits:merchant_update": form_page(
        "benefits:merchant_update", DISTRICT_RECORD_EDIT, DISTRICT_RECORD_EDIT, build=on("merchant")
    ),
    "benefits:activity_list": [page("benefits:activity_list", STAFF)],
    "benefits:activity_create": form_page("benefits:activity_create", EDITORS, EDITORS_POST),
    "benefits:activity_detail": [on("activity")("benefits:activity_detail", DISTRICT_RECORD)],
    "benefits:activity_update": form_page(
        "benefits:activity_update", DISTRICT_RECORD_EDIT, DISTRICT_RECORD_EDIT, build=on("activity")
    ),
    # benefits: hardship files, visits, re-checks, the allowance list
    "benefits:file_list": [page("benefits:file_list", STAFF)],
    "benefits:recheck_list": [page("benefits:recheck_list", STAFF)],
    "benefits:file_create": form_page("benefits:file_create", EDITORS, EDITORS_POST),
    "benefits:file_detail": [on("file_a")("benefits:file_detail", STAFF_RECORD)],
    "benefits:file_update": form_page("benefits:file_update", EDITORS_RECORD, EDITORS_RECORD_POST, build=on("file_a")),
    # The workflow steps (POST only): on the approved file_a each is refused, and the file page comes back
    # with the reason (200); a GET is refused as a POST would be, else 405.
    **{
        f"benefits:file_{step}": [
            on("file_a")(f"benefits:file_{step}", EDITORS_RECORD_POST, method="post", variant="POST"),
            on("file_a")(f"benefits:file_{step}", CASE_ACTION_GET, variant="GET"),
        ]
        for step in ("submit", "approve", "reject", "recheck", "close", "reopen")
    },
    "benefits:visit_create": form_page(
        "benefits:visit_create", EDITORS_RECORD, EDITORS_RECORD_POST, build=on("file_a")
    ),
    "benefits:visit_list": [page("benefits:visit_list", STAFF)],
    # The civil-affairs list is the district's: town staff and leadership do not take it.
    "benefits:allowance_list": [page("benefits:allowance_list", {**EDITORS, "town_a_staff": 403})],
    "benefits:allowance_import": form_page(
        "benefits:allowance_import", {**EDITORS, "town_a_staff": 403}, {**EDITORS, "town_a_staff": 403}
    ),
    # benefits: the aid ledger
    "benefits:payment_list": [page("benefits:payment_list", STAFF)],
    "benefits:payment_totals": [page("benefits:payment_totals", STAFF)],
    "benefits:signoff_sheet": [
        page("benefits:signoff_sheet", STAFF),
        Probe(
            lambda w: reverse("benefits:signoff_sheet") + f"?programme=medical&date={w.payment_a.paid_on}",
            STAFF,
            variant="chosen",
        ),
    ],
    # The sheet names people: not for leadership; without a programme and date, back to choose them.
    "benefits:signoff_export": [
        page(
            "benefits:signoff_export",
            answers(default=Go("benefits:signoff_sheet"), anonymous=LOGIN, no_role=403, leadership=403),
        ),
        Probe(
            lambda w: reverse("benefits:signoff_export") + f"?programme=medical&date={w.payment_a.paid_on}",
            EDITORS,
            variant="chosen",
        ),
    ],
    "benefits:payment_detail": [on("payment_a")("benefits:payment_detail", STAFF_RECORD)],
    "benefits:payment_create": form_page(
        "benefits:payment_create", EDITORS_RECORD, EDITORS_RECORD_POST, build=on("file_a")
    ),
    # The steps on a payment (POST only): an empty form carries no state seen, so each is refused and the payment
    # page comes back with why (200); a GET is refused as a POST would be, else 405.
    **{
        f"benefits:payment_{step}": [
            on("payment_a")(f"benefits:payment_{step}", EDITORS_RECORD_POST, method="post", variant="POST"),
            on("payment_a")(f"benefits:payment_{step}", CASE_ACTION_GET, variant="GET"),
        ]
        for step in ("approve", "post", "withdraw", "reverse")
    },
    # benefits: services for all members
    # Childcare classes belong to a town; the other programmes' records here are district-wide: every staff role
    # reads them, and only district roles change them (town staff get 403, not 404: the record is not hidden).
    **{
        f"benefits:{key}_{name}": probes
        for key, record, record_page, record_edit in (
            ("childcare", "childcare_a", STAFF_RECORD, EDITORS_RECORD),
            *(
                (
                    key,
                    key,
                    answers(OBJECT_ROLES, anonymous=LOGIN, no_role=403),
                    answers(
                        OBJECT_ROLES,
                        anonymous=LOGIN,
                        no_role=403,
                        leadership=403,
                        town_a_staff_on_a=403,
                        town_b_staff_on_a=403,
                    ),
                )
                for key in ("jobfair", "purchased", "wechat", "culture")
            ),
        )
        for name, probes in {
            "list": [page(f"benefits:{key}_list", STAFF)],
            # The programmes' records name no one: leadership may take the sheet.
            "export": [page(f"benefits:{key}_export", STAFF)],
            "create": form_page(f"benefits:{key}_create", EDITORS, EDITORS_POST),
            "import": form_page(f"benefits:{key}_import", EDITORS, EDITORS_POST),
            "detail": [on(record)(f"benefits:{key}_detail", record_page)],
            "update": form_page(f"benefits:{key}_update", record_edit, record_edit, build=on(record)),
        }.items()
    },
    "disputes:home": [page("disputes:home", STAFF)],
    "disputes:case_list": [page("disputes:case_list", STAFF)],
    # Leadership reads lists on screen but takes no sheet of workers' personal data out, nor imports one.
    "disputes:case_export": [page("disputes:case_export", EDITORS)],
    "disputes:case_create": form_page("disputes:case_create", EDITORS, EDITORS_POST),
    "disputes:case_duplicates": [page("disputes:case_duplicates", EDITORS)],
    "disputes:employer_search": [page("disputes:employer_search", STAFF)],
    "disputes:employers_awaiting_code": form_page("disputes:employers_awaiting_code", STAFF, EDITORS_POST),
    "disputes:case_detail": [case_a("disputes:case_detail", STAFF_RECORD)],
    # The case's documents (disputes/documents.py): read as the case page is; town A's case is not closed with an
    # agreement, so it has no mediation agreement for anyone (a page saying so, 404).
    "disputes:case_print": [case_a("disputes:case_print", STAFF_RECORD)],
    "disputes:case_registration": [case_a("disputes:case_registration", STAFF_RECORD)],
    "disputes:case_registration_docx": [case_a("disputes:case_registration_docx", STAFF_RECORD)],
    "disputes:case_agreement": [case_a("disputes:case_agreement", NO_AGREEMENT)],
    "disputes:case_agreement_docx": [case_a("disputes:case_agreement_docx", NO_AGREEMENT)],
    "disputes:case_update": form_page("disputes:case_update", EDITORS_RECORD, EDITORS_RECORD_POST, build=case_a),
    "disputes:case_transition": [
        # A move that is not allowed from "received": refused with a message on the case page, nothing changes.
        *case_action("disputes:case_transition", data={"to_status": "archived"}),
        # A move posted without a valid status (an empty or tampered form): refused the same way, never a 500.
        case_a(
            "disputes:case_transition",
            dict.fromkeys(("district_admin", "district_staff", "town_a_staff_on_a"), CASE),
            method="post",
            variant="POST_no_status",
        ),
    ],
    "disputes:timeline_add": case_action("disputes:timeline_add"),
    "disputes:attachment_add": case_action("disputes:attachment_add"),
    "disputes:case_extend": case_action("disputes:case_extend"),
    "disputes:attachment_download": [
        # The files filed with a case are for those who work it: leadership reads the case, not the papers.
        Probe(lambda w: w.attachment_a.get_absolute_url(), {**STAFF_RECORD, "leadership": 403}),
        # Another case's attachment through this case's URL: no such file here.
        Probe(
            lambda w: reverse("disputes:attachment_download", args=[w.case_a.pk, w.attachment_b.pk]),
            answers(default=404, anonymous=LOGIN, no_role=403),
            variant="other_case",
        ),
    ],
    "disputes:dossier_import": form_page("disputes:dossier_import", EDITORS, EDITORS_POST),
    "disputes:dossier_template": [page("disputes:dossier_template", EDITORS)],
    # Exports (union_portal/exports): a job and its file are its owner's only (town A's staff here); anyone else,
    # whatever the role, gets 404.
    "exports:mine": [page("exports:mine", STAFF)],
    **{
        name: [Probe(lambda w, name=name: reverse(name, args=[w.export_job.pk]), EXPORT_JOB)]
        for name in ("exports:job", "exports:progress", "exports:download")
    },
    # Import jobs (union_portal/imports): the same, their owner's only.
    **{
        name: [Probe(lambda w, name=name: reverse(name, args=[w.import_job.pk]), EXPORT_JOB)]
        for name in ("imports:job", "imports:progress")
    },
    "disputes:bargaining": [page("disputes:bargaining", STAFF)],
    "disputes:agreement_create": form_page("disputes:agreement_create", EDITORS, EDITORS_POST),
    "disputes:census_create": form_page("disputes:census_create", EDITORS, EDITORS_POST),
    "disputes:bargaining_census": [page("disputes:bargaining_census", STAFF)],
    "disputes:instructor_list": [page("disputes:instructor_list", STAFF)],
    "disputes:inspection_list": [page("disputes:inspection_list", STAFF)],
    "disputes:inspected_union_list": [page("disputes:inspected_union_list", STAFF)],
    "disputes:inspection_create": form_page("disputes:inspection_create", EDITORS, EDITORS_POST),
    # The annual summary: district roles and leadership see any town, town staff their own town's page (town A's
    # staff asking for town B get town A's, so nothing of town B shows).
    "summary": [page("summary", answers(default=Go(f"/summary/{LAST_YEAR}/"), anonymous=LOGIN, no_role=403))],
    "summary_year": [
        Probe(lambda w: reverse("summary_year", args=[LAST_YEAR]), STAFF),
        Probe(
            lambda w: reverse("summary_year", args=[LAST_YEAR]) + f"?town={w.venue_b.town_id}", STAFF, variant="town_b"
        ),
    ],
    # The exports of the year's page: the same roles and scope as the page (town staff get their own town's file).
    **{
        name: [
            Probe(lambda w, name=name: reverse(name, args=[LAST_YEAR]), STAFF),
            Probe(
                lambda w, name=name: reverse(name, args=[LAST_YEAR]) + f"?town={w.venue_b.town_id}",
                STAFF,
                variant="town_b",
            ),
        ]
        for name in ("summary_xlsx", "summary_docx")
    },
    # The sign-off (定稿) of a year and its withdrawal: district admins only, POST only; an empty POST is refused
    # with a message on the year's page and signs nothing.
    **{
        name: [
            Probe(
                lambda w, name=name: reverse(name, args=[LAST_YEAR]),
                answers(default=403, anonymous=LOGIN, district_admin=Go(f"/summary/{LAST_YEAR}/")),
                method="post",
                variant="POST",
            ),
            Probe(
                lambda w, name=name: reverse(name, args=[LAST_YEAR]),
                answers(default=403, anonymous=LOGIN, district_admin=405),
                variant="GET",
            ),
        ]
        for name in ("summary_signoff", "summary_signoff_withdraw")
    },
}


def cases():
    for key, probes in URLS.items():
        for probe in probes:
            label = f"{key}/{probe.variant}" if probe.variant else key
            for role, expected in probe.expect.items():
                marks = ()
                if isinstance(expected, Bug):
                    marks = pytest.mark.xfail(strict=expected.strict, reason=expected.reason)
                    expected = expected.expected
                yield pytest.param(probe, role, expected, id=f"{label}-{role}", marks=marks)


# The records every probe needs ----------------------------------------------------------------------------


@pytest.fixture
def no_role(db):
    return UserFactory(username="no_role")


@pytest.fixture
def world(town_a, town_b, district_staff, town_a_staff):
    """Town A and town B each with a venue in service and a case with a worker, a timeline entry and an
    attachment; a planned and a closed venue (never public)."""
    case_a, case_b = (
        CaseFactory(
            town=town,
            number=f"大兴调〔2018〕{n:04d}",
            workers=[{"name": f"{town.name[:2]}工人", "id_number": id_number(n), "phone": f"1391234{n:04d}"}],
        )
        for n, town in ((1, town_a), (2, town_b))
    )
    # Faker's company names repeat: town B's employer gets a name no other record can have, as it is a leak mark.
    Enterprise.objects.filter(pk=case_b.employer_id).update(name="亦庄镇独有的用人单位")
    case_b.employer.refresh_from_db()
    attachments = []
    for case in (case_a, case_b):
        services.timeline_add(case=case, kind=EventKind.NOTE, text="电话联系企业", by=district_staff)
        upload = SimpleUploadedFile("协议.pdf", PDF, content_type="application/pdf")
        attachments.append(services.attachment_add(case=case, upload=upload, by=district_staff))
    venue_b = VenueFactory(town=town_b, name="亦庄暖心驿站", contact_name="贾小红", contact_phone="13787654321")
    world = SimpleNamespace(
        case_a=case_a,
        case_b=case_b,
        attachment_a=attachments[0],
        attachment_b=attachments[1],
        venue_a=VenueFactory(town=town_a, name="瀛海暖心驿站", contact_name="甄小明", contact_phone="13912345678"),
        venue_b=venue_b,
        planned_venue=VenueFactory(town=town_a, name="规划中驿站", built_on=None),
        closed_venue=VenueFactory(town=town_a, name="已关闭驿站", closed_on=venue_b.built_on, closed_reason="拆迁"),
    )
    assert world.planned_venue.status == "planned" and world.closed_venue.status == "closed"
    vars(world).update(benefits_world(town_a, town_b, district_staff))
    world.export_job = export_job_of(town_a_staff, case_a)
    world.import_job = ImportJob.objects.create(
        owner=town_a_staff, kind="benefits-members", title="会员导入", token="world", state=ImportJob.State.DONE
    )
    return world


def export_job_of(owner, case):
    """A finished export job of `owner` (town A's staff) whose file holds town A's case, masked as every export."""
    from union_portal.exports import jobs, kind_for
    from union_portal.exports.writer import write_export

    now = timezone.now()
    job = ExportJob.objects.create(
        owner=owner,
        kind="disputes-cases",
        title="劳动争议案件",
        state=ExportJob.State.DONE,
        rows_done=1,
        rows_total=1,
        file_path="world.xlsx",
        file_name="劳动争议案件_2026-12-01.xlsx",
        expires_at=now + datetime.timedelta(hours=1),
    )
    jobs.export_dir().mkdir(parents=True, exist_ok=True)
    write_export(kind_for(job.kind), Case.objects.filter(pk=case.pk), jobs.job_file(job))
    return job


def benefits_world(town_a, town_b, district_staff) -> dict:
    """Town A's and town B's benefits records: a member with a card, an approved hardship file with a household
    member, a visit and an entered payment; and the district's programme records (merchant, activities...)."""
    found = {}
    for n, (suffix, town) in enumerate((("a", town_a), ("b", town_b)), start=1):
        name = f"{town.name[:2]}会员"
        member = Member.objects.create(
            town=town, name=name, id_number=id_number(100 + n), phone=f"1371234{n:04d}", union_name="测试工会"
        )
        card = ServiceCard.objects.create(member=member, number=f"HK2018{n:06d}", issued_on=datetime.date(2018, 3, 1))
        file = HardshipFile.objects.create(
            town=town,
            applicant_name=f"{town.name[:2]}困难职工",
            id_number=id_number(200 + n),
            phone=f"1361234{n:04d}",
            main_cause="illness",
            bank_account=f"62220200000000{n:05d}",
            status="approved",
            level="deep",
            last_checked_on=datetime.date.today(),
        )
        relative = HouseholdMember.objects.create(
            file=file, name=f"{town.name[:2]}家属", id_number=id_number(300 + n), relation="child"
        )
        visit = HomeVisit.objects.create(
            file=file, visited_on=datetime.date(2018, 1, 20), visitors="区总工会", recorded_by=district_staff
        )
        payment = AidPayment.objects.create(
            file=file,
            town=town,
            programme="medical",
            amount=Decimal("8000.00"),
            paid_on=datetime.date.today(),
            funding_source="district",
            voucher_number=f"BF2018-9{n:05d}",
            level="deep",
            entered_by=district_staff,
        )
        found |= {
            f"member_{suffix}": member,
            f"card_{suffix}": card,
            f"file_{suffix}": file,
            f"relative_{suffix}": relative,
            f"visit_{suffix}": visit,
            f"payment_{suffix}": payment,
            f"childcare_{suffix}": ChildcareClass.objects.create(town=town, year=2018, classes=2, children=60),
        }
    today = datetime.date.today()
    found |= {
        "merchant": Merchant.objects.create(
            name="幸福影城", category="cinema", offer="会员票价八折", contract_start=today, contract_end=today
        ),
        "activity": MemberActivity.objects.create(title="会员观影日", held_on=today, channel="12351", person_times=300),
        "jobfair": JobFair.objects.create(title="春风招聘会", held_on=today, jobs_offered=1200, intentions_signed=300),
        "purchased": PurchasedService.objects.create(
            title="职工心理服务", provider="阳光社工", year=2018, contract_sum=Decimal("150000.00"), person_times=800
        ),
        "wechat": WechatActivity.objects.create(
            title="夏送清凉抽奖", held_on=today, participants=900, beneficiaries=400
        ),
        "culture": CultureEvent.objects.create(
            year=2018, category="match", item="职工篮球赛", spend=Decimal("200000.00"), events=12, participants=240
        ),
    }
    return found


def other_town_marks(w) -> list[str]:
    """What of town B a page for town A's staff must never show."""
    worker = w.case_b.workers.get()
    return [
        w.case_b.number,
        worker.name,
        worker.id_number,
        w.case_b.employer.name,
        w.venue_b.name,
        w.member_b.name,
        w.member_b.id_number,
        w.file_b.applicant_name,
        w.relative_b.name,
        w.payment_b.voucher_number,
    ]


def personal_marks(w) -> list[str]:
    """Full ID and phone numbers of the workers: only for those who work the case."""
    workers = [value for case in (w.case_a, w.case_b) for value in case.workers.values_list("id_number", "phone")[0]]
    members = [value for member in (w.member_a, w.member_b) for value in (member.id_number, member.phone)]
    files = [value for file in (w.file_a, w.file_b) for value in (file.id_number, file.phone, file.bank_account)]
    return workers + members + files


def records(w) -> tuple:
    """What a probe must leave as it was: the records' numbers, the status and versions of town A's case and venue."""
    case = Case.objects.values_list("status", "version").get(pk=w.case_a.pk)
    venue = Venue.objects.values_list("version", flat=True).get(pk=w.venue_a.pk)
    counts = (
        model._base_manager.count()
        for model in (Case, CaseEvent, CaseAttachment, Venue, Enterprise, Member, ServiceCard, HardshipFile, AidPayment)
    )
    return (*case, venue, *counts)


def shown_text(response) -> str | None:
    """The text a 200 answer shows: an HTML page, or every cell of an Excel sheet (None: anything else)."""
    if response.status_code != 200:
        return None
    if response["Content-Type"].startswith("text/html"):
        return response.content.decode()
    if response["Content-Type"] == XLSX:
        book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    if response["Content-Type"] == DOCX:
        document = docx.Document(io.BytesIO(response.getvalue()))
        cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
        return "\n".join([*(paragraph.text for paragraph in document.paragraphs), *cells])
    return None


# The tests ------------------------------------------------------------------------------------------------


def test_every_portal_url_is_in_the_table():
    walked = portal_patterns()
    missing = {key: route for key, route in walked.items() if key not in URLS}
    stale = sorted(set(URLS) - set(walked))
    assert not missing and not stale, (
        f"URL patterns without a row in URLS (add one, deciding what each role gets): {missing}; "
        f"rows in URLS for patterns that no longer exist: {stale}"
    )


def test_the_marks_would_show_if_they_leaked(world, client, district_staff):
    """The checks of what a page must not show look for marks that the pages do show to those who may see them."""
    client.force_login(district_staff)
    listing = client.get(reverse("disputes:case_list")).content.decode()
    assert all(mark in listing for mark in other_town_marks(world)[:2])
    case_page = client.get(world.case_b.get_absolute_url()).content.decode()
    assert all(mark in case_page for mark in other_town_marks(world)[:4])
    assert all(mark in case_page for mark in personal_marks(world)[2:4])
    assert world.case_b.number in shown_text(client.get(reverse("disputes:case_export")))
    assert world.venue_b.name in client.get(reverse("stations:venue_list")).content.decode()
    assert world.venue_b.contact_name in client.get(world.venue_b.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("probe", "role", "expected"), list(cases()))
def test_url_answers_each_role(probe, role, expected, world, client, request):
    persona = PERSONA.get(role, role)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = probe.url(world)
    before = records(world)
    response = getattr(client, probe.method)(url, probe.data)
    assert records(world) == before, f"{probe.method.upper()} {url} as {role} changed records"
    assert response.status_code == (302 if isinstance(expected, Go) else expected), (
        f"{probe.method.upper()} {url} as {role}: {response.status_code}"
        + (f" to {response['Location']}" if response.has_header("Location") else "")
    )
    if isinstance(expected, Go):
        if expected is LOGIN:
            wanted = f"{reverse('login')}?next={quote(url)}"
        elif expected is CASE:
            wanted = world.case_a.get_absolute_url()
        else:
            wanted = expected.to if expected.to.startswith("/") else reverse(expected.to)
        assert response["Location"] == wanted
    text = shown_text(response)
    if text is None:
        return
    if role in ("town_a_staff", "town_a_staff_on_a") and not probe.public:
        shown = [mark for mark in other_town_marks(world) if mark in text]
        assert not shown, f"{url} shows town A's staff what belongs to town B: {shown}"
    if role == "leadership" or probe.public or response["Content-Type"] == XLSX:
        shown = [mark for mark in personal_marks(world) if mark in text]
        assert not shown, f"{url} shows {role} full ID or phone numbers: {shown}"
    if probe.public:
        shown = [mark for mark in (world.venue_b.contact_name, world.venue_b.contact_phone) if mark in text]
        assert not shown, f"the public page {url} shows a contact person: {shown}"
