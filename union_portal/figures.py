"""The shape every app's `figures(year, town=None)` returns (DESIGN.md, contract 2)."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    unit: str
    url: str


def list_url(view_name: str, **params) -> str:
    """The URL of a filtered list: empty parameters are dropped, a town becomes its id."""
    query = {k: getattr(v, "pk", v) for k, v in params.items() if v not in (None, "")}
    url = reverse(view_name)
    return f"{url}?{urlencode(query)}" if query else url
