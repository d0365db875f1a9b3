import datetime

import pytest
from django.core.exceptions import ValidationError

from union_portal.formatting import escape_cell, format_wan, mask_id_number, mask_phone, to_wan
from union_portal.validators import (
    make_credit_code,
    make_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
    validate_phone,
)


@pytest.mark.parametrize("code", ["91110000600037341L", make_credit_code(12345)])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


def test_known_real_format_credit_code_passes():
    # A published code (Beijing): its check character is L.
    validate_credit_code("91110000600037341L")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341", "18"),
        ("91110000600037341M", "check character"),
        ("9111000060003734IL", "capital letters"),
    ],
)
def test_bad_credit_codes_say_why_in_chinese(code, reason, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    message = error.value.messages[0]
    assert "统一社会信用代码" in message


def test_id_number_check_character_and_birth_date():
    number = make_id_number(123, datetime.date(1985, 6, 30))
    validate_id_number(number)
    assert number.startswith("11011519850630123")
    with pytest.raises(ValidationError):
        validate_id_number(number[:-1] + ("0" if number[-1] != "0" else "1"))
    with pytest.raises(ValidationError):
        validate_id_number("110115" + "19850230" + "1234")  # 30 February, and too short


def test_published_sample_id_number_passes():
    # The GB 11643 worked example: 11010519491231002X.
    validate_id_number("11010519491231002X")


def test_mobile_and_landline():
    validate_mobile("13812345678")
    validate_phone("010-69241234")
    with pytest.raises(ValidationError):
        validate_mobile("2381234567")
    with pytest.raises(ValidationError):
        validate_phone("12345")


def test_money_in_wan_yuan_is_exact():
    from decimal import Decimal

    assert to_wan(Decimal("17305500.00")) == Decimal("1730.55")
    assert format_wan(Decimal("1398500.00")) == "139.85万元"


def test_masking():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""


@pytest.mark.parametrize("text", ["=1+1", "+86", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_escaped(text):
    assert escape_cell(text) == "'" + text


def test_plain_cells_are_left_alone():
    assert escape_cell("瀛海镇") == "瀛海镇"
    assert escape_cell(5) == 5
