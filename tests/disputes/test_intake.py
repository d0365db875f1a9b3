"""Intake through the service: validation of workers and employer, case numbers, collective cases."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from disputes import services
from disputes.models import Case, CaseWorker, HandlingBody, case_number_prefix
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory
from union_portal.models import Enterprise, Sequence
from union_portal.validators import make_credit_code

pytestmark = pytest.mark.django_db
D = datetime.date


def test_case_number_reads_district_body_year_and_sequence(town_a, open_case):
    first = open_case(town_a, received_on=D(2018, 3, 1))
    second = open_case(town_a, received_on=D(2018, 3, 2))
    aid = open_case(town_a, received_on=D(2018, 3, 2), handling_body=HandlingBody.LEGAL_AID)
    town = open_case(town_a, received_on=D(2018, 3, 2), handling_body=HandlingBody.TOWN_UNION)
    next_year = open_case(town_a, received_on=D(2019, 1, 2))
    assert [first.number, second.number] == ["大兴调〔2018〕0001", "大兴调〔2018〕0002"]
    assert aid.number == "大兴援〔2018〕0001"
    assert town.number == f"{town_a.name}调〔2018〕0001"
    assert next_year.number == "大兴调〔2019〕0001"


def test_each_town_union_numbers_its_own_cases(town_a, town_b, open_case):
    first_a = open_case(town_a, received_on=D(2018, 3, 1), handling_body=HandlingBody.TOWN_UNION)
    first_b = open_case(town_b, received_on=D(2018, 3, 1), handling_body=HandlingBody.TOWN_UNION)
    second_a = open_case(town_a, received_on=D(2018, 3, 2), handling_body=HandlingBody.TOWN_UNION)
    centre = open_case(town_b, received_on=D(2018, 3, 2), handling_body=HandlingBody.CENTRE)
    assert [first_a.number, second_a.number] == [f"{town_a.name}调〔2018〕0001", f"{town_a.name}调〔2018〕0002"]
    assert first_b.number == f"{town_b.name}调〔2018〕0001"
    assert centre.number == "大兴调〔2018〕0001"


def test_a_number_is_never_reused_after_a_case_is_deleted(town_a, open_case):
    first = open_case(town_a, received_on=D(2018, 3, 1))
    first.delete()
    again = open_case(town_a, received_on=D(2018, 3, 1))
    assert again.number == "大兴调〔2018〕0002"


def test_the_counter_continues_from_a_reserved_block(town_a, open_case):
    services.case_numbers_reserve(prefix="大兴调", year=2018, count=561)
    assert open_case(town_a, received_on=D(2018, 5, 1)).number == "大兴调〔2018〕0562"


def test_a_worker_with_a_wrong_id_check_character_is_refused(town_a, open_case):
    good = id_number(7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        open_case(town_a, workers=[{"name": "张三", "id_number": wrong}])
    assert [error.code for error in refused.value.error_list] == ["id_check"]
    assert not Case.objects.exists()
    assert not Sequence.objects.filter(last__gt=0).exists()


@pytest.mark.parametrize(
    "number",
    ["11011519850101123", "110115198502301234", "11011519850101123A", ""],
    ids=["17 characters", "30 February", "letter inside", "empty"],
)
def test_malformed_id_numbers_are_refused(number, town_a, open_case):
    with pytest.raises(ValidationError):
        open_case(town_a, workers=[{"name": "张三", "id_number": number}])


def test_a_lower_case_x_check_character_is_accepted_as_capital(town_a, open_case):
    number = next(id_number(n) for n in range(1, 500) if id_number(n).endswith("X"))
    case = open_case(town_a, workers=[{"name": "李四", "id_number": number.lower()}])
    assert case.workers.get().id_number == number


def test_the_same_worker_twice_in_one_case_is_refused(town_a, open_case):
    number = id_number(3)
    with pytest.raises(ValidationError):
        open_case(town_a, workers=[{"name": "甲", "id_number": number}, {"name": "乙", "id_number": number}])


def test_a_wrong_phone_number_is_refused(town_a, open_case):
    with pytest.raises(ValidationError):
        open_case(town_a, workers=[{"name": "甲", "id_number": id_number(4), "phone": "2380013800"}])


def test_a_new_employer_needs_a_valid_credit_code(town_a, open_case):
    code = make_credit_code(123456)
    bad = Enterprise(name="新公司", credit_code=code[:17] + ("0" if code[17] != "0" else "1"), town=town_a)
    with pytest.raises(ValidationError):
        open_case(town_a, employer=bad)
    assert not Enterprise.objects.filter(name="新公司").exists()
    case = open_case(town_a, employer=Enterprise(name="新公司", credit_code=code, town=town_a))
    assert case.employer.credit_code == code


def test_headcount_counts_at_least_the_workers_listed(town_a, open_case):
    workers = [{"name": f"工人{i}", "id_number": id_number(40 + i)} for i in range(3)]
    with pytest.raises(ValidationError) as refused:
        open_case(town_a, workers=workers, headcount=1)
    assert "headcount" in refused.value.error_dict
    assert not Case.objects.exists()
    case = open_case(town_a, workers=workers)
    assert case.headcount == 3
    assert CaseWorker.objects.filter(case=case).count() == 3
    assert open_case(town_a, workers=[{"name": "代表", "id_number": id_number(50)}], headcount=30).headcount == 30


def test_a_collective_case_needs_a_representative_a_cause_and_ten_workers(town_a, open_case):
    workers = [{"name": "代表", "id_number": id_number(60), "is_representative": True}]
    with pytest.raises(ValidationError):
        open_case(town_a, is_collective=True, headcount=3126, collective_cause="疏解外迁",
                  workers=[{"name": "甲", "id_number": id_number(61)}])  # fmt: skip
    with pytest.raises(ValidationError):
        open_case(town_a, is_collective=True, headcount=5, collective_cause="疏解外迁", workers=workers)
    with pytest.raises(ValidationError):
        open_case(town_a, is_collective=True, headcount=3126, workers=workers)
    case = open_case(
        town_a, is_collective=True, headcount=3126, collective_cause="疏解外迁", government_bodies="区人力社保局",
        workers=workers,
    )  # fmt: skip
    assert (case.is_collective, case.headcount, case.collective_cause) == (True, 3126, "疏解外迁")


def test_town_staff_cannot_open_a_case_in_another_town(town_b, open_case, town_a_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        open_case(town_b, by=town_a_staff)


def test_the_worker_cannot_learn_of_the_infringement_after_the_case_is_received(town_a, open_case):
    with pytest.raises(ValidationError):
        open_case(town_a, received_on=D(2018, 3, 1), learned_on=D(2018, 3, 2))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("body", [HandlingBody.CENTRE, HandlingBody.TOWN_UNION])
def test_concurrent_intakes_get_different_numbers(body, town_a, district_staff):
    employer = EnterpriseFactory(town=town_a)
    numbers, errors = [], []
    start = threading.Barrier(8)

    def intake(n):
        try:
            start.wait()
            case = services.case_open(
                town=town_a,
                handling_body=body,
                employer=employer,
                received_on=D(2018, 6, 1),
                workers=[{"name": f"工人{n}", "id_number": id_number(900 + n)}],
                by=district_staff,
            )
            numbers.append(case.number)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    prefix = case_number_prefix(town_a, body)
    assert sorted(numbers) == [f"{prefix}〔2018〕{n:04d}" for n in range(1, 9)]
    assert Sequence.objects.get(key=f"case:{prefix}:2018").last == 8
    assert Case.objects.filter(number__startswith=prefix).count() == 8
