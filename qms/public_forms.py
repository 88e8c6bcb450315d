"""Protection for the forms anyone can post without signing in (no third-party service).

* ``rate_limited(request, scope, limit, window)``: at most ``limit`` requests per client
  address and scope within ``window`` seconds, counted in the cache (Redis in production,
  so every web process shares the count).
* ``PublicForm``: a hidden field that must stay empty (robots fill every field) and a
  signed time stamp: a form sent back sooner than a person can fill it, or after a day,
  or with a forged stamp, is refused with a message in the visitor's language.
"""

from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

_SALT = "qms.public-form"
MIN_SECONDS = 3
MAX_SECONDS = 24 * 3600


def client_address(request) -> str:
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = getattr(settings, "QMS_TRUSTED_PROXY_COUNT", 0)
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limited(request, scope: str, limit: int, window: int) -> bool:
    """Count this request; True when the client went over ``limit`` in ``window`` seconds."""
    key = f"ratelimit:{scope}:{client_address(request)}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False
    return count > limit


class PublicForm(forms.Form):
    # Named like a field people would fill, hidden from people by CSS and from assistive
    # technology (aria-hidden, tabindex -1), so only robots fill it.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["stamp"].initial = signing.dumps(int(time.time()), salt=_SALT)

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("This form could not be accepted. Please try again."))
        try:
            issued = signing.loads(data.get("stamp", ""), salt=_SALT)
        except signing.BadSignature as exc:
            raise forms.ValidationError(
                _("This form could not be accepted. Please try again.")
            ) from exc
        age = time.time() - int(issued)
        if age < MIN_SECONDS:
            raise forms.ValidationError(
                _("That was too fast. Please check the form and send it again.")
            )
        if age > MAX_SECONDS:
            raise forms.ValidationError(_("This form has expired. Please fill it in again."))
        return data
