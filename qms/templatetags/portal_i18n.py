"""Django's ``i18n`` template library, with ``{% trans %}`` of a plain text kept once
translated (settings: ``TEMPLATES["OPTIONS"]["libraries"]["i18n"]``).

Django translates a ``{% trans "…" %}`` anew at each render through a lazy string, its
escaping and its percent signs: 56 function calls each, and the layout alone has 17 (an
audit's page 34, a list 38). A text with no context, no filter and no ``noop`` reads the
same for every reader of one language, so the first render's result is kept per language
and text; everything else (``blocktrans``, contexts, variables, ``as``) is Django's code.
"""

from django import template
from django.template.base import render_value_in_context
from django.templatetags import i18n
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

_kept: dict[tuple[str | None, str], str] = {}


class TranslateNode(i18n.TranslateNode):
    def __init__(self, node: i18n.TranslateNode):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        var = self.filter_expression.var
        plain = (
            not self.noop
            and self.message_context is None
            and not self.filter_expression.filters
            and getattr(var, "lookups", True) is None  # a quoted text, not a variable
        )
        self.text = var.literal if plain else None

    def render(self, context):
        if self.text is None:
            return super().render(context)
        key = (translation.get_language(), self.text)
        value = _kept.get(key)
        if value is None:
            # Django's own steps, once: a template's text is safe, so the reader's
            # autoescaping does not change it
            self.filter_expression.var.translate = True
            value = render_value_in_context(self.filter_expression.resolve(context), context)
            safe = isinstance(value, SafeData)
            value = value.replace("%%", "%")
            value = _kept[key] = mark_safe(value) if safe else value  # noqa: S308
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    return TranslateNode(i18n.do_translate(parser, token))
