"""The zh-Hans catalogue is complete: every message translated, none fuzzy, and none missing from the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(text):
    """(flags, msgid, msgstr-parts) for each entry of a .po file."""
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        msgid = "".join(re.findall(r'^msgid "(.*)"', "\n".join(lines), re.M))
        body = "\n".join(line for line in lines if not line.startswith("#"))
        msgstrs = re.findall(r'msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', body)
        yield flags, msgid, ["".join([a, *re.findall(r'"(.*)"', b)]) for a, b in msgstrs], body


def test_every_message_is_translated_and_none_is_fuzzy():
    text = CATALOGUE.read_text(encoding="utf-8")
    problems = []
    for flags, _msgid, msgstrs, body in entries(text):
        if 'msgid ""\nmsgstr ""\n"' in body or body.startswith('msgid ""\nmsgstr'):
            continue  # the header
        if not body.strip().startswith(("msgid", "msgctxt")):
            continue
        if "fuzzy" in flags:
            problems.append(f"fuzzy: {body.splitlines()[0]}")
        elif not msgstrs or any(not s for s in msgstrs):
            problems.append(f"untranslated: {body.splitlines()[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed: apt-get install gettext")
def test_catalogue_holds_every_message_of_the_code(tmp_path):
    """makemessages into a copy of the catalogue adds no message that the committed one lacks."""
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=.venv",
            "--ignore=var",
            "--ignore=static",
            "--ignore=tests",
            "--ignore=locale",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "LOCALE_DIR": str(tmp_path / "locale")},
    )
    fresh = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    committed = {m for _f, m, _s, _b in entries(CATALOGUE.read_text(encoding="utf-8"))}
    missing = [m for flags, m, msgstrs, _b in entries(fresh.read_text(encoding="utf-8")) if m and m not in committed]
    assert not missing, "run `make messages` and translate: " + "; ".join(missing[:20])
