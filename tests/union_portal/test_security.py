"""Security settings: deploy check, CSP, login lockout, session lifetime."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import make_staff
from union_portal.access import Role
from union_portal.middleware import SESSION_STARTED_KEY

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides):
    """The environment of a production process: the test runner's own switches left out."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(overrides)
    return env


def test_check_deploy_is_clean_with_debug_off():
    env = production_env(DEBUG="false", SECRET_KEY="k3y-" + "Zx9!aQ7#mP2$vL5^" * 4, ALLOWED_HOSTS="portal.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr


def test_check_deploy_complains_about_the_development_key():
    env = production_env(DEBUG="false", ALLOWED_HOSTS="portal.example")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_use_no_inline_script_or_style(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert "cdn" not in html.lower()


def test_repeated_failed_logins_lock_the_username_from_that_address(client, town_a, settings):
    make_staff(Role.TOWN_STAFF, town_a, username="li")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "li", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(
        "/accounts/login/", {"username": "li", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    assert "30" in locked.content.decode()
    # A colleague behind the same address is not locked out.
    make_staff(Role.TOWN_STAFF, town_a, username="zhao")
    other = client.post(
        "/accounts/login/", {"username": "zhao", "password": "test-password-123"}, REMOTE_ADDR="10.0.0.1"
    )
    assert other.status_code == 302


def test_idle_sessions_end_after_30_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_sessions_end_after_12_hours_even_when_active(client, town_a):
    user = make_staff(Role.TOWN_STAFF, town_a, username="sun")
    client.force_login(user)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - 13 * 60 * 60
    session.save()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/static/vendor/bootstrap/bootstrap.min.css", "/static/vendor/htmx/htmx.min.js"])
def test_vendored_assets_are_in_the_repository(path):
    assert (ROOT / "static" / path.removeprefix("/static/")).exists()
