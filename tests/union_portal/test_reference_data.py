"""Reference data: the demo district and its towns, enterprises with valid credit codes."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from union_portal import demo
from union_portal.models import District, Enterprise, StaffProfile, Town
from union_portal.validators import make_credit_code


def test_demo_district_has_the_22_towns_of_daxing(db):
    district = demo.load_district()
    assert district.short_name == "大兴"
    towns = list(Town.objects.filter(district=district).values_list("name", flat=True))
    assert len(towns) == 22
    assert {"瀛海镇", "亦庄镇", "榆垓镇", "青云店镇", "新媒体产业基地", "高米店街道"} <= set(towns)


def test_loading_the_demo_twice_changes_nothing(db, capsys):
    call_command("load_demo")
    counts = (District.objects.count(), Town.objects.count(), StaffProfile.objects.count())
    call_command("load_demo")
    assert (District.objects.count(), Town.objects.count(), StaffProfile.objects.count()) == counts
    assert "yinghai" in capsys.readouterr().out


def test_enterprise_refuses_a_wrong_credit_code_saying_so_in_chinese(town_a):
    enterprise = Enterprise(name="某某科技有限公司", credit_code=make_credit_code(7)[:-1] + "0", town=town_a)
    if enterprise.credit_code == make_credit_code(7):
        enterprise.credit_code = enterprise.credit_code[:-1] + "1"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        enterprise.full_clean()
    assert "校验位" in str(error.value.message_dict["credit_code"])


def test_enterprise_with_a_valid_credit_code_saves(town_a):
    enterprise = Enterprise(name="某某科技有限公司", credit_code=make_credit_code(8).lower(), town=town_a)
    enterprise.full_clean()
    enterprise.save()
    assert Enterprise.objects.get().credit_code == make_credit_code(8)
