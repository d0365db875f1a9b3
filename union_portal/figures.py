"""The shape every app's `figures(year, town=None)` returns (DESIGN.md, contract 2), and its helpers.

An app's figures are a table of rows `(key, label, unit, url)` over the aggregates it computed in a
few statements; `figure_table` turns the rows into Figures, a count or (unit `YUAN`) a sum of money.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

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
    return Figure(key, str(label), int(value or 0), str(unit), url, str(definition))


def money_figure(key: str, label, value: Decimal | None, url: str, definition="") -> Figure:
    """A sum of money: Decimal yuan with two places; an empty sum is 0.00."""
    return Figure(key, str(label), (value or Decimal(0)).quantize(CENT), str(YUAN), url, str(definition))


def figure_table(rows, values: dict) -> list[Figure]:
    """One Figure per row `(key, label, unit, url[, definition])`, its value `values[key]`: money when the unit
    is YUAN."""
    figures = []
    for key, label, unit, url, *definition in rows:
        if unit is YUAN:
            figures.append(money_figure(key, label, values[key], url, *definition))
        else:
            figures.append(count_figure(key, label, values[key], unit, url, *definition))
    return figures


def list_url(view_name: str, **params) -> str:
    """The URL of a filtered list: empty parameters are dropped, a town becomes its id."""
    query = {k: getattr(v, "pk", v) for k, v in params.items() if v not in (None, "")}
    url = reverse(view_name)
    return f"{url}?{urlencode(query)}" if query else url
