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


# The portal speaks Simplified Chinese whatever the browser asks for (issue 9).
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_an_english_browser_gets_the_login_page_in_chinese(client, district):
    response = client.get("/accounts/login/", **ENGLISH_BROWSER)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page
    assert f"{district.name}总工会" in page and "Federation of Trade Unions" not in page
    assert "登录" in page and "Log in" not in page
    assert response.headers["Content-Language"] == "zh-hans"


def test_an_english_browser_gets_a_staff_page_in_chinese(client_for, district_staff):
    response = client_for(district_staff).get("/disputes/", **ENGLISH_BROWSER)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page
    assert "劳动争议" in page and "退出" in page
    assert "Log out" not in page and "Disputes" not in page


def test_an_english_browser_gets_the_admin_in_chinese(client_for, district, district_admin):
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    response = client_for(district_admin).get("/admin/", **ENGLISH_BROWSER)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in page  # Django's admin/base.html writes the code as Django spells it
    assert f"{district.name}总工会 · " in page  # the brand of the portal, "· 管理" once the catalogue has it
    assert "最近动作" in page  # Django's own "Recent actions"
    assert "Recent actions" not in page and "Log out" not in page


def test_an_english_browser_gets_the_public_finder_in_chinese(client, district):
    response = client.get("/venues/", **ENGLISH_BROWSER)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page
    assert "查找工会阵地" in page and "Find a venue" not in page


def test_a_language_cookie_does_not_turn_the_portal_english(client, district):
    client.cookies["django_language"] = "en"
    page = client.get("/accounts/login/", **ENGLISH_BROWSER).content.decode()
    assert "登录" in page and "Staff login" not in page


# People's names in Chinese order (issue 9): 侯洁, not Django's "洁 侯".
@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("洁", "侯", "侯洁"),
        ("建国", "欧阳", "欧阳建国"),
        ("Jie", "Hou", "Jie Hou"),
        ("王建国", "", "王建国"),
        ("", "", "u1"),
    ],
)
def test_person_name_puts_a_chinese_family_name_first(first, last, shown):
    from django.contrib.auth import get_user_model

    from union_portal.formatting import person_name

    assert person_name(get_user_model()(username="u1", first_name=first, last_name=last)) == shown


def test_the_navigation_names_the_user_family_name_first(client_for, district_staff):
    district_staff.first_name, district_staff.last_name = "洁", "侯"
    district_staff.save()
    page = client_for(district_staff).get("/disputes/").content.decode()
    assert "侯洁" in page and "洁 侯" not in page
