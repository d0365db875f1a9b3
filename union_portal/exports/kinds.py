"""The registry of export kinds: each app registers its own from its `exports.py`."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest, QueryDict
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class ExportKind:
    """One export an app offers: `rows(request)` is the list's queryset (ordered, filtered by `request.GET`, seen
    through `visible_to(request.user)`, with the prefetches `resource` reads); `resource` writes one row."""

    key: str  # stable: stored on each job ("disputes-cases")
    title: str  # lazy: the sheet's title and, dated, the file's name (劳动争议案件_2026-12-01.xlsx)
    rows: Callable
    resource: Callable  # a django-import-export Resource class
    list_view: str  # the list's URL name, for the way back from the job's page
    personal_data: bool = True  # then only users who may export personal data (can_export_personal_data)
    refused: str = ""  # why a user who may not is refused (PermissionDenied)


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    _KINDS[kind.key] = kind
    return kind


@cache
def _discover() -> None:
    autodiscover_modules("exports")


def kind_for(key: str) -> ExportKind:
    """The kind registered as `key` (KeyError if none: a job of a kind since removed)."""
    _discover()
    return _KINDS[key]


def job_request(user, query: str) -> HttpRequest:
    """A request as the list saw it (its user and query string), for the worker, which has none."""
    request = HttpRequest()
    request.user = user
    request.GET = QueryDict(query)
    return request
