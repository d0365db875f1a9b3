"""How numbers and personal data are shown: 万元, masked ID and phone numbers, safe spreadsheet cells."""

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
