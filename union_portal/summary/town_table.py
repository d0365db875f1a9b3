"""The table of the main figures by town: a row per town, a row for records of no town, and the district total.

The rows come from each app's `figures_by_town` (the same statements as the district's, grouped by town); the
row of no town (区级/未分镇) is what the records of no town count. Every column is a sum over records (none counts
distinct people), so the rows add up to the total, which is the district's figure.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .sections import COMPOSED, TOWN_COLUMNS, composed


@dataclass
class TownRow:
    name: str
    cells: list  # Composed, one per column
    town_id: int | None = None
    rank: int | None = None


def columns(sort: str | None) -> list[dict]:
    return [{"key": key, "label": COMPOSED[key][0], "sorted": key == sort} for key in TOWN_COLUMNS]


def town_table(towns, by_town: dict, district_figures: dict, sort: str | None = None) -> dict:
    """The rows for `towns` from `by_town` ({town id or None: {key: Figure}}), sorted by the column `sort`
    (largest first, ranks with ties shared) or in town order."""
    rows = [_row(town.name, by_town.get(town.pk, {}), town.pk) for town in towns]
    total = _row(str(_("Total")), district_figures)
    townless = _row(str(_("District level / no town")), by_town.get(None, {}))
    if sort in TOWN_COLUMNS:
        _rank(rows, TOWN_COLUMNS.index(sort))
    return {"columns": columns(sort), "rows": rows, "townless": townless, "total": total, "sort": sort}


def _row(name: str, figures: dict, town_id=None) -> TownRow:
    return TownRow(name, [composed(figures, key) for key in TOWN_COLUMNS], town_id)


def _rank(rows: list[TownRow], column: int) -> None:
    """Sort `rows` by `column`, largest first; equal values share a rank and the next rank skips (1, 2, 2, 4)."""
    rows.sort(key=lambda row: -row.cells[column].value)
    for position, row in enumerate(rows):
        previous = rows[position - 1] if position else None
        same = previous is not None and previous.cells[column].value == row.cells[column].value
        row.rank = previous.rank if same else position + 1
