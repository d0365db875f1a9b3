"""The registry of import kinds: each app registers its own from its `imports.py`."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class ImportKind:
    """One import an app offers: `write(user=..., rows=..., options=..., progress=...)` writes the sheet's rows
    (the app's own service, all or nothing) and returns (added, updated), or raises a `ValidationError` whose messages
    say why nothing was written; `list_url(options)` is the list that shows the result."""

    key: str  # stable: stored on each job ("benefits-members")
    title: str  # lazy: the job page's heading
    write: Callable
    list_url: Callable
    done: str  # lazy: the result as the inline import says it, with %(added)d or %(created)d, %(updated)d or %(merged)d
    import_view: str  # the import page's URL name, to start again


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.key] = kind
    return kind


@cache
def _discover() -> None:
    autodiscover_modules("imports")


def kind_for(key: str) -> ImportKind:
    """The kind registered as `key` (KeyError if none)."""
    _discover()
    return _KINDS[key]
