"""The settled definitions (issue 8): every dispute figure's list counts or sums to the figure, for the district
and each town; the towns add up; unions once in their enterprise's town; the instructors' roster; approved legal
aid only; collective incidents resolved in the year. Each figure states its definition."""

import datetime

from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext

from disputes.figures import UNIONS, figures, model_share
from disputes.models import BargainingInstructor
from tests.disputes.test_figures import demo_db, loaded  # noqa: F401 (the demo, loaded once for this module)
from union_portal.models import Town

D = datetime.date
# Figures that sum a field of the records their list shows; every other figure but the share counts them.
SUMMED = {
    "mediated_amount": "amount_claimed",
    "collective_workers": "headcount",
    "legal_aid_amount": "amount_claimed",
    "formal_dossier_workers": "headcount",
    "formal_dossier_recovered": "amount_recovered",
    "simple_dossier_workers": "headcount",
    "simple_dossier_recovered": "amount_recovered",
}
SHARE = "model_enterprise_share"
INSTRUCTORS = {"city_instructors", "district_instructors"}


def by_key(year, town=None):
    return {figure.key: figure for figure in figures(year, town)}


def listed(client, figure):
    """What the figure's list shows: its row count, or the sum of the figure's field over its rows."""
    response = client.get(figure.url)
    assert response.status_code == 200, figure.key
    if figure.key in SUMMED:
        total = response.context["filter"].qs.aggregate(total=Sum(SUMMED[figure.key]))["total"]
        return total or 0
    return response.context["paginator"].count


def test_every_figures_list_equals_it_for_the_district_and_each_town(loaded, client_for, district_staff):  # noqa: F811
    client = client_for(district_staff)
    for town in [None, *Town.objects.filter(district=loaded)]:
        shown = by_key(2018, town)
        for key, figure in shown.items():
            if key == SHARE:
                model, large = listed(client, shown["model_enterprises"]), listed(client, shown["large_enterprises"])
                assert figure.value == model_share(model, large), town
            else:
                assert listed(client, figure) == figure.value, (key, town)


def test_the_towns_add_up_to_the_district_and_district_wide_instructors_to_no_town(loaded):  # noqa: F811
    district = by_key(2018)
    towns = [by_key(2018, town) for town in Town.objects.filter(district=loaded)]
    for key, figure in district.items():
        if key == SHARE:
            continue
        in_towns = sum(row[key].value for row in towns)
        if key in INSTRUCTORS:
            townless = BargainingInstructor.objects.filter(town=None, level=key.split("_")[0])
            in_towns += townless.in_post_on(D(2018, 12, 31)).count()
        assert in_towns == figure.value, key


def test_every_figure_states_its_definition_in_the_catalogue_language(loaded):  # noqa: F811
    with translation.override("zh-hans"):
        shown = {figure.key: figure.definition for figure in figures(2018)}
        instructors = gettext(
            "%(level)s bargaining instructors in post on the last day of the year (for a year counted up to a day, "
            "such as the year in progress or the same period of the year before: that day). Instructors serving the "
            "whole district count for the district and in no town's row."
        ) % {"level": gettext("city level")}
        unions = str(UNIONS)
    assert all(shown.values()), [key for key, text in shown.items() if not text]
    assert shown["city_instructors"] == instructors
    assert shown["unions_inspected"] == unions
