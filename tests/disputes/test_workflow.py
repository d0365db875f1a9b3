"""The status machines: every allowed move works and records who, when and why; every other move is refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from disputes import services
from disputes.models import (
    LEGAL_AID_MOVES,
    MEDIATION_MOVES,
    Case,
    DossierKind,
    EventKind,
    HandlingBody,
    Outcome,
    Status,
)

pytestmark = pytest.mark.django_db

# The shortest path from the initial status to each status, and what each move needs.
MOVE_ARGS = {
    Status.AGREEMENT: {"amount_recovered": Decimal("12000.00")},
    Status.CLOSED: {"outcome": Outcome.AWARD, "amount_recovered": Decimal("5000.00")},
    Status.ARCHIVED: {"dossier_kind": DossierKind.SIMPLE},
    Status.REFUSED: {"note": "不符合援助条件"},
    Status.FAILED: {"note": "企业拒绝调解"},
    Status.REPRESENTING: {"arbitration_accepted_on": datetime.date(2018, 3, 5)},
}
MEDIATION_PATHS = {
    Status.RECEIVED: [],
    Status.ACCEPTED: [Status.ACCEPTED],
    Status.MEDIATING: [Status.ACCEPTED, Status.MEDIATING],
    Status.AGREEMENT: [Status.ACCEPTED, Status.MEDIATING, Status.AGREEMENT],
    Status.FAILED: [Status.ACCEPTED, Status.MEDIATING, Status.FAILED],
    Status.REFERRED: [Status.ACCEPTED, Status.MEDIATING, Status.FAILED, Status.REFERRED],
}
LEGAL_AID_PATHS = {
    Status.APPLIED: [],
    Status.APPROVED: [Status.APPROVED],
    Status.REFUSED: [Status.REFUSED],
    Status.REPRESENTING: [Status.APPROVED, Status.REPRESENTING],
    Status.CLOSED: [Status.APPROVED, Status.REPRESENTING, Status.CLOSED],
}


def walk(case, path, user):
    for status in path:
        case = services.case_transition(case=case, to_status=status, by=user, **MOVE_ARGS.get(status, {}))
    return case


def case_at(status, body, town, open_case, user):
    paths = LEGAL_AID_PATHS if body == HandlingBody.LEGAL_AID else MEDIATION_PATHS
    case = open_case(town, handling_body=body, received_on=datetime.date(2018, 3, 1))
    return walk(case, paths[status], user)


ALLOWED = [(HandlingBody.CENTRE, a, b) for a, targets in MEDIATION_MOVES.items() for b in targets] + [
    (HandlingBody.LEGAL_AID, a, b) for a, targets in LEGAL_AID_MOVES.items() for b in targets
]
ALL_STATUSES = list(Status)
REFUSED = [
    (body, a, b)
    for body, moves, paths in (
        (HandlingBody.CENTRE, MEDIATION_MOVES, MEDIATION_PATHS),
        (HandlingBody.LEGAL_AID, LEGAL_AID_MOVES, LEGAL_AID_PATHS),
    )
    for a in paths
    for b in ALL_STATUSES
    if b not in moves.get(a, ())
]


@pytest.mark.parametrize(("body", "from_status", "to_status"), ALLOWED)
def test_allowed_move_is_made_and_written_on_the_timeline(
    body, from_status, to_status, town_a, open_case, district_staff
):
    case = case_at(from_status, body, town_a, open_case, district_staff)
    assert case.status == from_status
    args = {"note": "依申请办理", **MOVE_ARGS.get(to_status, {})}
    moved = services.case_transition(case=case, to_status=to_status, by=district_staff, **args)
    assert Case.objects.get(pk=case.pk).status == to_status
    event = moved.events.filter(kind=EventKind.STATUS_CHANGE).first()
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert event.recorded_by == district_staff
    assert event.text == args["note"]
    assert event.happened_on == moved.events.first().happened_on


@pytest.mark.parametrize(("body", "from_status", "to_status"), REFUSED)
def test_move_outside_the_machine_is_refused(body, from_status, to_status, town_a, open_case, district_staff):
    case = case_at(from_status, body, town_a, open_case, district_staff)
    events = case.events.count()
    with pytest.raises(services.CaseRuleError) as refused:
        services.case_transition(case=case, to_status=to_status, by=district_staff, **MOVE_ARGS.get(to_status, {}))
    assert refused.value.code == "move_not_allowed"
    assert Case.objects.get(pk=case.pk).status == from_status
    assert case.events.count() == events


def test_town_union_cases_follow_the_mediation_machine(town_a, open_case, town_a_staff):
    case = open_case(town_a, handling_body=HandlingBody.TOWN_UNION, by=town_a_staff)
    assert case.status == Status.RECEIVED
    assert case.allowed_moves() == (Status.ACCEPTED,)
    assert case.number.startswith(f"{town_a.name}调〔")


def test_agreement_needs_the_amount_recovered(town_a, open_case, district_staff):
    case = case_at(Status.MEDIATING, HandlingBody.CENTRE, town_a, open_case, district_staff)
    with pytest.raises(services.CaseRuleError) as refused:
        services.case_transition(case=case, to_status=Status.AGREEMENT, by=district_staff)
    assert refused.value.code == "amount_recovered"
    moved = services.case_transition(case=case, to_status=Status.AGREEMENT, amount_recovered=0, by=district_staff)
    assert (moved.outcome, moved.amount_recovered) == (Outcome.AGREEMENT, 0)
    assert moved.closed_on is not None


def test_closing_a_legal_aid_case_needs_outcome_and_amount(town_a, open_case, district_staff):
    case = case_at(Status.REPRESENTING, HandlingBody.LEGAL_AID, town_a, open_case, district_staff)
    with pytest.raises(services.CaseRuleError) as no_outcome:
        services.case_transition(case=case, to_status=Status.CLOSED, amount_recovered=100, by=district_staff)
    assert no_outcome.value.code == "outcome"
    with pytest.raises(services.CaseRuleError) as no_amount:
        services.case_transition(case=case, to_status=Status.CLOSED, outcome=Outcome.AWARD, by=district_staff)
    assert no_amount.value.code == "amount_recovered"
    closed = services.case_transition(
        case=case,
        to_status=Status.CLOSED,
        outcome=Outcome.JUDGMENT,
        amount_recovered=Decimal("8800"),
        by=district_staff,
    )
    assert (closed.outcome, closed.amount_recovered) == (Outcome.JUDGMENT, Decimal("8800.00"))


def test_refusing_legal_aid_needs_a_reason(town_a, open_case, district_staff):
    case = case_at(Status.APPLIED, HandlingBody.LEGAL_AID, town_a, open_case, district_staff)
    with pytest.raises(services.CaseRuleError) as refused:
        services.case_transition(case=case, to_status=Status.REFUSED, note=" ", by=district_staff)
    assert refused.value.code == "refusal_reason"
    moved = services.case_transition(case=case, to_status=Status.REFUSED, note="收入不符合条件", by=district_staff)
    assert moved.refusal_reason == "收入不符合条件"


def test_a_failed_mediation_needs_a_reason(town_a, open_case, district_staff):
    case = case_at(Status.MEDIATING, HandlingBody.CENTRE, town_a, open_case, district_staff)
    with pytest.raises(services.CaseRuleError) as refused:
        services.case_transition(case=case, to_status=Status.FAILED, note="  ", by=district_staff)
    assert refused.value.code == "failure_reason"
    assert Case.objects.get(pk=case.pk).status == Status.MEDIATING
    moved = services.case_transition(case=case, to_status=Status.FAILED, note="企业拒不到场", by=district_staff)
    assert moved.events.filter(to_status=Status.FAILED, text="企业拒不到场").exists()


def test_archiving_needs_the_dossier_kind(town_a, open_case, district_staff):
    case = case_at(Status.AGREEMENT, HandlingBody.CENTRE, town_a, open_case, district_staff)
    with pytest.raises(services.CaseRuleError) as refused:
        services.case_transition(case=case, to_status=Status.ARCHIVED, by=district_staff)
    assert refused.value.code == "dossier"
    moved = services.case_transition(
        case=case, to_status=Status.ARCHIVED, dossier_kind=DossierKind.FORMAL, by=district_staff
    )
    assert moved.status == Status.ARCHIVED
    assert moved.dossier_kind == DossierKind.FORMAL
    assert moved.archived_on >= moved.closed_on


def test_a_move_cannot_be_dated_in_the_future_or_before_receipt(town_a, open_case, district_staff):
    case = open_case(town_a, received_on=datetime.date(2018, 3, 1))
    for day in (datetime.date(2018, 2, 28), datetime.date.today() + datetime.timedelta(days=2)):
        with pytest.raises(services.CaseRuleError):
            services.case_transition(case=case, to_status=Status.ACCEPTED, on=day, by=district_staff)


def test_every_move_is_in_the_history(town_a, open_case, district_staff):
    case = case_at(Status.MEDIATING, HandlingBody.CENTRE, town_a, open_case, district_staff)
    statuses = list(case.history.order_by("history_date", "history_id").values_list("status", flat=True))
    changes = [status for i, status in enumerate(statuses) if i == 0 or status != statuses[i - 1]]
    assert changes == [Status.RECEIVED, Status.ACCEPTED, Status.MEDIATING]


def test_town_staff_cannot_move_another_towns_case(town_b, open_case, town_a_staff):
    case = open_case(town_b)
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, to_status=Status.ACCEPTED, by=town_a_staff)


def test_leadership_cannot_change_cases(town_a, open_case, leadership):
    case = open_case(town_a)
    with pytest.raises(PermissionDenied):
        services.timeline_add(case=case, kind=EventKind.NOTE, text="x", by=leadership)
