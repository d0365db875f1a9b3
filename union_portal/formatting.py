"""How numbers and personal data are shown: 万元, masked ID and phone numbers, people's names, safe spreadsheet cells."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

TEN_THOUSAND = Decimal("10000")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def to_wan(amount: Decimal | int | None) -> Decimal:
    """Yuan to 万元 with two places, rounded half up (1730.55 for 17,305,500.00)."""
    value = Decimal(amount or 0) / TEN_THOUSAND
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_wan(amount: Decimal | int | None) -> str:
    return f"{number_format(to_wan(amount), 2, force_grouping=False)}万元"


def mask_id_number(value: str | None) -> str:
    """110105********1234: region and the last four only."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def escape_cell(value):
    """Neutralise a spreadsheet formula: a text cell starting with = + - @, tab or CR gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Han ideographs (with extension A and the compatibility block), and the middle dot of names such as 买买提·艾力.
CJK_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u00b7\u30fb\uff0e]+$")


def person_name(user) -> str:
    """A user's name as it is written: 侯洁 (family name first, no space) for a Chinese name, "Jie Hou" otherwise.

    Django's get_full_name() gives "洁 侯". Falls back to the username when the account has no name; "" for None.
    """
    if user is None:
        return ""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if not first and not last:
        return user.get_username()
    if CJK_NAME.match(f"{last}{first}"):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)
