"""The disputes admin, as district admins use it to correct a case: change, history, revert."""

import pytest

from disputes.models import Case


@pytest.fixture
def site_admin(district_admin):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    return district_admin


def test_district_admin_corrects_a_case_and_reverts_it_from_its_history(client_for, site_admin, town_a, open_case):
    case = open_case(town_a, facts="拖欠两个月工资")
    client = client_for(site_admin)
    assert client.get("/admin/disputes/case/").status_code == 200
    first = case.history.earliest()

    case.facts = "拖欠三个月工资"
    case.save()  # a later edit on the portal: the case's version moves on
    page = client.get(f"/admin/disputes/case/{case.pk}/history/")
    assert page.status_code == 200

    records = case.history.count()
    revert_url = f"/admin/disputes/case/{case.pk}/history/{first.history_id}/"
    form = client.get(revert_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["claim_kinds"] = [kind.pk for kind in case.claim_kinds.all()]
    for prefix in ("workers", "events", "attachments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(revert_url, data)

    assert response.status_code == 302  # reverted, not a server error over the old version number
    case = Case.objects.get(pk=case.pk)
    assert case.facts == "拖欠两个月工资"
    assert case.history.count() == records + 1  # the revert is kept in the history too


def test_the_changelist_filters_by_the_year_received_listing_the_years_of_the_cases(client_for, site_admin, town_a):
    import datetime
    import re

    from tests.disputes.factories import CaseFactory

    for number, year in (("测试调〔2016〕0001", 2016), ("测试调〔2018〕0001", 2018), ("测试调〔2018〕0002", 2018)):
        CaseFactory(number=number, town=town_a, received_on=datetime.date(year, 6, 30))
    client = client_for(site_admin)
    page = client.get("/admin/disputes/case/").content.decode()
    assert "收案年度" in page
    years = re.findall(r'href="\?received_on_year=(\d+)"', page)
    assert years == ["2018", "2017", "2016"]  # newest first, the years between included
    listed = client.get("/admin/disputes/case/", {"received_on_year": "2018"}).content.decode()
    assert "测试调〔2018〕0001" in listed and "测试调〔2018〕0002" in listed and "测试调〔2016〕0001" not in listed
    ignored = client.get("/admin/disputes/case/", {"received_on_year": "abc"})
    assert ignored.status_code == 200 and "测试调〔2016〕0001" in ignored.content.decode()
