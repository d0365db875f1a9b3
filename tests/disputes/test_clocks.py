"""The legal clocks at their boundaries, counted in Beijing dates."""

import datetime

import pytest

from disputes import services
from disputes.models import Case, ClockState, HandlingBody, Status

pytestmark = pytest.mark.django_db
D = datetime.date


def test_mediation_deadline_is_fifteen_days_after_receipt(town_a, open_case, clock):
    clock("2018-03-01 10:00")
    case = open_case(town_a, received_on=D(2018, 3, 1))
    assert case.mediation_deadline == D(2018, 3, 16)
    assert case.due_on == D(2018, 3, 16)


def test_day_fifteen_is_the_last_day_and_not_overdue(town_a, open_case, clock):
    clock("2018-03-01 10:00")
    case = open_case(town_a, received_on=D(2018, 3, 1))
    clock("2018-03-16 23:59")
    assert case.days_left == 0
    assert case.clock_state == ClockState.DUE_SOON
    assert not Case.objects.clock(ClockState.OVERDUE).exists()
    assert Case.objects.clock(ClockState.DUE_SOON).get() == case


def test_day_sixteen_is_overdue(town_a, open_case, clock):
    clock("2018-03-01 10:00")
    case = open_case(town_a, received_on=D(2018, 3, 1))
    clock("2018-03-17 00:01")
    assert case.days_left == -1
    assert case.days_overdue == 1
    assert case.clock_state == ClockState.OVERDUE
    assert Case.objects.clock(ClockState.OVERDUE).get() == case


def test_case_received_at_half_past_eleven_at_night_counts_on_that_beijing_date(town_a, open_case, clock):
    # 23:30 in Beijing on 31 December is 15:30 UTC the same day; 00:30 on 1 January is still 31 December in UTC.
    clock("2018-12-31 23:30")
    late = open_case(town_a)
    clock("2019-01-01 00:30")
    early = open_case(town_a)
    assert late.received_on == D(2018, 12, 31)
    assert "〔2018〕" in late.number
    assert early.received_on == D(2019, 1, 1)
    assert "〔2019〕" in early.number
    assert early.due_on == D(2019, 1, 16)


def test_days_left_follow_the_beijing_date_not_utc(town_a, open_case, clock):
    clock("2018-03-01 10:00")
    case = open_case(town_a, received_on=D(2018, 3, 1))
    # 00:30 on 17 March in Beijing is still 16 March in UTC: the case is overdue all the same.
    clock("2018-03-17 00:30")
    assert case.days_left == -1
    assert Case.objects.clock(ClockState.OVERDUE).count() == 1


def test_mediation_clock_stops_when_mediation_ends(town_a, open_case, district_staff, clock):
    clock("2018-03-01 10:00")
    case = open_case(town_a, received_on=D(2018, 3, 1))
    for status in (Status.ACCEPTED, Status.MEDIATING):
        case = services.case_transition(case=case, to_status=status, by=district_staff)
    case = services.case_transition(case=case, to_status=Status.AGREEMENT, amount_recovered=0, by=district_staff)
    assert case.due_on is None
    assert case.clock_state == ClockState.NONE


def legal_aid_in_arbitration(town_a, open_case, district_staff, accepted_on):
    case = open_case(town_a, handling_body=HandlingBody.LEGAL_AID, received_on=D(2018, 3, 1), learned_on=D(2018, 2, 1))
    case = services.case_transition(case=case, to_status=Status.APPROVED, by=district_staff)
    return services.case_transition(
        case=case, to_status=Status.REPRESENTING, arbitration_accepted_on=accepted_on, by=district_staff
    )


def test_arbitration_award_is_due_forty_five_days_after_acceptance(town_a, open_case, district_staff, clock):
    clock("2018-03-05 10:00")
    case = legal_aid_in_arbitration(town_a, open_case, district_staff, D(2018, 3, 5))
    assert case.arbitration_deadline == D(2018, 4, 19)
    assert case.due_on == D(2018, 4, 19)
    clock("2018-04-19 18:00")
    assert case.days_left == 0
    clock("2018-04-20 09:00")
    assert case.clock_state == ClockState.OVERDUE


def test_an_extension_adds_fifteen_days_once_and_is_recorded(town_a, open_case, district_staff, clock):
    clock("2018-03-05 10:00")
    case = legal_aid_in_arbitration(town_a, open_case, district_staff, D(2018, 3, 5))
    case = services.case_extend_arbitration(case=case, reason="案情复杂，经仲裁委主任批准延期", by=district_staff)
    assert case.due_on == D(2018, 5, 4)
    assert case.events.filter(kind="extension", text__contains="延期").exists()
    assert case.history.filter(arbitration_extended=True).exists()
    with pytest.raises(services.CaseRuleError):
        services.case_extend_arbitration(case=case, reason="again", by=district_staff)


def test_extension_needs_arbitration_and_a_reason(town_a, open_case, district_staff):
    case = open_case(town_a)
    with pytest.raises(services.CaseRuleError):
        services.case_extend_arbitration(case=case, reason="x", by=district_staff)
    case = legal_aid_in_arbitration(town_a, open_case, district_staff, D(2018, 3, 5))
    with pytest.raises(services.CaseRuleError):
        services.case_extend_arbitration(case=case, reason="  ", by=district_staff)


def test_limitation_date_is_one_year_after_the_worker_learned(town_a, open_case):
    case = open_case(town_a, received_on=D(2018, 3, 1), learned_on=D(2017, 6, 30))
    assert case.limitation_on == D(2018, 6, 30)
    leap = open_case(town_a, received_on=D(2016, 3, 1), learned_on=D(2016, 2, 29))
    assert leap.limitation_on == D(2017, 2, 28)


def test_limitation_date_drives_the_clock_of_a_legal_aid_application(town_a, open_case, clock):
    clock("2018-03-01 10:00")
    case = open_case(town_a, handling_body=HandlingBody.LEGAL_AID, received_on=D(2018, 3, 1), learned_on=D(2017, 3, 10))
    assert case.due_on == D(2018, 3, 10)
    assert case.clock_state == ClockState.RUNNING
    clock("2018-03-11 08:00")
    assert case.clock_state == ClockState.OVERDUE


def test_idle_cases_are_open_cases_with_nothing_recorded_for_thirty_days(town_a, open_case, district_staff, clock):
    clock("2018-03-01 10:00")
    quiet = open_case(town_a, handling_body=HandlingBody.LEGAL_AID)
    busy = open_case(town_a, handling_body=HandlingBody.LEGAL_AID)
    clock("2018-03-20 10:00")
    services.timeline_add(case=busy, kind="call", text="电话联系企业", by=district_staff)
    clock("2018-04-01 10:00")
    assert list(Case.objects.idle()) == [quiet]
