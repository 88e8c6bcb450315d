"""Template helpers shared by every module's pages."""

import functools
import unicodedata

from django import forms, template
from django.core.signals import setting_changed
from django.templatetags.static import StaticNode
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

register = template.Library()


class _StaticNode(StaticNode):
    """``{% static %}`` with each file's address read once per process: the manifest
    storage joins, quotes and looks up the hashed name at each call (124 function calls;
    the layout names six files on every page)."""

    @classmethod
    def handle_simple(cls, path):
        return _static_url(path)


@functools.lru_cache(maxsize=1024)
def _static_url(path: str) -> str:
    return StaticNode.handle_simple(path)


def _forget_static_urls(setting, **kwargs) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "INSTALLED_APPS"):
        _static_url.cache_clear()


setting_changed.connect(_forget_static_urls)


@register.tag
def static(parser, token):
    return _StaticNode.handle_token(parser, token)


@register.filter
def bootstrap(field):
    """Render a bound field's widget with the Bootstrap class its type needs."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    elif field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


@register.filter
def sidebar(menu, path):
    """The main navigation (``qms.context_processors.Menu``) with the page shown marked."""
    return menu.sidebar(path)


@register.filter
def shorten(value, length):
    """``value`` cut to ``length`` characters with "…" — Django's ``truncatechars`` at a
    fraction of its cost (it walks the text looking for combining marks; a board of 84
    cards spent a millisecond there). Composed first (NFC), so a Vietnamese letter and its
    marks are one character and never parted."""
    text = "" if value is None else str(value)
    length = int(length)
    if len(text) <= length:
        return text
    text = unicodedata.normalize("NFC", text)
    if len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(field):
    return isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))


@register.simple_tag(takes_context=True)
def sort_header(context, key, label):
    """A column header that sorts by ``key``, toggling direction, with an accessible state."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"] = f"-{key}"
        arrow, state = "bi-sort-up", _("sorted ascending")
    elif current == f"-{key}":
        params["sort"] = key
        arrow, state = "bi-sort-down", _("sorted descending")
    else:
        params["sort"] = key
        arrow, state = "", ""
    icon = format_html(' <i class="bi {}" aria-hidden="true"></i>', arrow) if arrow else ""
    hidden = format_html('<span class="visually-hidden"> ({})</span>', state) if state else ""
    return format_html('<a href="?{}">{}{}{}</a>', params.urlencode(), label, icon, hidden)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def export_url(context, fmt):
    params = context["request"].GET.copy()
    params.pop("page", None)
    params["export"] = fmt
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.filter
def role_label(slug):
    from qms.roles import role_name

    return role_name(slug)


@register.filter
def translated(value):
    """A stored message id (e.g. a history reason the system wrote) in the reader's language."""
    from django.utils.translation import gettext

    return gettext(value) if value else value


@register.filter
def get_item(mapping, key):
    """``{{ colours|get_item:status }}`` — a dict lookup with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
