"""Session lifetime: 30 minutes idle comes from SESSION_COOKIE_AGE; this caps a session at 12 hours."""

import time

from django.conf import settings
from django.contrib.auth import logout

SESSION_STARTED_KEY = "portal_session_started"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_LIMIT:
                logout(request)
        return self.get_response(request)
