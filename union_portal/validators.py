"""Validators and generators for the identifiers of DOMAIN.md §5.

Each check-character algorithm lives here once; the demo data generates valid numbers
with the same code that validates them.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK = "10X98765432"
MOBILE_RE = re.compile(r"^1\d{10}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="credit_code_length")
    if any(c not in CREDIT_CODE_ALPHABET for c in code):
        raise ValidationError(
            _("A unified social credit code uses only digits and capital letters other than I, O, Z, S and V."),
            code="credit_code_chars",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong; please check the code."),
            code="credit_code_check",
        )


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return ID_NUMBER_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    number = (value or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit():
        raise ValidationError(_("An ID number has 18 characters: 17 digits and a check character."), code="id_length")
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("Characters 7 to 14 of an ID number must be a valid birth date."), code="id_birth_date")
    if id_number_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check the number."), code="id_check"
        )


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match((value or "").strip()):
        raise ValidationError(_("A mobile number has 11 digits and starts with 1."), code="mobile")


def validate_phone(value: str) -> None:
    """A mobile number, or a landline with its area code (010-69241234)."""
    value = (value or "").strip()
    if not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(
            _("Enter a mobile number (11 digits starting with 1) or a landline with its area code, e.g. 010-69241234."),
            code="phone",
        )


def make_credit_code(serial: int, region: str = "110115") -> str:
    """A valid credit code for demo data: registered in Beijing (91 = enterprise), region Daxing."""
    body = f"91{region}"
    digits = f"{serial:09d}"
    first17 = body + digits
    return first17 + credit_code_check_char(first17)


def make_id_number(serial: int, birth: datetime.date, region: str = "110115") -> str:
    """A valid ID number for demo data; serial picks the 3-digit order code."""
    first17 = f"{region}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)
