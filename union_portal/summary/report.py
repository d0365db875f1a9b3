"""One year's report for the district or a town: the figures every output of the summary lays out.

The page, its print layout, the xlsx and docx exports and the sign-off all read a `Report`, so what is printed,
exported or frozen is what is on the screen, to the 分. A report is built in a bounded number of SQL statements:
each app's `figures` for the year and for the previous year, and (district page) each app's `figures_by_town`
once, grouped by town in the database.

A year in progress (the current year) is read through today, and compared with the same days of the previous
year (截至同期): the previous year's figures are cut at the same day.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from union_portal.models import District, Town

from . import narrative, sections
from . import signoff as signoffs
from .town_table import town_table


@dataclass
class Report:
    year: int
    town: Town | None
    place: str  # the district's or the town's name, as the narrative names it
    read_at: datetime.datetime
    through: datetime.date | None  # the year in progress: read through this day (None: the whole year)
    current: dict  # {section anchor: [Figure]}
    previous: dict  # the previous year's, cut at the same day when `through` is set
    by_town: dict | None = None  # district page: {town id or None: {key: Figure}}
    towns: list = field(default_factory=list)  # the towns of the town table, in order
    signoff: object = None  # the year's SummarySignoff: `current` and `by_town` are then its frozen figures
    live: dict | None = None  # a signed year: the live {key: Figure}, to compare with the frozen ones

    @property
    def figures(self) -> dict:
        """{key: Figure} of the year."""
        return sections.by_key(self.current)

    @property
    def previous_through(self) -> datetime.date | None:
        return same_day_a_year_before(self.through) if self.through else None

    def sections(self) -> list[dict]:
        return sections.section_rows(self.current, self.previous)

    def headlines(self) -> list:
        return sections.headlines(self.figures)

    def narrative(self) -> list:
        return narrative.sentences(self.figures, year=self.year, place=self.place)

    def table(self, sort: str | None = None) -> dict | None:
        """The town table (district page only), sorted by the column `sort`."""
        if self.by_town is None:
            return None
        return town_table(self.towns, self.by_town, self.figures, sort)


def same_day_a_year_before(day: datetime.date) -> datetime.date:
    """The same day of the previous year; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def year_through(year: int) -> datetime.date | None:
    """The day a report of `year` is read through: today for the year in progress, None for a past year."""
    today = timezone.localdate()
    return today if year == today.year else None


def district_name() -> str:
    return getattr(District.objects.only("name").first(), "name", "")


def build(year: int, town: Town | None = None) -> Report:
    """The live report of `year` for the district (`town` None, with the town table) or for `town`."""
    through = year_through(year)
    before = same_day_a_year_before(through) if through else None
    towns = [] if town else list(Town.objects.order_by("order", "pk"))
    report = Report(
        year=year,
        town=town,
        place=town.name if town else district_name(),
        read_at=timezone.localtime(),
        through=through,
        current=sections.year_figures(year, town, through=through),
        previous=sections.year_figures(year - 1, town, through=before),
        by_town=None if town else sections.year_figures_by_town(year, [t.pk for t in towns], through=through),
        towns=towns,
    )
    return signoffs.apply(report)  # a signed year shows its frozen figures (signoff.py)
