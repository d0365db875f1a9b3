"""The annual summary in Chromium (issue 8): a leader logs in, opens 2018, follows the 109 warm-heart stations to
their list, switches to 瀛海镇, and prints the page to PDF, which holds the three section titles in Chinese.

The PDF's text is read without a dependency: Chromium (Skia) writes the text as glyph codes of subset fonts, in
Flate-compressed content streams, with a ToUnicode map per font. `pdf_text` inflates the streams, reads each
page's fonts and their maps, and turns the hex strings of the text operators back into characters, so the check
is on the words the PDF holds in order, not on glyphs that merely appear somewhere in it.
"""

import importlib
import re
import zlib

import pytest

from tests.benefits.test_ledger import ledger_emptied
from tests.conftest import ensure_reference_rows
from tests.e2e.test_disputes_journeys import log_in
from tests.factories import make_staff
from union_portal import demo as core_demo
from union_portal.access import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SECTIONS = ("基层建设", "调解协商", "普惠服务")
COUNT = re.compile(r"(\d+)")


class Quiet:
    def write(self, text):
        pass


@pytest.fixture
def demo_district(live_server):
    """The demo of every app, as `make run` loads it; the ledger emptied before the flush (SQLite's trigger)."""
    ensure_reference_rows()
    district = core_demo.load_district()
    for app in ("stations", "disputes", "benefits"):
        importlib.import_module(f"{app}.demo").load(district, Quiet())
    yield district
    ledger_emptied()


def figure_value(page, key: str) -> str:
    return page.locator(f'tr[data-figure="{key}"] td.text-end a').inner_text().strip()


def test_a_leader_reads_2018_follows_a_figure_switches_town_and_prints_it(page, live_server, demo_district):
    leader = make_staff(Role.LEADERSHIP, username="journey_leader")
    log_in(page, live_server, leader, "/summary/2018/")
    assert page.locator("h1").inner_text().startswith("2018")

    # 109 warm-heart stations, and its link opens the list of exactly those 109 venues.
    assert figure_value(page, "warm_stations_built") == "109"
    district = {key: figure_value(page, key) for key in ("warm_stations_built", "cases_received", "cases_mediated")}
    page.locator('tr[data-figure="warm_stations_built"] td.text-end a').click()
    page.wait_for_url(re.compile(r"/stations/\?"))
    count = page.locator("[data-testid=result-count]").inner_text()
    assert COUNT.search(count).group(1) == "109", count
    assert "个阵地" in count  # the list's own words for its count, in Chinese
    assert page.locator("[data-testid=figure-heading]").count() == 1  # headed by the figure it came from
    page.go_back()
    page.wait_for_url(f"{live_server.url}/summary/2018/")

    # The town selector: 瀛海镇's page, with that town's figures.
    page.select_option("#summary-town", label="瀛海镇")
    page.locator("form.summary-town button[type=submit]").click()
    page.wait_for_url(re.compile(r"/summary/2018/\?town=\d+"))
    assert "瀛海镇" in page.locator("h1").inner_text()
    town = {key: figure_value(page, key) for key in district}
    assert all(value.isdigit() for value in town.values()), town
    assert town["warm_stations_built"] != district["warm_stations_built"], town
    assert town["cases_received"] != district["cases_received"], town
    assert int(town["cases_received"]) < int(district["cases_received"])

    # Printed: the print layout shows the three sections, and the PDF holds their titles as text.
    page.emulate_media(media="print")
    for title in SECTIONS:
        assert page.get_by_role("heading", name=title).first.is_visible(), title
    pdf = page.pdf(format="A4", print_background=True)
    text, pages = pdf_text(pdf)
    assert pages >= 2, pages
    squeezed = re.sub(r"\s+", "", text)
    for title in SECTIONS:
        assert title in squeezed, (title, squeezed[:500])
    assert "瀛海镇" in squeezed


# --- Reading a PDF's text, for Chromium's PDFs (no dependency) ------------------------------------------------

OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", re.S)


def pdf_objects(pdf: bytes) -> dict:
    """{object number: (its dictionary, its stream inflated, or b"")}; Skia writes direct stream lengths."""
    found = {}
    for match in OBJECT.finditer(pdf):
        head, data = match.group(2), b""
        if match.group(3).startswith(b"stream"):
            length = int(re.search(rb"/Length\s+(\d+)", head).group(1))
            data = pdf[match.end() : match.end() + length]
            if b"/FlateDecode" in head:
                data = zlib.decompressobj().decompress(data)
        found[int(match.group(1))] = (head, data)
    return found


def unicode_map(cmap: bytes) -> dict:
    """A ToUnicode CMap: {glyph code as upper-case hex: its text}, from its bfchar and bfrange entries."""
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[code.decode().upper()] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            width, base = len(first), int(start, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[f"{code:0{width}X}"] = chr(base + offset)
    return mapping


def page_fonts(head: bytes, found: dict) -> dict:
    """{font resource name: its ToUnicode map} of a page (resources inline or referenced)."""
    resources = re.search(rb"/Resources\s+(\d+) 0 R", head)
    if resources:
        head = found[int(resources.group(1))][0]
    fonts = re.search(rb"/Font\s*<<(.*?)>>", head, re.S)
    maps = {}
    for name, ref in re.findall(rb"/([\w.+-]+)\s+(\d+) 0 R", fonts.group(1) if fonts else b""):
        to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", found[int(ref)][0])
        maps[name] = unicode_map(found[int(to_unicode.group(1))][1]) if to_unicode else {}
    return maps


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """(the text of the pages, a form feed between pages and a newline after each text block; the page count)."""
    found = pdf_objects(pdf)
    pages = [head for _number, (head, _data) in sorted(found.items()) if re.search(rb"/Type\s*/Page\b", head)]
    texts = []
    for head in pages:
        fonts = page_fonts(head, found)
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", head)
        refs = re.findall(rb"(\d+) 0 R", contents.group(1)) if contents else []
        stream = b"\n".join(found[int(ref)][1] for ref in refs)
        font, parts = {}, []
        for token in re.finditer(rb"/([\w.+-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\bET\b", stream):
            if token.group(1):
                font = fonts.get(token.group(1), {})
            elif token.group(2) is None:
                parts.append("\n")
            elif font:
                codes = token.group(2).decode().upper()
                width = len(next(iter(font)))
                parts.append("".join(font.get(codes[i : i + width], "") for i in range(0, len(codes), width)))
        texts.append("".join(parts))
    return "\f".join(texts), len(pages)
