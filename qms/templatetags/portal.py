"""Template helpers shared by every module's pages."""

import functools
import unicodedata

from django import forms, template
from django.core.signals import setting_changed
from django.templatetags.static import StaticNode
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from qms import fragments

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


class KeepNode(template.Node):
    """``{% keep row colours today %}…{% endkeep %}``: the block's HTML kept per process,
    keyed by the values of the variables it names (``qms.fragments``)."""

    def __init__(self, names: list[str], nodelist: template.NodeList):
        self.names = names
        self.nodelist = nodelist
        self.number = fragments.next_number()

    def render(self, context):
        values = [context.get(name) for name in self.names]
        return fragments.render(
            self.number,
            values,
            lambda: self.nodelist.render(context),
            context.autoescape,
            context.render_context,
        )


@register.tag
def keep(parser, token):
    bits = token.split_contents()
    names = bits[1:]
    if not names or any(not name.isidentifier() for name in names):
        raise template.TemplateSyntaxError(
            "{% keep %} names the variables its block shows, without dots or filters."
        )
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    used: set[str] = set()
    _read_by(nodelist, used, frozenset())
    unkeyed = sorted(used - set(names) - {"None", "True", "False"})
    if unkeyed:
        raise template.TemplateSyntaxError(
            f"{{% keep {' '.join(names)} %}} reads {', '.join(unkeyed)}, which its key does "
            "not hold: name them in the tag."
        )
    return KeepNode(names, nodelist)


_TIME_OF_DAY_FILTERS = {"timesince", "timeuntil", "naturaltime", "random"}


def _read_by(nodes, used: set[str], outer: frozenset[str]) -> None:
    """The variables a block reads that it has not set itself (``used``): a loop's
    variables within the loop, a ``with``'s within it, an ``as`` name after its tag. A
    node whose output may follow anything else — the whole context, the clock, another
    template, the CSRF token — is refused."""
    from django.template import defaulttags, library, smartif
    from django.templatetags import i18n

    bound = set(outer)

    def expression(value) -> None:
        if isinstance(value, template.base.FilterExpression):
            expression(value.var)
            for function, arguments in value.filters:
                name = getattr(function, "_filter_name", getattr(function, "__name__", ""))
                if name in _TIME_OF_DAY_FILTERS:
                    raise template.TemplateSyntaxError(
                        f"{{% keep %}} cannot hold the |{name} filter: its "
                        "output follows the clock."
                    )
                for _lookup, argument in arguments:
                    expression(argument)
        elif isinstance(value, template.base.Variable):
            if value.lookups and value.lookups[0] not in bound:
                used.add(value.lookups[0])
        elif isinstance(value, defaulttags.TemplateLiteral):
            expression(value.value)
        elif isinstance(value, smartif.TokenBase):  # an {% if %} operator
            expression(value.first)
            expression(value.second)

    def inner(nodelist, *names: str) -> None:
        _read_by(nodelist, used, frozenset(bound.union(names)))

    for node in nodes:
        if isinstance(node, (template.base.TextNode, defaulttags.CommentNode)):
            continue
        if isinstance(node, template.base.VariableNode):
            expression(node.filter_expression)
        elif isinstance(node, defaulttags.IfNode):
            for condition, nodelist in node.conditions_nodelists:
                if condition is not None:
                    expression(condition)
                inner(nodelist)
        elif isinstance(node, defaulttags.ForNode):
            expression(node.sequence)
            inner(node.nodelist_loop, *node.loopvars, "forloop")
            inner(node.nodelist_empty)
        elif isinstance(node, defaulttags.URLNode):
            expression(node.view_name)
            for argument in [*node.args, *node.kwargs.values()]:
                expression(argument)
            if node.asvar:
                bound.add(node.asvar)
        elif isinstance(node, i18n.TranslateNode):
            expression(node.filter_expression)
            if node.asvar:
                bound.add(node.asvar)
        elif isinstance(node, i18n.BlockTranslateNode):
            for value in node.extra_context.values():
                expression(value)
            if node.countervar:
                expression(node.counter)
            own = set(node.extra_context) | {node.countervar}
            for part in [*node.singular, *(node.plural or [])]:
                if part.token_type == template.base.TokenType.VAR:
                    name = part.contents.split(".")[0]
                    if name not in own and name not in bound:
                        used.add(name)
            if node.asvar:
                bound.add(node.asvar)
        elif isinstance(node, defaulttags.WithNode):
            for value in node.extra_context.values():
                expression(value)
            inner(node.nodelist, *node.extra_context)
        elif isinstance(node, defaulttags.FirstOfNode):
            for value in node.vars:
                expression(value)
            if node.asvar:
                bound.add(node.asvar)
        elif isinstance(node, (defaulttags.SpacelessNode, defaulttags.AutoEscapeControlNode)):
            inner(node.nodelist)
        elif isinstance(node, library.SimpleNode) and not node.takes_context:
            for argument in [*node.args, *node.kwargs.values()]:
                expression(argument)
            if node.target_var:
                bound.add(node.target_var)
        elif isinstance(node, KeepNode):
            inner(node.nodelist)
        else:
            contents = getattr(getattr(node, "token", None), "contents", type(node).__name__)
            raise template.TemplateSyntaxError(
                f"{{% keep %}} cannot hold {{% {contents} %}}: its output may follow more "
                "than the block's key."
            )
