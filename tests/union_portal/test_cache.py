"""The cache is the database's: every app process sees the same entries, and expired ones are deleted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def other_process(code: str) -> str:
    """Run `code` in a second Python process on the same (test) database; what it prints."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    script = f"import json, django; django.setup()\nfrom django.core.cache import cache\n{code}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "union_portal.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_an_import_preview_cached_by_one_process_is_found_by_another():
    cache.set("preview-of-process-one", {"rows": 5000})
    assert json.loads(other_process('print(json.dumps(cache.get("preview-of-process-one")))')) == {"rows": 5000}
    other_process('cache.set("preview-of-process-two", [1, 2])')
    assert cache.get("preview-of-process-two") == [1, 2]


def rows_in_cache_table() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM portal_cache")
        return {key for (key,) in cursor.fetchall()}


@pytest.mark.django_db
def test_entries_last_an_hour_and_expired_ones_are_deleted_at_the_next_write():
    assert cache.default_timeout == 60 * 60
    cache.set("abandoned-preview", "names and ID numbers", timeout=-1)  # expired at once
    cache.set("live-preview", "rows", timeout=60)
    keys = rows_in_cache_table()
    assert not any(key.endswith("abandoned-preview") for key in keys)
    assert any(key.endswith("live-preview") for key in keys)
