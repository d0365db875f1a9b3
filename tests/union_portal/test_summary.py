"""The annual summary page on the demo district: the 2018 report's figures on the rendered page, the town table
adding up to the district, the narrative, and who sees which town."""

import re

from django.urls import reverse
from django.utils import timezone

from tests.factories import TownFactory, UserFactory
from union_portal.access import Role
from union_portal.models import StaffProfile, Town


def staff(role, town=None):
    user = UserFactory()
    StaffProfile.objects.create(user=user, role=role, town=town)
    return user


def page(client, user, year=2018, **params):
    client.force_login(user)
    return client.get(reverse("summary_year", args=[year]), params)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def row_html(response, key: str) -> str:
    return re.search(rf'<tr data-figure="{key}">(.*?)</tr>', response.content.decode(), re.S).group(1)


def test_the_2018_page_shows_the_report_figures(client, demo):
    response = page(client, staff(Role.LEADERSHIP))
    assert response.status_code == 200
    for key, shown in {
        "warm_stations_built": "109",
        "cases_received": "2772",  # zh-Hans numbers carry no grouping, as the report writes them
        "cases_mediated": "562",
        "mediated_amount": "1730.55万元",
        "legal_aid_amount": "1711.07万元",
        "medical_aid_payments": "131",
        "medical_aid_amount": "133.96万元",
        "model_enterprise_share": "80.68%",
    }.items():
        row = row_html(response, key)
        assert re.search(rf'<a href="[^"]+">\s*{re.escape(shown)}\s*</a>', row), (key, row)


def test_every_figure_links_to_its_list(client, demo):
    response = page(client, staff(Role.LEADERSHIP))
    row = row_html(response, "warm_stations_built")
    url = re.search(r'<a href="([^"]+)"', row).group(1).replace("&amp;", "&")
    venues = client.get(url)
    assert venues.status_code == 200
    assert "109" in text_of(venues)


def test_the_page_says_when_its_data_were_read(client, demo):
    response = page(client, staff(Role.LEADERSHIP))
    assert timezone.localtime().strftime("%Y-%m-%d") in response.content.decode()
    assert response.context["read_at"].tzinfo is not None


def test_the_narrative_states_the_figures_as_the_report_does(client, demo):
    response = page(client, staff(Role.LEADERSHIP))
    narrative = re.search(r'data-testid="narrative">(.*?)</p>', response.content.decode(), re.S).group(1)
    for shown in ("562", "1730.55万元", "80余", "5.5万余", "109", "131", "133.96万元"):
        assert re.search(rf'<a href="[^"]+">{re.escape(shown)}</a>', narrative), shown
    assert "2018" in narrative


def test_the_towns_add_up_to_the_district(client, demo):
    table = page(client, staff(Role.DISTRICT_ADMIN)).context["table"]
    assert len(table["rows"]) == Town.objects.count()
    for column, total in enumerate(table["total"].cells):
        rows = sum(row.cells[column].value for row in table["rows"]) + table["townless"].cells[column].value
        assert rows == total.value, total.key
        assert table["townless"].cells[column].value >= 0, total.key
    headline = {tile.key: tile.value for tile in page(client, staff(Role.LEADERSHIP)).context["headlines"]}
    assert table["total"].cells[0].value == headline["venues_built"]


def test_the_town_table_sorts_with_ties_sharing_a_rank(client, demo):
    table = page(client, staff(Role.LEADERSHIP), sort="cases_mediated").context["table"]
    values = [row.cells[2].value for row in table["rows"]]
    assert values == sorted(values, reverse=True)
    for before, after in zip(table["rows"], table["rows"][1:], strict=False):
        if before.cells[2].value == after.cells[2].value:
            assert after.rank == before.rank
        else:
            assert after.rank == table["rows"].index(after) + 1


def test_a_town_page_shows_that_towns_figures(client, demo):
    town = Town.objects.get(name="瀛海镇")
    response = page(client, staff(Role.LEADERSHIP), town=town.pk)
    assert response.context["town"] == town
    assert response.context["table"] is None
    assert f"town={town.pk}" in row_html(response, "warm_stations_built")


def test_town_staff_see_only_their_town_whatever_town_says(client, demo):
    own, other = Town.objects.order_by("order")[:2]
    response = page(client, staff(Role.TOWN_STAFF, own), town=other.pk)
    assert response.status_code == 200
    assert response.context["town"] == own
    assert response.context["table"] is None
    assert f"town={other.pk}" not in response.content.decode()


def test_the_summary_url_opens_last_year(client, db):
    TownFactory()
    client.force_login(staff(Role.LEADERSHIP))
    response = client.get(reverse("summary"))
    assert response.status_code == 302
    assert response.url == reverse("summary_year", args=[timezone.localdate().year - 1])


def test_a_year_out_of_range_is_not_found(client, db):
    assert page(client, staff(Role.LEADERSHIP), year=1990).status_code == 404
    assert page(client, staff(Role.LEADERSHIP), year=timezone.localdate().year + 1).status_code == 404


def test_the_leadership_start_page_leads_to_the_summary(client, db):
    client.force_login(staff(Role.LEADERSHIP))
    assert 'data-testid="open-summary"' in client.get(reverse("home")).content.decode()
