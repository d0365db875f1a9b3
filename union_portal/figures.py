"""The shape every app's `figures(year, town=None)` returns (DESIGN.md, contract 2), and its helpers.

An app's figures are a table of rows `(key, label, unit, url)` over the aggregates it computed in a
few statements; `figure_table` turns the rows into Figures, a count or (unit `YUAN`) a sum of money.

Every app's figures module offers the same three calls, each in the same few statements whatever the data size:

- `figures(year, town=None, *, through=None)`: the year's figures for the district or one town;
- `figures_by_town(year, town_ids, *, through=None)`: every town's figures at once, `{town id: [Figure]}` plus
  `None` for the records of no town, from the same statements grouped by town (`totals` with BY_TOWN), never a
  statement per town;
- `through` (a date in the year) cuts the year at that day: only what is dated on or before it counts, and what
  is counted "at the year's end" is counted on that day. The summary compares a year in progress with the same
  days of the previous year (截至同期) this way. Figures kept per year without a date (a year's row of
  childcare classes, a subsidy of the year) cannot be cut and count whole.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
YUAN = _("yuan")  # the unit of money figures; a row with this unit is a money figure


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    unit: str
    url: str
    definition: str = ""  # what is counted, by which date, from which records (口径), in plain words


def count_figure(key: str, label, value: int | None, unit, url: str, definition="") -> Figure:
    """A figure that counts things (places, cases, people...): an int; an empty aggregate is 0."""
    return Figure(key, str(label), int(value or 0), str(unit), naming(url, key), str(definition))


def money_figure(key: str, label, value: Decimal | None, url: str, definition="") -> Figure:
    """A sum of money: Decimal yuan with two places; an empty sum is 0.00."""
    return Figure(key, str(label), (value or Decimal(0)).quantize(CENT), str(YUAN), naming(url, key), str(definition))


FIGURE_PARAMETER = "figure"


def naming(url: str, key: str) -> str:
    """`url` with `?figure=key`: the list it opens heads itself with the figure's label and definition."""
    if not url or f"{FIGURE_PARAMETER}=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({FIGURE_PARAMETER: key})}"


def figure_heading(request, describe) -> dict | None:
    """For a list opened from a figure (`?figure=key`): {"label", "definition"} of that figure, from the list's
    app's `describe(key)` (its figures module: (label, definition) or None, without SQL), or None.

    The list's template includes "union_portal/_figure_heading.html", which shows it above the list.
    """
    key = request.GET.get(FIGURE_PARAMETER, "")
    described = describe(key) if key else None
    if not described:
        return None
    label, definition = described
    return {"label": str(label), "definition": str(definition)}


def figure_table(rows, values: dict) -> list[Figure]:
    """One Figure per row `(key, label, unit, url[, definition])`, its value `values[key]` (missing: none, 0):
    money when the unit is YUAN."""
    figures = []
    for key, label, unit, url, *definition in rows:
        if unit is YUAN:
            figures.append(money_figure(key, label, values.get(key), url, *definition))
        else:
            figures.append(count_figure(key, label, values.get(key), unit, url, *definition))
    return figures


class _ByTown:
    def __repr__(self):
        return "BY_TOWN"


# Passed as the `town` of an app's aggregate helpers: every town at once, grouped (see `totals`).
BY_TOWN = _ByTown()


def totals(queryset, town, lookup: str | None = None, **aggregates) -> dict:
    """`queryset.aggregate(**aggregates)` for the district (`town` None) or one town; for `town` BY_TOWN, one
    grouped statement giving `{town id or None: {name: value}}` (towns without rows are absent).

    `lookup` is the path to the town (default: the queryset's `town_lookup`, as `in_town` uses).
    """
    lookup = lookup or queryset.town_lookup
    if town is not BY_TOWN:
        return queryset.filter(**{lookup: town}).aggregate(**aggregates) if town else queryset.aggregate(**aggregates)
    rows = queryset.order_by().values(_town_of_row=F(lookup)).annotate(**aggregates)
    return {row.pop("_town_of_row"): row for row in rows}


def merged_by_town(*parts: dict) -> dict:
    """The BY_TOWN totals of several statements merged: `{town id or None: {name: value}}`."""
    merged: dict = {}
    for part in parts:
        for town_id, values in part.items():
            merged.setdefault(town_id, {}).update(values)
    return merged


def every_town(values_by_town: dict, town_ids) -> dict:
    """`values_by_town` with a (possibly empty) entry for each of `town_ids` and for no town (None)."""
    return {town_id: values_by_town.get(town_id, {}) for town_id in [*town_ids, None]}


def year_range(field: str, year: int, through: datetime.date | None = None) -> dict:
    """Lookups for `field` (a date) in `year`, cut at `through` when given: `{field__range: (1 Jan, end)}`."""
    return {f"{field}__range": (datetime.date(year, 1, 1), year_end(year, through))}


def year_end(year: int, through: datetime.date | None = None) -> datetime.date:
    """The last day counted of `year`: 31 December, or `through` for a year cut short."""
    return through or datetime.date(year, 12, 31)


def list_url(view_name: str, **params) -> str:
    """The URL of a filtered list: empty parameters are dropped, a town becomes its id."""
    query = {k: getattr(v, "pk", v) for k, v in params.items() if v not in (None, "")}
    url = reverse(view_name)
    return f"{url}?{urlencode(query)}" if query else url
