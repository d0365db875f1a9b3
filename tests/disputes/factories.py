"""Factories for the disputes tests: cases, workers, valid ID numbers (Faker zh_CN)."""

import datetime

import factory
from django.utils import timezone

from disputes.models import Case, CaseWorker, HandlingBody, initial_status
from tests.factories import EnterpriseFactory, TownFactory
from union_portal.validators import make_id_number


def id_number(n: int) -> str:
    """A valid ID number, different for each n (birth date and order code vary)."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=(n * 37) % 10000)
    return make_id_number(n, birth)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"测试调〔2018〕{n:04d}")
    town = factory.SubFactory(TownFactory)
    employer = factory.SubFactory(EnterpriseFactory, town=factory.SelfAttribute("..town"))
    handling_body = HandlingBody.CENTRE
    status = factory.LazyAttribute(lambda case: initial_status(case.handling_body))
    received_on = factory.LazyFunction(timezone.localdate)
    amount_claimed = 10000

    @factory.post_generation
    def workers(case, create, extracted, **kwargs):
        if not create:
            return
        for row in extracted if extracted is not None else [{}]:
            CaseWorkerFactory(case=case, **row)


class CaseWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseWorker

    case = factory.SubFactory(CaseFactory, workers=[])
    name = factory.Faker("name")
    id_number = factory.Sequence(lambda n: id_number(n + 1))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
