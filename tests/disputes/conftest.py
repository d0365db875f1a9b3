"""Fixtures of the disputes tests: the kinds of claim, a clock to set, cases opened through the service."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from disputes import services
from disputes.models import ClaimKind, HandlingBody
from tests.factories import EnterpriseFactory

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock(monkeypatch):
    """clock("2018-03-16 23:30") sets the current time, given in Beijing time."""

    def set_now(text: str):
        moment = datetime.datetime.fromisoformat(text).replace(tzinfo=BEIJING)
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(datetime.UTC))
        return moment

    return set_now


@pytest.fixture
def open_case(district_staff):
    """open_case(town, ...) opens a case through the intake service, as district staff unless `by` is given."""
    counter = iter(range(1, 10_000))

    def make(town, *, by=None, workers=None, employer=None, **kwargs):
        from tests.disputes.factories import id_number

        n = next(counter)
        kwargs.setdefault("handling_body", HandlingBody.CENTRE)
        kwargs.setdefault("claim_kinds", ClaimKind.objects.filter(code="wage_arrears"))
        return services.case_open(
            town=town,
            employer=employer or EnterpriseFactory(town=town),
            workers=workers or [{"name": f"工人{n}", "id_number": id_number(500 + n), "phone": "13800138000"}],
            by=by or district_staff,
            **kwargs,
        )

    return make
