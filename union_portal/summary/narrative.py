"""The summary's narrative: sentences in the report's style, generated from the same Figure objects as the page.

Every number is a link to the figure's list. A sentence is left out when its figures are missing or all zero,
so the narrative says nothing the records do not say. Money is in 万元 with two places (the `wan` rule).
"""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from union_portal.formatting import format_wan

TEN_THOUSAND = 10_000


def approximate(count: int) -> str:
    """A large count as the report states it: rounded down, "余" when something was dropped.

    The rule, by size (always rounding down):
    - under 10, or 100 to 999: exact (7, 187, 999);
    - 10 to 99: to the ten (83 → 80余; 80 → 80);
    - 1,000 to 9,999: to the hundred, two leading digits (1,046 → 1000余; 7,412 → 7400余);
    - 10,000 and more: in 万 with two leading digits (55,340 → 5.5万余; 10,000 → 1万; 12,000 → 1.2万;
      123,456 → 12万余).
    """
    if count < 10 or 100 <= count < 1000:
        return str(count)
    if count < 100:
        return _rounded(count, 10)
    if count < TEN_THOUSAND:
        return _rounded(count, 100)
    step = 10 ** (len(str(count)) - 2)  # two leading digits
    kept = count // step * step
    wan = f"{kept / TEN_THOUSAND:.4f}".rstrip("0").rstrip(".")
    return f"{wan}万" + ("余" if kept != count else "")


def _rounded(count: int, step: int) -> str:
    kept = count // step * step
    return f"{kept}" + ("余" if kept != count else "")


# (text with placeholders, {placeholder: (figure key, how the number is written)}), in the report's order.
EXACT, ROUGH, MONEY = "exact", "rough", "money"
SENTENCES = [
    (
        _(
            "%(place)s built %(warm)s warm-heart stations, %(wellbeing)s wellbeing stations and %(rooms)s "
            "mother-and-baby rooms."
        ),
        {
            "warm": ("warm_stations_built", EXACT),
            "wellbeing": ("wellbeing_stations_built", EXACT),
            "rooms": ("mother_baby_rooms_built", EXACT),
        },
    ),
    (
        _("%(place)s received %(received)s labour dispute cases."),
        {"received": ("cases_received", EXACT)},
    ),
    (
        _("The mediation centre mediated %(mediated)s labour dispute cases successfully, involving %(amount)s."),
        {"mediated": ("cases_mediated", EXACT), "amount": ("mediated_amount", MONEY)},
    ),
    (
        _("Legal aid accepted %(cases)s cases, involving %(amount)s."),
        {"cases": ("legal_aid_cases", EXACT), "amount": ("legal_aid_amount", MONEY)},
    ),
    (
        _("%(activities)s member-only activities were held, serving %(person_times)s person-times."),
        {"activities": ("member_activities", ROUGH), "person_times": ("member_activity_person_times", ROUGH)},
    ),
    (
        _("%(payments)s workers in hardship taken suddenly ill were paid %(amount)s of emergency medical aid."),
        {"payments": ("medical_aid_payments", EXACT), "amount": ("medical_aid_amount", MONEY)},
    ),
    (
        _("%(grants)s students from hardship families were granted %(amount)s."),
        {"grants": ("student_aid_grants", EXACT), "amount": ("student_aid_amount", MONEY)},
    ),
]


def _written(figure, how: str) -> str:
    if how == MONEY:
        return format_wan(figure.value)
    return approximate(figure.value) if how == ROUGH else str(figure.value)


def sentences(figures: dict, *, year: int, place: str) -> list:
    """The narrative for `figures` ({key: Figure}) of `year` at `place` (the district's or a town's name)."""
    lead = _("In %(year)s, ") % {"year": year}
    result = []
    for text, placeholders in SENTENCES:
        stated = {name: figures.get(key) for name, (key, _how) in placeholders.items()}
        if any(figure is None for figure in stated.values()) or not any(f.value for f in stated.values()):
            continue
        links = {
            name: format_html('<a href="{}">{}</a>', stated[name].url, _written(stated[name], how))
            for name, (_key, how) in placeholders.items()
        }
        result.append(mark_safe(str(text) % {"place": conditional_escape(place), **links}))
    if result:
        result[0] = mark_safe(lead + result[0])
    return result
