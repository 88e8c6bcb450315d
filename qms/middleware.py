from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

_LAST_ACTIVITY = "qms_last_activity"
# Background requests that must not keep an idle session alive.
PASSIVE_PATHS = ("/notifications/badge/",)


class IdleTimeoutMiddleware:
    """Sign out a user who did nothing for SESSION_IDLE_MINUTES.

    Only requests a person makes count as activity: the bell's background refresh does
    not, so a forgotten open tab still times out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(_LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                language = user.language
                logout(request)
                with translation.override(language):
                    messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(f"{reverse('qms:login')}?next={request.path}")
            # Written at most once a minute: a session save costs a database write.
            if request.path not in PASSIVE_PATHS and (last is None or now - last >= 60):
                request.session[_LAST_ACTIVITY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """Show a signed-in user the portal in the language they chose in their profile.

    Anonymous visitors keep Django's negotiation (language cookie, then browser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def set_language_cookie(response, language: str):
    """The language for the sign-in page and public pages, respecting the cookie settings."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response
