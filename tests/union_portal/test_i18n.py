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
        body = "\n".join(line for line in lines if not line.startswith("#"))
        # A long msgid spans lines: msgid "" then "..." continuation lines.
        msgid = "".join(
            "".join([a, *re.findall(r'"(.*)"', b)]) for a, b in re.findall(r'^msgid "(.*)"((?:\n".*")*)', body, re.M)
        )
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
    """makemessages, run on a copy of the source tree, adds no message that the committed catalogue lacks.

    A copy, because makemessages also writes into every ./locale it finds: run here it would rewrite the real
    catalogue and then compare it with itself."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.mo", "vendor", "docs"),
    )
    env = {key: value for key, value in os.environ.items() if key != "LOCALE_DIR"}
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
        cwd=source,
        check=True,
        capture_output=True,
        env=env,
    )
    fresh = source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    committed = {m for _f, m, _s, _b in entries(CATALOGUE.read_text(encoding="utf-8"))}
    missing = [m for flags, m, msgstrs, _b in entries(fresh.read_text(encoding="utf-8")) if m and m not in committed]
    assert not missing, "run `make messages` and translate: " + "; ".join(missing[:20])
