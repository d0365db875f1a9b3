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


@pytest.mark.django_db
def test_dossier_figures_count_the_town_unions_archived_cases_only(town_a, open_case, district_staff):
    """The centre archives its cases with a dossier kind too; only town dossiers are reported upward."""
    import datetime

    from disputes import services
    from disputes.models import DossierKind, HandlingBody, Status

    def archived(body, kind, recovered):
        case = open_case(town_a, handling_body=body, received_on=datetime.date(2018, 3, 1))
        for status in (Status.ACCEPTED, Status.MEDIATING):
            case = services.case_transition(case=case, to_status=status, by=district_staff)
        case = services.case_transition(
            case=case, to_status=Status.AGREEMENT, amount_recovered=Decimal(recovered), by=district_staff
        )
        return services.case_transition(case=case, to_status=Status.ARCHIVED, dossier_kind=kind, by=district_staff)

    town_case = archived(HandlingBody.TOWN_UNION, DossierKind.FORMAL, "3000")
    archived(HandlingBody.CENTRE, DossierKind.FORMAL, "9000")
    year = town_case.archived_on.year
    values = {f.key: f.value for f in figures(year)}
    assert (values["formal_dossiers"], values["formal_dossier_recovered"]) == (1, Decimal("3000.00"))
