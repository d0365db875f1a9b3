"""Pages of long lists that cost the same at any depth: the kit's paginator for every staff list and admin changelist.

Django's paginator reads page 1,205 of a list as `OFFSET 30100 LIMIT 25` of the list's whole query: the database
builds every skipped row, joins (town, employer, person in charge) included, to throw it away, so the last page of
213,000 cases took 336 ms where the first took 1. `PortalPaginator` keeps the page numbers users see and reads a deep
page in two statements instead, at any depth:

1. the page's primary keys alone, `SELECT id ... ORDER BY <the list's order> OFFSET n LIMIT 25`: with an index in the
   list's order (disputes 0006's, for instance) this is an index-only scan, no join, no wide row; and from whichever
   end of the list is nearer, so the last page reads as few keys as the first (when the order is total, ending with a
   unique column, reversing it gives exactly the same rows backwards);
2. the rows of those keys, with the list's joins and prefetches, put back in the keys' order.

The first page gains by it too when the list is a search or a filter matching many rows: the database sorts the
matching keys, not the matching rows joined to their towns and employers (a search for 物流 among 213,000 cases: 118
ms instead of 199). A page costs the same statements whatever its number. A list that is a plain Python list, or a
queryset without an order, is paginated as Django does.

`count` may be handed over by a view that has counted the list already: `CountedWithTotalsMixin` counts a list in the
aggregate that also sums its columns for the totals row, one scan instead of two.
"""

from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.query import ModelIterable


class PortalPaginator(Paginator):
    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # the cached_property's slot: already counted by the caller

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int):
        rows = self.object_list
        if not _by_keys(rows):
            return rows[bottom:top]
        keys = rows.values_list("pk", flat=True)
        from_end = self.count - top
        if from_end < bottom and total_order(rows):
            pks = list(keys.reverse()[from_end : self.count - bottom])[::-1]
        else:
            pks = list(keys[bottom:top])
        found = {row.pk: row for row in rows.filter(pk__in=pks).order_by()}
        return [found[pk] for pk in pks if pk in found]  # a row deleted between the two statements is left out


def _by_keys(rows) -> bool:
    """Whether a page of `rows` can be read by its keys: an ordered queryset of model instances, not a union."""
    return (
        isinstance(rows, QuerySet)
        and rows.ordered
        and rows._iterable_class is ModelIterable
        and not rows.query.combinator
        and not rows.query.is_sliced
    )


def total_order(queryset: QuerySet) -> bool:
    """Whether the queryset's ordering ends with a unique column, so no two rows tie and reversing it reverses the list."""
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    if not ordering:
        return False
    last = ordering[-1]
    if isinstance(last, OrderBy):
        last = last.expression
    if isinstance(last, F):
        last = last.name
    if not isinstance(last, str):
        return False
    name = last.lstrip("-")
    if name == "pk":
        return True
    if "__" in name:
        return False
    try:
        field = queryset.model._meta.get_field(name)
    except Exception:  # an annotation's name
        return False
    return bool(field.unique) and not field.null


class CountedWithTotalsMixin:
    """A list view (ListView, FilterView) with a totals row over the whole filtered list: the one aggregate that sums
    it also counts it for the pages. `list_totals()` gives {name: aggregate}; the view reads `self.totals`, which
    holds those names and `count`."""

    paginator_class = PortalPaginator

    def list_totals(self) -> dict:
        return {}

    def count_with_totals(self, queryset) -> dict:
        """{"count": ..., and each of `list_totals()`}: one aggregate of the list; a view that keeps its sums reads
        them instead (the case list's tallies, the aid ledger's payment sums)."""
        return queryset.aggregate(count=Count("pk"), **self.list_totals())

    def get_paginator(self, queryset, per_page, **kwargs):
        self.totals = self.count_with_totals(queryset)
        return super().get_paginator(queryset, per_page, count=self.totals["count"], **kwargs)
