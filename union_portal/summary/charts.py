"""The summary's charts (issue 8): what each chart draws, as data for the page's JSON and for its text alternative.

Every chart is bars over categories (a `Chart`: its categories, its series of cells, the totals of a stacked
one); the page draws it from `Charts.as_json()` and tabulates it from `Chart.rows`. A cell is the number the bar
draws (万元 with two places for money), the text the page shows for it ("1730.55万元", "109") and the URL of the
list of records behind it, so a click on a bar and a link in the chart's table open the same list.

The charts read the report's figures where the report has them (venues per town, aid by programme, this year and,
for a past year, the previous one); the months' cases come from `disputes.figures.cases_by_month`, and the other
years of the five-year chart from `sections.year_figures`, a fixed number of SQL statements per year whatever the
data size.
"""

import datetime
from dataclasses import asdict, dataclass, replace

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from disputes import figures as disputes_figures
from union_portal.figures import YUAN, Figure
from union_portal.formatting import format_wan, to_wan

from . import sections

VENUE_KINDS = ("warm_stations_built", "wellbeing_stations_built", "mother_baby_rooms_built")
AID_PROGRAMMES = ("festival_amount", "medical_aid_amount", "student_aid_amount")
YEARS_SHOWN = 5


@dataclass
class Chart:
    id: str
    title: str
    unit: str  # of the axis: 万元 for money, else the figures' unit
    category_label: str  # what the categories are: towns, months, programmes, years
    categories: list[str]
    series: list[dict]  # [{"name", "cells": [cell per category]}]
    totals: list[dict] | None = None  # a stacked chart's: what each category's stack adds up to
    horizontal: bool = False
    money: bool = False  # its values are 万元
    headline: str = ""  # the five-year charts: the headline figure's key
    note: str = ""  # what is counted, where the figures' own definitions do not say it

    @property
    def stacked(self) -> bool:
        return self.totals is not None

    @property
    def rows(self) -> list[dict]:
        """The chart's table (its text alternative): a row per category, a cell per series, and the total."""
        return [
            {
                "category": category,
                "cells": [s["cells"][index] for s in self.series],
                "total": self.totals[index] if self.totals else None,
            }
            for index, category in enumerate(self.categories)
        ]

    def as_json(self) -> dict:
        return {**asdict(self), "stacked": self.stacked}


@dataclass
class Charts:
    year: list[Chart]  # the report's year: venues per town (district page), cases by month, aid by programme
    years: list[Chart]  # the last five years of each headline figure
    years_note: str = ""  # the year in progress: how its bar compares with the whole years before it

    @property
    def groups(self) -> list[dict]:
        """The page's two groups of charts: the year's, then the five years' (a heading of their own)."""
        return [
            {"title": "", "note": "", "charts": self.year},
            {"title": _("The last five years"), "note": self.years_note, "charts": self.years},
        ]

    def as_json(self) -> dict:
        return {
            "year": [c.as_json() for c in self.year],
            "years": [c.as_json() for c in self.years],
            "total_label": _("Total"),
        }


def chart_data(report) -> Charts:
    """The charts of the report's page: the district page has the venues chart, a town page does not."""
    year = [venues_by_town(report)] if report.by_town is not None else []
    year += [cases_by_month(report), aid_by_programme(report)]
    return Charts(year=year, years=headline_years(report), years_note=years_note(report))


def cell(value, is_money: bool, url: str = "") -> dict:
    if is_money:
        return {"value": float(to_wan(value)), "text": format_wan(value), "url": url}
    return {"value": int(value), "text": intcomma(int(value)), "url": url}


def money_unit() -> str:
    return pgettext("money unit", "10,000 yuan")


def chart(chart_id, title, unit, category_label, categories, series, **options) -> Chart:
    return Chart(chart_id, str(title), str(unit), str(category_label), [str(c) for c in categories], series, **options)


def figure_series(name, figures: list) -> dict:
    """A series of Figures (one per category), each bar linking to its figure's list."""
    return {"name": str(name), "cells": [cell(f.value, f.unit == str(YUAN), f.url) for f in figures]}


def stack_totals(figure_lists: list[list], is_money: bool) -> list[dict] | None:
    """Each category's total over the stacked series (None for a single series: its bars are the totals)."""
    if len(figure_lists) < 2:
        return None
    return [cell(sum(f.value for f in stack), is_money) for stack in zip(*figure_lists, strict=True)]


def venues_by_town(report) -> Chart:
    """Venues built per town by kind, stacked: the towns in the town table's order, then the records of no town
    when there are any, so that the bars add up to the district's venues built."""
    rows = [(town.name, report.by_town.get(town.pk, {})) for town in report.towns]
    townless = report.by_town.get(None, {})
    if any(townless[key].value for key in VENUE_KINDS if key in townless):
        rows.append((_("District level / no town"), townless))
    kinds = [key for key in VENUE_KINDS if key in report.figures]
    stacks = [[figures.get(key) or nothing(report.figures[key]) for _name, figures in rows] for key in kinds]
    return chart(
        "venues",
        _("Venues built by town"),
        report.figures[kinds[0]].unit if kinds else "",
        _("Town"),
        [name for name, _figures in rows],
        [figure_series(report.figures[key].label, stack) for key, stack in zip(kinds, stacks, strict=True)],
        totals=stack_totals(stacks, is_money=False),
        horizontal=True,
    )


def nothing(figure: Figure) -> Figure:
    """A town the app's figures left out counts none (and has no list to open)."""
    return replace(figure, value=0, url="")


def month_label(month) -> str:
    number = month.month if isinstance(month, datetime.date) else int(month)
    return _("Month %(month)d") % {"month": number}


def cases_by_month(report) -> Chart:
    """Cases received and closed in each month of the year (of the town), each bar linking to those cases."""
    months = disputes_figures.cases_by_month(report.year, report.town, through=report.through)
    received = report.figures.get("cases_received")
    series = [
        {
            "name": pgettext("cases by month", "Received"),
            "cells": [cell(m["received"], False, m["received_url"]) for m in months],
        },
        {
            "name": pgettext("cases by month", "Closed"),
            "cells": [cell(m["closed"], False, m["closed_url"]) for m in months],
        },
    ]
    return chart(
        "cases",
        _("Cases received and closed by month"),
        received.unit if received else "",
        _("Month"),
        [month_label(m["month"]) for m in months],
        series,
        note=_(
            "Received: by the date received, whoever handles the case. Closed: by the closing date, whatever the "
            "outcome."
        ),
    )


def aid_by_programme(report) -> Chart:
    """Aid paid by programme (festival condolence, emergency medical aid, student aid), in 万元."""
    figures = [report.figures[key] for key in AID_PROGRAMMES if key in report.figures]
    return chart(
        "aid",
        _("Aid paid by programme"),
        money_unit(),
        _("Programme"),
        [f.label for f in figures],
        [figure_series(_("Aid paid"), figures)],
        money=True,
    )


def day_label(day: datetime.date) -> str:
    return _("%(month)d/%(day)d") % {"month": day.month, "day": day.day}


def years_note(report) -> str:
    if report.through is None:
        return ""
    return _("The years before are counted whole; %(year)s through %(day)s.") % {
        "year": report.year,
        "day": day_label(report.through),
    }


def year_label(year: int, through: datetime.date | None) -> str:
    """The year, or for the year in progress the day it is read through: 2025（截至7月15日）."""
    if through is None:
        return str(year)
    return _("%(year)s (through %(day)s)") % {"year": year, "day": day_label(through)}


def figures_of_years(report) -> list[tuple[int, dict]]:
    """[(year, {key: Figure})] for the five years ending with the report's: past years whole; the report's own
    year as the report reads it (through today for the year in progress)."""
    shown = []
    for year in range(report.year - YEARS_SHOWN + 1, report.year + 1):
        if year == report.year:
            figures = report.figures
        elif year == report.year - 1 and report.through is None:
            figures = sections.by_key(report.previous)  # the whole previous year: the report has it already
        else:
            figures = sections.by_key(sections.year_figures(year, report.town))
        shown.append((year, figures))
    return shown


def headline_years(report) -> list[Chart]:
    """One chart per headline figure over the last five years, its parts stacked (each part's bar opens the
    part's list for that year); the table's total of a year is the headline's value that year."""
    years = figures_of_years(report)
    categories = [year_label(year, report.through if year == report.year else None) for year, _f in years]
    charts = []
    for key in sections.HEADLINES:
        label, keys = sections.COMPOSED[key]
        parts = [part for part in keys if part in report.figures]  # as `sections.composed`: parts the apps have
        stacks = [[figures[part] for _year, figures in years] for part in parts]
        is_money = any(report.figures[part].unit == str(YUAN) for part in parts)
        unit = money_unit() if is_money else (report.figures[parts[0]].unit if parts else "")
        series = [figure_series(report.figures[part].label, stack) for part, stack in zip(parts, stacks, strict=True)]
        totals = stack_totals(stacks, is_money)
        options = {"totals": totals, "money": is_money, "headline": key}
        charts.append(chart(f"years-{key}", label, unit, _("Year"), categories, series, **options))
    return charts
