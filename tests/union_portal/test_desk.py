"""The start page per role (issue 9): staff and town staff see their counts, district admins also what needs an
administrator, leadership the year's headline tiles. Every count links to a list of exactly that many records,
town staff never see another town's numbers, and the page costs the same statements at two data sizes."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from benefits.models import FileStatus, HardshipFile, HardshipLevel
from benefits.services import aid_enter
from disputes.models import HandlingBody
from stations.models import AcceptanceResult, VenueKind, VenuePhoto
from tests.disputes.factories import CaseFactory
from tests.factories import UserFactory, VenueFactory, make_staff
from tests.upload_samples import photo_bytes
from union_portal.access import Role
from union_portal.summary.sections import HEADLINES
from union_portal.validators import make_id_number

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'<a [^>]*href="([^"]+)" data-testid="desk-([\w-]+)" data-count="(\d+)"')


def today():
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


# --- records ---------------------------------------------------------------------------------------


def case(number, town, **values):
    made = CaseFactory(number=number, town=town, **values)
    made.save()  # works out the clock
    return made


def cases(town, staff, tag=""):
    """In `town`: one open case assigned to `staff` (its clock running), one due within 3 days, one overdue,
    one idle for 35 days; and a closed case that counts nowhere."""
    case(f"MINE{tag}", town, assigned_to=staff, received_on=days_ago(2))
    case(f"SOON{tag}", town, received_on=days_ago(13))
    case(f"LATE{tag}", town, received_on=days_ago(20))
    case(
        f"IDLE{tag}",
        town,
        handling_body=HandlingBody.LEGAL_AID,
        received_on=days_ago(40),
        last_activity_at=timezone.now() - datetime.timedelta(days=35),
    )
    case(f"DONE{tag}", town, status="agreement", received_on=days_ago(20), assigned_to=staff)


def venues(town, tag=""):
    """In `town`: a mother-and-baby room built 200 days ago and never accepted (acceptance overdue), a room whose
    acceptance failed 120 days ago (closing overdue), a room accepted in time, a warm-heart station with
    coordinates and a photo, and one without either."""
    room = {
        "kind": VenueKind.MOTHER_BABY_ROOM,
        "town": town,
        "latitude": Decimal("39.7"),
        "longitude": Decimal("116.3"),
    }
    VenueFactory(name=f"待验收{tag}", built_on=days_ago(200), **room)
    VenueFactory(
        name=f"未通过{tag}",
        built_on=days_ago(200),
        accepted_on=days_ago(120),
        acceptance_result=AcceptanceResult.FAILED,
        **room,
    )
    VenueFactory(
        name=f"已验收{tag}", built_on=days_ago(200), accepted_on=days_ago(150), acceptance_result="passed", **room
    )
    VenueFactory(name=f"暖心驿站无坐标{tag}", town=town)
    placed = VenueFactory(name=f"暖心驿站{tag}", town=town, latitude=Decimal("39.7"), longitude=Decimal("116.3"))
    image = SimpleUploadedFile("p.jpg", photo_bytes("JPEG", (64, 48)), content_type="image/jpeg")
    VenuePhoto.objects.create(venue=placed, image=image)
    return placed


SERIAL = iter(range(1, 100_000))


def hardship_file(town, **values) -> HardshipFile:
    n = next(SERIAL)
    fields = {
        "town": town,
        "applicant_name": f"困难职工{n}",
        "id_number": make_id_number(n, datetime.date(1975, 1, 1) + datetime.timedelta(days=n)),
        "main_cause": "illness",
        "status": FileStatus.APPROVED,
        "level": HardshipLevel.DEEP,
        "last_checked_on": days_ago(100),
        **values,
    }
    return HardshipFile.objects.create(**fields)


def benefits(town, staff):
    """In `town`: a file whose re-check is due within 30 days, one overdue, one under review, one in time, and a
    payment entered (waiting for its second signature) on the file in time."""
    hardship_file(town, last_checked_on=days_ago(340))
    hardship_file(town, last_checked_on=days_ago(400))
    hardship_file(town, status=FileStatus.REVIEWING, level="", last_checked_on=None)
    in_time = hardship_file(town)
    aid_enter(
        file=in_time,
        user=staff,
        programme="medical",
        amount=Decimal("800.00"),
        paid_on=days_ago(1),
        funding_source="district",
    )


def lockouts(agent="x"):
    """One sign-in locked now, one whose cool-off has passed, one below the limit."""
    values = {
        "user_agent": agent,
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
        "get_data": "",
        "post_data": "",
    }
    locked = AccessAttempt.objects.create(username="wang", ip_address="10.0.0.1", failures_since_start=5, **values)
    old = AccessAttempt.objects.create(username="li", ip_address="10.0.0.2", failures_since_start=5, **values)
    AccessAttempt.objects.create(username="zhao", ip_address="10.0.0.3", failures_since_start=2, **values)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - datetime.timedelta(hours=2))
    return locked


@pytest.fixture
def seeded(town_a, town_b, town_a_staff, town_b_staff, district_staff):
    cases(town_a, town_a_staff)
    cases(town_b, town_b_staff, tag="B")
    venues(town_a)
    VenueFactory(name="乙镇待验收", kind=VenueKind.MOTHER_BABY_ROOM, town=town_b, built_on=days_ago(100))
    benefits(town_a, town_a_staff)
    benefits(town_b, town_b_staff)
    UserFactory(username="no_role_yet")
    UserFactory(username="left", is_active=False)  # inactive: nothing to act on
    lockouts()


# --- reading the page ------------------------------------------------------------------------------


def desk(client) -> dict[str, tuple[int, str]]:
    """{item key: (count, href)} as the start page renders them."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {key: (int(count), html.unescape(href)) for href, key, count in ITEM.findall(response.content.decode())}


def counts(items: dict) -> dict[str, int]:
    return {key: count for key, (count, _href) in items.items()}


def listed(client, url) -> int:
    """How many records the list at `url` shows (every page), checked against the rows of its first page."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "cl" in context:  # an admin changelist
        return context["cl"].result_count
    total = context["paginator"].count if context.get("paginator") else len(context["object_list"])
    assert len(context["object_list"]) == min(
        total, context["paginator"].per_page if context.get("paginator") else total
    )
    return total


STAFF_KEYS = [
    "disputes-mine",
    "disputes-due_soon",
    "disputes-overdue",
    "disputes-idle",
    "stations-acceptance_overdue",
    "stations-closing_overdue",
    "benefits-recheck_due",
    "benefits-recheck_overdue",
    "benefits-reviewing",
    "benefits-payments_entered",
    "disputes-awaiting-code",
]


def test_town_staff_see_their_towns_counts_only(client_for, seeded, town_a_staff):
    assert counts(desk(client_for(town_a_staff))) == {
        "disputes-mine": 1,
        "disputes-due_soon": 1,
        "disputes-overdue": 1,
        "disputes-idle": 1,
        "disputes-awaiting-code": 0,
        "stations-acceptance_overdue": 1,
        "stations-closing_overdue": 1,
        "benefits-recheck_due": 1,
        "benefits-recheck_overdue": 1,
        "benefits-reviewing": 1,
        "benefits-payments_entered": 1,
    }


def test_the_other_towns_staff_see_their_own_numbers(client_for, seeded, town_b_staff):
    shown = counts(desk(client_for(town_b_staff)))
    assert shown["stations-acceptance_overdue"] == 1 and shown["stations-closing_overdue"] == 0
    assert shown["disputes-overdue"] == 1 and shown["benefits-payments_entered"] == 1


def test_district_staff_see_every_town_and_no_admin_panel(client_for, seeded, district_staff):
    client = client_for(district_staff)
    assert counts(desk(client)) == {
        "disputes-mine": 0,  # none assigned to them
        "disputes-due_soon": 2,
        "disputes-overdue": 2,
        "disputes-idle": 2,
        "disputes-awaiting-code": 0,
        "stations-acceptance_overdue": 2,
        "stations-closing_overdue": 1,
        "benefits-recheck_due": 2,
        "benefits-recheck_overdue": 2,
        "benefits-reviewing": 2,
        "benefits-payments_entered": 2,
    }
    assert 'data-desk-section="attention"' not in client.get(reverse("home")).content.decode()


def test_a_district_admin_also_sees_what_needs_an_administrator(client_for, seeded, district_admin):
    shown = counts(desk(client_for(district_admin)))
    assert shown["disputes-overdue"] == 2 and shown["stations-acceptance_overdue"] == 2
    # In service: town A's two warm-heart stations and three rooms, town B's room (all built); the rooms of
    # town A and one station have coordinates, one station has a photo.
    assert shown["stations-no_coordinates"] == 2
    assert shown["stations-no_photo"] == 5
    assert shown["no-role"] == 1
    assert shown["locked-out"] == 1


@pytest.mark.parametrize("persona", ["town_a_staff", "district_staff", "district_admin"])
def test_each_count_opens_a_list_of_that_many_records(client_for, seeded, persona, request):
    user = request.getfixturevalue(persona)
    if persona == "district_admin":  # the admin's lists are on the admin site, which wants the staff flag
        user.is_staff = user.is_superuser = True
        user.save()
    client = client_for(user)
    items = desk(client)
    assert set(STAFF_KEYS) <= set(items)
    for key, (count, href) in items.items():
        assert listed(client, href) == count, (key, href)


def test_a_leader_sees_the_years_headline_tiles_linking_like_the_summary(client_for, seeded, leadership):
    client = client_for(leadership)
    page = client.get(reverse("home")).content.decode()
    assert re.findall(r'data-headline="(\w+)"', page) == HEADLINES
    assert 'data-testid="open-summary"' in page
    assert f'href="{reverse("summary_year", args=[today().year])}"' in page
    assert not ITEM.findall(page)  # leadership reads figures, not work queues
    response = client.get(reverse("home"))
    tiles = {tile.key: tile for tile in response.context["desk"]["headlines"]["tiles"]}
    received = tiles["cases_received"]
    assert received.value == 10  # every case seeded was received this year (the desk is read on a day of it)
    (part,) = received.parts
    assert part.url in page.replace("&amp;", "&")
    assert listed(client, part.url) == received.value


# --- statements ------------------------------------------------------------------------------------


def more_records(town_a, town_b, town_a_staff, town_b_staff, rounds=3):
    for n in range(rounds):
        cases(town_a, town_a_staff, tag=f"x{n}")
        cases(town_b, town_b_staff, tag=f"y{n}")
        venues(town_a, tag=f"x{n}")
        benefits(town_a, town_a_staff)
        benefits(town_b, town_b_staff)
        UserFactory(username=f"no_role_{n}")
        lockouts(agent=f"agent {n}")


# Staff: session, user, profile, one aggregate each for cases, venues, files and payments, the district's name and
# the session's save (11); an admin adds the locked sign-ins and the accounts without a role; a leader's page is
# the summary's figures of the year (three apps).
BOUNDS = {"town_a_staff": 12, "district_staff": 12, "district_admin": 14, "leadership": 23}


@pytest.mark.parametrize("persona", list(BOUNDS))
def test_the_start_page_costs_the_same_statements_at_two_sizes(
    client_for, seeded, persona, request, town_a, town_b, town_a_staff, town_b_staff, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    with django_assert_max_num_queries(BOUNDS[persona]):
        assert client.get(reverse("home")).status_code == 200
    more_records(town_a, town_b, town_a_staff, town_b_staff)
    with django_assert_max_num_queries(BOUNDS[persona]):
        assert client.get(reverse("home")).status_code == 200


def test_the_public_still_lands_on_the_finder_and_an_account_without_a_role_is_refused(client_for, db):
    assert client_for(None).get(reverse("home")).url == reverse("venues:finder")
    assert client_for(UserFactory(username="nobody")).get(reverse("home")).status_code == 403


def test_a_superuser_gets_the_admins_desk(client_for, seeded):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    shown = counts(desk(client_for(root)))
    assert shown["no-role"] == 1  # a superuser without a profile is an admin, not an account to fix
    assert "locked-out" in shown


def test_leadership_made_later_sees_the_summary_link(client_for, district):
    leader = make_staff(Role.LEADERSHIP, username="chair")
    assert 'data-testid="open-summary"' in client_for(leader).get(reverse("home")).content.decode()


def test_employers_named_without_a_code_are_counted_for_their_town(client_for, seeded, town_a, town_b, town_a_staff):
    from union_portal.models import Enterprise

    Enterprise.objects.create(name="某某劳务派遣公司", town=town_a)
    Enterprise.objects.create(name="另一家公司", town=town_b)
    client = client_for(town_a_staff)
    count, href = desk(client)["disputes-awaiting-code"]
    assert count == 1
    assert "某某劳务派遣公司" in client.get(href).content.decode()
    assert "另一家公司" not in client.get(href).content.decode()


def test_a_leader_with_nothing_recorded_this_year_sees_the_latest_year_with_records(client_for, town_a, leadership):
    last_year = today().year - 2
    case("A-OLD-1", town_a, received_on=datetime.date(last_year, 5, 1))
    response = client_for(leadership).get(reverse("home"))
    headlines = response.context["desk"]["headlines"]
    assert headlines["year"] == last_year
    assert {tile.key: tile.value for tile in headlines["tiles"]}["cases_received"] == 1


def test_the_venue_list_opened_from_the_desk_keeps_its_filter_when_filtered_again(client_for, seeded, town_a_staff):
    client = client_for(town_a_staff)
    _count, href = desk(client)["stations-acceptance_overdue"]
    page = client.get(href).content.decode()
    select = re.search(r'<select name="needs".*?</select>', page, re.S)
    assert select, "the filter form shows the desk's filter"
    assert re.search(r'<option value="acceptance_overdue" selected>', select.group(0))
