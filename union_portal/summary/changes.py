"""A figure's change against the previous year, as the summary states it.

- the previous year had none (no such figure, or zero): "new" (新增) when this year has some, nothing when both are none;
- a share (unit "%"): the difference in percentage points (百分点);
- otherwise the difference and its per cent of the previous value (one place, half up); money in 万元.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from union_portal.figures import YUAN
from union_portal.formatting import format_wan

SHARE = "%"


def _signed(text: str, negative: bool) -> str:
    return text if negative else f"+{text}"


def change_text(current, previous) -> str:
    """The change of a figure against the previous year's figure (`previous` None: it had no such figure)."""
    if previous is None or (not previous.value and current.unit != SHARE):
        return _("new") if current.value else ""
    delta = current.value - previous.value
    if current.unit == SHARE:
        return _("%(points)s percentage points") % {"points": _signed(f"{delta:.2f}", delta < 0)}
    if not delta:
        return _("unchanged")
    amount = format_wan(delta) if current.unit == str(YUAN) else f"{delta:,}"
    percent = (Decimal(delta) * 100 / Decimal(previous.value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{_signed(amount, delta < 0)} ({_signed(f'{percent}%', delta < 0)})"
