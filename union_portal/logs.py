"""Logging filters (settings.LOGGING)."""

import logging


def without_client_error_traceback(record: logging.LogRecord) -> bool:
    """A refused or missing page (4xx) is the client's doing: log its line, not the traceback behind it."""
    status = getattr(record, "status_code", None)
    if status is not None and status < 500:
        record.exc_info = None
        record.exc_text = None
    return True
