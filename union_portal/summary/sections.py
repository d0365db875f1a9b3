"""The annual summary's layout: the apps' figures for a year, in the report's order (DESIGN.md, contract 2).

The summary imports each app's `figures` module and nothing else of the apps; the figures it composes
(headline tiles, the town table) are sums of the apps' figures, named by key below.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits import figures as benefits_figures
from disputes import figures as disputes_figures
from stations import figures as stations_figures
from union_portal.figures import YUAN

from .changes import change_text

# (anchor, title, the app's figures function): the report's three sections, in its order.
SECTIONS = [
    ("stations", _("Grassroots building"), stations_figures.figures),
    ("disputes", _("Mediation and bargaining"), disputes_figures.figures),
    ("benefits", _("Services for all members"), benefits_figures.figures),
]

# The composed figures: each is the sum of the apps' figures named, so it traces back to them.
# - venues built: the warm-heart stations, wellbeing stations and mother-and-baby rooms built in the year (the
#   venues the report counts as built; workers' homes and activity centres are supported or in service, not built);
# - amount involved: the amount involved in the cases the centre mediated successfully (the report's 涉及金额);
# - recovered: what the town unions' dossiers recovered for workers (formal and simple);
# - aid paid: festival, emergency medical and student aid paid from the ledger;
# - person-times served: at stress-relief sessions, member-only activities and purchased services (WeChat
#   activities are among the purchased services, so they are not added again).
COMPOSED = {
    "venues_built": (_("Venues built"), ("warm_stations_built", "wellbeing_stations_built", "mother_baby_rooms_built")),
    "cases_received": (_("Cases received"), ("cases_received",)),
    "cases_mediated": (_("Cases mediated"), ("cases_mediated",)),
    "amount_involved": (_("Amount involved in mediated cases"), ("mediated_amount",)),
    "recovered": (_("Amount recovered"), ("formal_dossier_recovered", "simple_dossier_recovered")),
    "aid_paid": (_("Aid paid"), ("festival_amount", "medical_aid_amount", "student_aid_amount")),
    "person_times": (
        _("Person-times served"),
        ("wellbeing_person_times", "member_activity_person_times", "purchased_person_times"),
    ),
}
HEADLINES = ["venues_built", "cases_received", "amount_involved", "person_times", "aid_paid"]
TOWN_COLUMNS = ["venues_built", "cases_received", "cases_mediated", "recovered", "aid_paid", "person_times"]


@dataclass(frozen=True)
class Row:
    figure: object
    change: str

    @property
    def is_money(self):
        return self.figure.unit == str(YUAN)

    @property
    def definition(self):
        # The Figure may carry its definition (口径); shown on demand beside it.
        return getattr(self.figure, "definition", "") or ""


@dataclass
class Composed:
    key: str
    label: str
    value: object
    is_money: bool
    parts: list = field(default_factory=list)  # the Figures it adds up


# Each section's app module, by anchor: its `figures_by_town` gives every town's figures in the same statements.
MODULES = {"stations": stations_figures, "disputes": disputes_figures, "benefits": benefits_figures}


def years_offered(shown: int) -> list[int]:
    """The years the selector offers, newest first: those any app has records of, this year, and `shown`."""
    years = {timezone.localdate().year, shown}
    for module in MODULES.values():
        years |= set(module.years_with_records())
    return sorted(years, reverse=True)


def year_figures(year: int, town=None, *, through=None) -> dict[str, list]:
    """{section anchor: [Figure]} for `year`, for the district or `town` (cut at `through`, a day of the year)."""
    return {anchor: figures(year, town, through=through) for anchor, _title, figures in SECTIONS}


def year_figures_by_town(year: int, town_ids: list, *, through=None) -> dict:
    """{town id or None (no town): {key: Figure}} for `year`: each app's figures grouped by town at once."""
    merged = {town_id: {} for town_id in [*town_ids, None]}
    for module in MODULES.values():
        for town_id, figures in module.figures_by_town(year, town_ids, through=through).items():
            merged.setdefault(town_id, {}).update({figure.key: figure for figure in figures})
    return merged


def by_key(figures_by_section: dict) -> dict:
    return {figure.key: figure for figures in figures_by_section.values() for figure in figures}


def section_rows(current: dict, previous: dict) -> list[dict]:
    """The three sections, each figure with its change against the previous year's."""
    before = by_key(previous)
    return [
        {
            "anchor": anchor,
            "title": title,
            "rows": [Row(figure, change_text(figure, before.get(figure.key))) for figure in current[anchor]],
        }
        for anchor, title, _figures in SECTIONS
    ]


def composed(figures: dict, key: str) -> Composed:
    """The composed figure `key` over `figures` ({key: Figure}); parts an app does not (yet) have are left out."""
    label, keys = COMPOSED[key]
    parts = [figures[k] for k in keys if k in figures]
    value = sum((part.value for part in parts), 0)
    return Composed(key, str(label), value, any(part.unit == str(YUAN) for part in parts), parts)


def headlines(figures: dict) -> list[Composed]:
    return [composed(figures, key) for key in HEADLINES]
