"""Factories for every test: Faker zh_CN, valid identifiers, dates through LazyFunction."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from stations.models import Venue, VenueKind
from union_portal.access import Role
from union_portal.models import District, Enterprise, StaffProfile, Town
from union_portal.validators import make_credit_code

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "大兴区"
    short_name = "大兴"


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n}镇")
    order = factory.Sequence(lambda n: n)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Faker("company")
    credit_code = factory.Sequence(lambda n: make_credit_code(900000 + n))
    town = factory.SubFactory(TownFactory)
    headcount = 120


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("test-password-123")


def make_staff(role: Role, town: Town | None = None, username: str | None = None):
    user = UserFactory(username=username or f"{role}-{town.pk if town else 'district'}")
    StaffProfile.objects.create(user=user, role=role, town=town if role == Role.TOWN_STAFF else None)
    return user


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    kind = VenueKind.WARM_STATION
    name = factory.Sequence(lambda n: f"测试暖心驿站{n}")
    town = factory.SubFactory(TownFactory)
    host_name = factory.Faker("company")
    address = factory.Faker("street_address")
    contact_name = factory.Faker("name")
    contact_phone = "13812345678"
    built_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
