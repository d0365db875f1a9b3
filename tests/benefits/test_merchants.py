"""Partner merchants and member-only activities: the lists' filters and totals, the forms' rules, who edits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from benefits import services
from benefits.models import MemberActivity, Merchant
from union_portal.errors import DomainError

pytestmark = pytest.mark.django_db
LIST_QUERIES = 12  # session, user, role; the town choices; count, page, totals; the menu (whatever the size)


def merchant(name="影城", start=(2018, 1, 1), end=(2018, 12, 31), **fields) -> Merchant:
    values = {"category": "cinema", "offer": "八折", "contract_start": datetime.date(*start),
              "contract_end": datetime.date(*end)}  # fmt: skip
    return Merchant.objects.create(name=name, **{**values, **fields})


def names(response) -> list[str]:
    return sorted(str(record) for record in response.context["object_list"])


# Merchants ------------------------------------------------------------------------------------------------


def test_active_in_a_year_means_under_contract_at_any_time_in_it(client, district_staff):
    merchant("整年")
    merchant("跨年进入", start=(2017, 6, 1), end=(2018, 1, 1))
    merchant("跨年离开", start=(2018, 12, 31), end=(2019, 6, 30))
    merchant("前一年", start=(2017, 1, 1), end=(2017, 12, 31))
    merchant("后一年", start=(2019, 1, 1), end=(2019, 12, 31))
    client.force_login(district_staff)
    response = client.get(reverse("benefits:merchant_list"), {"active_in": 2018})
    assert names(response) == sorted(["整年", "跨年进入", "跨年离开"])


def test_the_ending_list_holds_running_contracts_ending_within_60_days(client, district_staff):
    today = timezone.localdate()

    def ends_in(days):
        end = today + datetime.timedelta(days=days)
        return (end - datetime.timedelta(days=400)).timetuple()[:3], end.timetuple()[:3]

    for label, days in (("今天到期", 0), ("六十天", 60), ("六十一天", 61), ("已过期", -1)):
        start, end = ends_in(days)
        merchant(label, start=start, end=end)
    start, end = ends_in(10)
    merchant("已终止", start=start, end=end, status="ended")
    client.force_login(district_staff)
    response = client.get(reverse("benefits:merchant_list"), {"ending": 60})
    assert [str(m) for m in response.context["object_list"]] == ["今天到期", "六十天"]  # soonest first


def test_the_category_filter(client, district_staff):
    merchant("影城")
    merchant("理发店", category="haircut")
    client.force_login(district_staff)
    assert names(client.get(reverse("benefits:merchant_list"), {"category": "haircut"})) == ["理发店"]


def test_a_contract_ending_before_it_starts_is_refused_on_its_field(client, district_staff):
    client.force_login(district_staff)
    data = {"name": "照相馆", "category": "wedding_photo", "offer": "九折", "contract_start": "2018-06-01",
            "contract_end": "2018-05-31", "status": "active"}  # fmt: skip
    response = client.post(reverse("benefits:merchant_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"contract_end": [gettext("The contract cannot end before it starts.")]}
    assert not Merchant.objects.exists()
    with pytest.raises(DomainError):
        services.merchant_save(user=district_staff, **{**data, "contract_start": datetime.date(2018, 6, 1),
                                                       "contract_end": datetime.date(2018, 5, 31)})  # fmt: skip


def test_town_staff_read_the_districts_merchants_but_do_not_change_them(client, town_a_staff):
    record = merchant()
    client.force_login(town_a_staff)
    assert client.get(reverse("benefits:merchant_detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("benefits:merchant_update", args=[record.pk])).status_code == 403
    with pytest.raises(DomainError):
        services.merchant_save(user=town_a_staff, merchant=record, offer="七折")


def test_town_staff_get_404_for_another_towns_merchant(client, town_a_staff, town_b):
    record = merchant(town=town_b)
    client.force_login(town_a_staff)
    assert client.get(reverse("benefits:merchant_detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("benefits:merchant_update", args=[record.pk])).status_code == 404


def test_a_merchant_change_is_kept_in_history(district_staff):
    record = merchant()
    services.merchant_save(user=district_staff, merchant=record, offer="七折")
    assert list(record.history.order_by("history_id").values_list("offer", flat=True)) == ["八折", "七折"]


# Member-only activities -----------------------------------------------------------------------------------


def activity(n, held_on=datetime.date(2018, 5, 1), channel="12351", town=None, person_times=100, beneficiaries=40):
    return MemberActivity(title=f"活动{n:03d}", held_on=held_on, channel=channel, town=town,
                          person_times=person_times, beneficiaries=beneficiaries)  # fmt: skip


def test_the_totals_cover_the_whole_filtered_list_not_one_page(client, district_staff, town_a):
    MemberActivity.objects.bulk_create(activity(n) for n in range(30))  # more than a page
    MemberActivity.objects.bulk_create(
        [activity(100, held_on=datetime.date(2017, 5, 1)), activity(101, channel="wechat", town=town_a)]
    )
    client.force_login(district_staff)
    response = client.get(reverse("benefits:activity_list"), {"year": 2018, "channel": "12351"})
    assert len(response.context["object_list"]) == 25
    assert response.context["totals"] == {"count": 30, "person_times": 3000, "beneficiaries": 1200}
    town = client.get(reverse("benefits:activity_list"), {"town": town_a.pk}).context["totals"]
    assert town == {"count": 1, "person_times": 100, "beneficiaries": 40}


def test_town_staff_record_activities_of_their_own_town_only(town_a_staff, town_b):
    with pytest.raises(DomainError) as refused:
        services.activity_save(
            user=town_a_staff, title="观影", held_on=datetime.date(2018, 1, 1), channel="on_site", town=town_b
        )
    assert "town" in refused.value.error_dict


@pytest.mark.parametrize(
    ("name", "records"), [("benefits:merchant_list", merchant), ("benefits:activity_list", activity)]
)
def test_the_lists_run_the_same_statements_for_10_and_1000_records(client, district_staff, town_a, name, records,
                                                                  django_assert_max_num_queries):  # fmt: skip
    def add(start, stop):
        if records is merchant:
            Merchant.objects.bulk_create(
                Merchant(name=f"商户{n}", category="other", offer="优惠", town=town_a if n % 2 else None,
                         contract_start=datetime.date(2018, 1, 1), contract_end=datetime.date(2018, 12, 31))
                for n in range(start, stop)
            )  # fmt: skip
        else:
            MemberActivity.objects.bulk_create(activity(n, town=town_a if n % 2 else None) for n in range(start, stop))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), {"year": 2018}).status_code == 200
        return len(queries)

    client.force_login(district_staff)
    add(0, 10)
    small = count()
    add(10, 1000)
    assert count() == small
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(reverse(name), {"year": 2018})
