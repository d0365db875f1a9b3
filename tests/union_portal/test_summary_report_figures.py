"""Issue 8's acceptance, read from the rendered pages: the 2018 summary of the demo shows every figure of DOMAIN.md
§4 as the report states it; every figure's link, for the district and for every town, opens a list whose count or
total (as the list states it) equals the figure; leadership reads without write controls; town staff get their own
town whatever `?town=` says.

How a list states what it holds, as a user reads it: its count in its template's own phrase ("共 N 条记录", "共找到
N 个阵地"); a sum in the foot of its table, under the column headed by the summed field's name (as the benefits
lists do), or the aid ledger's total (`data-testid=payment-sum`). Money agrees when both print the same 万元."""

import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from benefits.models import ChildcareClass, CultureEvent, JobFair, MemberActivity, PurchasedService, WechatActivity
from disputes.models import Case
from stations.models import VenueActivity, VenueFunding
from tests.union_portal.test_summary import page, staff
from union_portal.access import Role
from union_portal.formatting import format_wan
from union_portal.models import Town

# DOMAIN.md §4 as the page shows it (zh-Hans: counts without grouping, money in 万元 with two places).
EXACT = {
    "warm_stations_built": "109",
    "homes_supported": "24",
    "model_home_applications": "2",
    "wellbeing_stations_built": "9",
    "venue_prize_funding": "3.00万元",
    "wellbeing_sessions": "29",
    "mother_baby_rooms_built": "22",
    "mother_baby_rooms_accepted": "22",
    "venue_equipment_spend": "22.00万元",
    "activity_centres": "15",
    "cases_received": "2772",
    "cases_mediated": "562",
    "mediated_amount": "1730.55万元",
    "collective_incidents": "1",
    "legal_aid_cases": "122",
    "legal_aid_amount": "1711.07万元",
    "formal_dossiers": "35",
    "formal_dossier_workers": "95",
    "formal_dossier_recovered": "139.85万元",
    "simple_dossiers": "192",
    "simple_dossier_workers": "443",
    "simple_dossier_recovered": "330.27万元",
    "large_enterprises": "88",
    "model_enterprises": "71",
    "model_enterprise_share": "80.68%",  # the report rounds it: 81% (asserted below)
    "city_instructors": "7",
    "district_instructors": "11",
    "unions_inspected": "12",
    "childcare_classes": "20",
    "childcare_children": "600",
    "partner_merchants": "10",
    "festival_payments": "41",
    "hardship_visits": "187",
    "medical_aid_payments": "131",
    "medical_aid_amount": "133.96万元",
    "student_aid_grants": "6",
    "student_aid_amount": "4.80万元",  # the report's 4.8万元, in the page's two places
    "job_fairs": "6",
    "purchased_projects": "16",
    "wechat_activities": "8",
}
# The report states these per unit: "24家…每家补助10000元", "为41名困难职工每人发放500元".
PER_UNIT = {"homes_subsidy": ("homes_supported", 10_000), "festival_amount": ("festival_payments", 500)}
# The report's "N余" (N+): the records give at least N and less than N plus one step of its last significant digit
# (80余: 80 to 89; 5.5万余: 55,000 to 55,999; 600余万元: 6,000,000 to 6,999,999.99 元).
AT_LEAST = {
    "wellbeing_person_times": 1_000,
    "collective_workers": 3_000,
    "member_activities": 80,
    "member_activity_person_times": 55_000,
    "jobs_offered": 7_400,
    "job_intentions": 2_200,
    "purchased_person_times": 10_000,
    "wechat_beneficiaries": 2_100,
    "wechat_participants": 5_000,
    "culture_spend": 6_000_000,
    "culture_events": 300,
    "culture_participants": 2_800,
}
# The narrative's numbers as the report writes them, each a link to its figure's list.
NARRATIVE = {
    "warm_stations_built": "109",
    "wellbeing_stations_built": "9",
    "mother_baby_rooms_built": "22",
    "cases_received": "2772",
    "cases_mediated": "562",
    "mediated_amount": "1730.55万元",
    "legal_aid_cases": "122",
    "legal_aid_amount": "1711.07万元",
    "member_activities": "80余",
    "member_activity_person_times": "5.5万余",
    "medical_aid_payments": "131",
    "medical_aid_amount": "133.96万元",
    "student_aid_grants": "6",
    "student_aid_amount": "4.80万元",
}

# Figures that sum a column of the records their list shows: the list's total of that column (headed by the
# field's name) must equal them. Every other figure (but the share) counts the records its list shows.
SUMMED = {
    "homes_subsidy": VenueFunding._meta.get_field("amount"),
    "venue_prize_funding": VenueFunding._meta.get_field("amount"),
    "venue_equipment_spend": VenueFunding._meta.get_field("amount"),
    "wellbeing_sessions": VenueActivity._meta.get_field("sessions"),
    "wellbeing_person_times": VenueActivity._meta.get_field("person_times"),
    "mediated_amount": Case._meta.get_field("amount_claimed"),
    "collective_workers": Case._meta.get_field("headcount"),
    "legal_aid_amount": Case._meta.get_field("amount_claimed"),
    "formal_dossier_workers": Case._meta.get_field("headcount"),
    "formal_dossier_recovered": Case._meta.get_field("amount_recovered"),
    "simple_dossier_workers": Case._meta.get_field("headcount"),
    "simple_dossier_recovered": Case._meta.get_field("amount_recovered"),
    "childcare_classes": ChildcareClass._meta.get_field("classes"),
    "childcare_children": ChildcareClass._meta.get_field("children"),
    "member_activity_person_times": MemberActivity._meta.get_field("person_times"),
    "festival_amount": "payment-sum",
    "medical_aid_amount": "payment-sum",
    "student_aid_amount": "payment-sum",
    "jobs_offered": JobFair._meta.get_field("jobs_offered"),
    "job_intentions": JobFair._meta.get_field("intentions_signed"),
    "purchased_person_times": PurchasedService._meta.get_field("person_times"),
    "wechat_beneficiaries": WechatActivity._meta.get_field("beneficiaries"),
    "wechat_participants": WechatActivity._meta.get_field("participants"),
    "culture_spend": CultureEvent._meta.get_field("spend"),
    "culture_events": CultureEvent._meta.get_field("events"),
    "culture_participants": CultureEvent._meta.get_field("participants"),
}
SHARE = ("model_enterprise_share", "model_enterprises", "large_enterprises")
# How each list states its count (the template's msgid, singular and plural), by the list's path.
COUNT_PHRASES = {
    "/stations/": ("%(counter)s venue found", "%(counter)s venues found"),
    "/disputes/cases/": ("%(count)s case", "%(count)s cases"),
    "/disputes/bargaining/census/": ("%(count)s entry", "%(count)s entries"),
    "/disputes/bargaining/instructors/": ("%(count)s instructor", "%(count)s instructors"),
    "/disputes/bargaining/inspections/unions/": ("%(count)s union", "%(count)s unions"),
    "/benefits/payments/": ("%(count)s entry", "%(count)s entries"),
    "/benefits/activities/": ("Total: %(count)s activity", "Total: %(count)s activities"),
    "/benefits/merchants/": ("%(count)s merchant", "%(count)s merchants"),
    "/benefits/files/": ("%(count)s file in all", "%(count)s files in all"),
}
RECORDS = ("%(count)s record", "%(count)s records")  # the programme lists (childcare, job fairs, ...)
WRITE_LINK = re.compile(r'href="[^"]*/(?:new|import|edit)/')


class Tables(HTMLParser):
    """Every <table> of a page: its head's labels and its foot's rows, colspans spread, text squeezed."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.section, self.row, self.cell, self.span = [], None, None, None, 1
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"head": [], "foot": []})
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell, self.span = [], int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.extend([" ".join("".join(self.cell).split())] + [""] * (self.span - 1))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.section == "thead":
                self.tables[-1]["head"] = self.row
            elif self.section == "tfoot":
                self.tables[-1]["foot"].append(self.row)
            self.row = None
        elif tag in ("thead", "tbody", "tfoot"):
            self.section = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def column_totals(self) -> dict:
        """{column label: the text of the foot's first row in that column}, over every table with a foot."""
        totals = {}
        for table in self.tables:
            if table["foot"]:
                totals.update(dict(zip(table["head"], table["foot"][0], strict=False)))
        return totals


def squeeze(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def main_of(html: str) -> str:
    return re.search(r"<main\b.*?</main>", html, re.S).group(0)


def rows_of(html: str) -> dict:
    """{figure key: (its link, the text of its value)} of every `<tr data-figure>` of a summary page."""
    rows = {}
    for key, row in re.findall(r'<tr data-figure="([^"]+)">(.*?)</tr>', html, re.S):
        link, shown = re.search(r'<td class="text-end"><a href="([^"]+)">(.*?)</a>', row, re.S).groups()
        rows[key] = (link.replace("&amp;", "&"), squeeze(shown))
    return rows


def narrative_links(html: str) -> dict:
    """{link text: [link]} of the narrative's numbers."""
    narrative = re.search(r'data-testid="narrative"[^>]*>(.*?)</p>', html, re.S).group(1)
    links = {}
    for url, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', narrative):
        links.setdefault(text, []).append(url.replace("&amp;", "&"))
    return links


def number(text: str) -> Decimal:
    """A count or an amount as a page prints it (grouping and the unit dropped; 万元 turned into 元)."""
    text = text.replace(",", "").replace(" ", "")
    if text.endswith("万元"):
        return Decimal(text.removesuffix("万元")) * 10_000
    return Decimal(re.match(r"-?[\d.]+", text).group(0))


def step(at_least: int) -> int:
    """One unit of the last significant digit: 80 → 10, 55,000 → 1,000, 6,000,000 → 1,000,000."""
    digits = str(at_least)
    return 10 ** (len(digits) - len(digits.rstrip("0")))


def same_money(shown: str, amount: Decimal) -> bool:
    """The page's "1730.55万元" states `amount` (元): as the `wan` rule prints it."""
    return shown == format_wan(amount)


def stated_count(path: str, html: str) -> int | None:
    """The count a list states (its "N 条", "共 N 个" ...), read with its own template's phrase."""
    singular, plural = COUNT_PHRASES.get(path, RECORDS)
    text = squeeze(html)
    for n in (1, 2):  # the singular and the plural form
        before, _, after = re.split(r"(%\(\w+\)s)", ngettext(singular, plural, n), maxsplit=1)
        found = re.search(re.escape(before.strip()) + r"\s*(?<![\d.])(\d+)\s*" + re.escape(after.strip()), text)
        if found and (int(found.group(1)) == 1) == (n == 1):
            return int(found.group(1))
    return None


def stated_total(html: str, column) -> str | None:
    """The total a list states for `column` (a model field: its column's foot; or the payment list's sum)."""
    if column == "payment-sum":
        found = re.search(r'data-testid="payment-sum"[^>]*>(.*?)<', html, re.S)
        return found.group(1).strip() if found else None
    return Tables(html).column_totals().get(str(column.verbose_name)) or None


def agrees(shown: str, figure_value, listed_text: str | None) -> bool:
    """The list's stated number equals the figure as the summary shows it (money: both in 万元 by the `wan` rule)."""
    if not listed_text:
        return False
    listed = number(listed_text)
    if shown.endswith("万元"):
        return same_money(shown, listed)
    return listed == figure_value


def check_lists(client, place: str, rows: dict, values: dict, problems: list) -> None:
    """Every figure's list states the figure; what disagrees is added to `problems` (place, key, shown, listed)."""
    counts = {}
    for key, (url, shown) in rows.items():
        if key == SHARE[0]:
            continue
        response = client.get(url)
        html = response.content.decode()
        if response.status_code != 200:
            problems.append((place, key, shown, f"HTTP {response.status_code}"))
            continue
        if key in SUMMED:
            listed = stated_total(html, SUMMED[key])
        else:
            count = stated_count(urlsplit(url).path, html)
            counts[key] = count
            listed = None if count is None else str(count)
        if not agrees(shown, values[key], listed):
            path = urlsplit(url).path
            if listed is None:
                what = f"no total of “{SUMMED[key].verbose_name}”" if key in SUMMED else "no count"
                problems.append((place, key, shown, f"list {path} states {what}"))
            else:
                problems.append((place, key, f"{shown} ≠ {listed}", f"list {path} states another number"))
    share, model, large = SHARE
    if share in rows and counts.get(large):
        listed = (Decimal(counts[model]) * 100 / counts[large]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if rows[share][1] != f"{listed}%":
            problems.append((place, share, f"{rows[share][1]} ≠ {listed}%", "the census lists give another share"))


def test_the_2018_page_shows_every_figure_of_the_report_and_the_narrative_states_them(client, demo):
    response = page(client, staff(Role.LEADERSHIP))
    assert response.status_code == 200
    html = response.content.decode()
    rows = rows_of(html)
    figures = response.context["report"].figures
    assert set(rows) == set(EXACT) | set(PER_UNIT) | set(AT_LEAST), "the page shows DOMAIN.md §4's figures, no other"

    wrong = {key: rows[key][1] for key, shown in EXACT.items() if rows[key][1] != shown}
    assert not wrong, wrong
    assert round(number(rows["model_enterprise_share"][1].removesuffix("%"))) == 81  # the report's "扩大至81%"
    for key, (count_key, each) in PER_UNIT.items():
        assert same_money(rows[key][1], Decimal(int(rows[count_key][1]) * each)), (key, rows[key][1])
    for key, at_least in AT_LEAST.items():
        shown, value = rows[key][1], figures[key].value
        assert at_least <= value < at_least + step(at_least), (key, value)
        assert shown == (format_wan(value) if shown.endswith("万元") else str(value)), (key, shown, value)

    links = narrative_links(html)
    for key, stated in NARRATIVE.items():
        assert rows[key][0] in links.get(stated, []), (key, stated, links.get(stated))
    assert "2018" in squeeze(re.search(r'data-testid="narrative"[^>]*>(.*?)</p>', html, re.S).group(1))


def test_every_figures_list_states_the_figure_for_the_district_and_every_town(client, demo):
    leader = staff(Role.LEADERSHIP)
    problems = []
    for town in [None, *Town.objects.order_by("order")]:
        response = page(client, leader, **({"town": town.pk} if town else {}))
        assert response.status_code == 200
        rows = rows_of(response.content.decode())
        values = {key: figure.value for key, figure in response.context["report"].figures.items()}
        place = town.name if town else "district"
        if town:  # each link keeps the town; the district's keep none
            assert all(parse_qs(urlsplit(url).query).get("town") == [str(town.pk)] for url, _ in rows.values()), place
        else:
            assert not any("town" in parse_qs(urlsplit(url).query) for url, _ in rows.values())
        with translation.override("zh-hans"):
            check_lists(client, place, rows, values, problems)
    if problems:  # one line per figure and what its list states, with the places where it disagrees
        grouped = {}
        for place, key, shown, listed in problems:
            grouped.setdefault((key, listed), []).append(f"{place} {shown}")
        pytest.fail(
            "\n".join(
                f"{key}: {listed} ({len(at)} pages: {'; '.join(at[:3])}{' …' if len(at) > 3 else ''})"
                for (key, listed), at in grouped.items()
            )
        )


def test_leadership_reads_without_write_controls_and_town_staff_get_their_own_town(client, demo):
    summary = page(client, staff(Role.LEADERSHIP))
    content = main_of(summary.content.decode())
    assert 'method="post"' not in content and not WRITE_LINK.search(content)
    for url, _shown in rows_of(summary.content.decode()).values():
        listed = main_of(client.get(url).content.decode())
        assert 'method="post"' not in listed and not WRITE_LINK.search(listed), url
        assert 'data-testid="create"' not in listed, url
    # The district admin's page does have them (the sign-off): the check above can fail.
    admin_page = main_of(page(client, staff(Role.DISTRICT_ADMIN)).content.decode())
    assert 'method="post"' in admin_page

    own, other = Town.objects.get(name="瀛海镇"), Town.objects.get(name="亦庄镇")
    forced = page(client, staff(Role.TOWN_STAFF, own), town=other.pk)
    assert forced.status_code == 200
    html = forced.content.decode()
    assert own.name in squeeze(re.search(r"<h1\b.*?</h1>", html, re.S).group(0))
    assert 'id="summary-town"' not in html  # no town selector to choose another
    rows = rows_of(html)
    assert all(parse_qs(urlsplit(url).query).get("town") == [str(own.pk)] for url, _ in rows.values())
    leaders_view = rows_of(page(client, staff(Role.LEADERSHIP), town=own.pk).content.decode())
    others_view = rows_of(page(client, staff(Role.LEADERSHIP), town=other.pk).content.decode())
    assert {k: shown for k, (_url, shown) in rows.items()} == {k: shown for k, (_url, shown) in leaders_view.items()}
    assert {k: shown for k, (_u, shown) in rows.items()} != {k: shown for k, (_u, shown) in others_view.items()}
