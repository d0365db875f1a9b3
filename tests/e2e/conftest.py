"""Shared by every browser journey: a plain-HTTP live server and a Chinese-speaking browser."""

import pytest


@pytest.fixture(autouse=True)
def _plain_http_live_server(live_server, settings):
    """The session-wide live server built its middleware before the per-test plain-HTTP settings applied
    (SecurityMiddleware reads SECURE_SSL_REDIRECT once), so it would redirect the browser to https: rebuild it."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    handler = live_server.thread.httpd.get_app()
    while hasattr(handler, "application"):
        handler = handler.application
    handler.load_middleware()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Every page asks for Chinese (Accept-Language), as most of the district's users do (the portal answers in Chinese
    whatever is asked: tests/e2e/test_accessibility.py tries an English browser)."""
    return {**browser_context_args, "locale": "zh-CN"}
