"""The figures' shape: the keys of DOMAIN.md §4, zeros on an empty database, the model-enterprise share."""

from decimal import Decimal

import pytest

from disputes.figures import figures, model_share
from tests.disputes.test_figures import REPORT_2018


@pytest.mark.django_db
def test_figures_keys_are_exactly_those_of_the_domain_brief():
    assert [f.key for f in figures(2018)] == list(REPORT_2018)


@pytest.mark.django_db
def test_an_empty_year_gives_zeros_of_the_right_type():
    values = {f.key: f.value for f in figures(2018)}
    assert values["mediated_amount"] == Decimal("0.00")
    assert isinstance(values["cases_received"], int)
    assert all(value == 0 for value in values.values())


def test_model_share_rounds_to_two_places():
    assert model_share(71, 88) == Decimal("80.68")
    assert model_share(0, 0) == Decimal("0.00")
