"""Tags every template has without ``{% load %}`` (settings: ``TEMPLATES["OPTIONS"]
["builtins"]``).

``{% url %}`` is Django's tag, but a URL whose arguments are ids (or none) is written by
``qms.links.url_for``: one reversal per name, then the ids put in their places. The layout
alone reversed ten URLs per page (≈50 µs each here); anything else — keyword arguments,
text arguments, a name that does not reverse — goes to Django's own code.
"""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from qms.links import url_for

register = template.Library()


class URLNode(defaulttags.URLNode):
    def render(self, context):
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        if not all(type(arg) is int and arg >= 0 for arg in args):
            return super().render(context)
        try:
            url = url_for(self.view_name.resolve(context), *args)
        except NoReverseMatch:
            return super().render(context)  # Django's message, or "" with "as"
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
