"""The console: each log line printed once; a refused request is one line, a server error keeps its traceback."""

import logging
import sys

import pytest

from union_portal.logs import without_client_error_traceback


def console_handlers(name: str) -> list[logging.Handler]:
    """The plain console handlers a record of logger `name` reaches (pytest's own capture handlers left out)."""
    logger, found = logging.getLogger(name), []
    while logger:
        found += [handler for handler in logger.handlers if type(handler) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.parametrize("name", ["django", "django.request", "django.security.csrf", "stations"])
def test_every_log_line_reaches_one_console(name):
    assert len(console_handlers(name)) == 1


def test_runserver_request_lines_keep_their_own_handler_and_format():
    (handler,) = console_handlers("django.server")
    assert handler in logging.getLogger("django.server").handlers
    assert handler.formatter._fmt == "[{server_time}] {message}"
    assert logging.getLogger("django.server").level == logging.INFO


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_without_traceback(client_for, leadership, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client_for(leadership).get("/disputes/cases/new/").status_code == 403
    (record,) = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /disputes/cases/new/"
    assert record.exc_info is None


def record_of(status: int) -> logging.LogRecord:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "page", (), sys.exc_info())
    record.status_code = status
    return record


def test_a_server_error_keeps_its_traceback():
    record = record_of(500)
    assert without_client_error_traceback(record)
    assert record.exc_info is not None


def test_a_missing_page_drops_its_traceback():
    record = record_of(404)
    assert without_client_error_traceback(record)
    assert record.exc_info is None
