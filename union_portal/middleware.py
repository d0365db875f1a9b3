"""Session lifetime (30 minutes idle from SESSION_COOKIE_AGE; this caps a session at 12 hours) and the language."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation

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


class PortalLanguageMiddleware:
    """Every page in the portal's language (LANGUAGE_CODE, Simplified Chinese), whatever the browser asks for.

    The district's offices use browsers set to English too, and a portal that turns English there (and a brand
    reading "北京市大兴区Federation of Trade Unions") serves nobody. LANGUAGES still lists English: spreadsheet
    imports accept English column headers. Instead of Django's LocaleMiddleware, which would follow
    Accept-Language, the language cookie and the URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
