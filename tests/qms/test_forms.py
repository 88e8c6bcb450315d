"""Select boxes written in Python (qms.forms.FormRenderer) are exactly Django's own HTML."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from qms.forms import FormRenderer

CHOICES = [
    ("", "---------"),
    ("a&b", 'Phòng "A" & <B>'),
    (2026, 2026),
    ("lazy", gettext_lazy("Open")),  # a label translated when shown
    ("quote", "L'\u00e9quipe <Tổ 1>"),
    (
        "Nhóm / 分组",
        [("x", "Tổ X"), ("y", mark_safe("<b>Y</b>")), (3, "质量管理")],
    ),
]


class Sample(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True, required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(attrs={"data-on": True, "data-off": False, "title": 'a "b"'}),
    )
    kind = forms.ChoiceField(choices=[("u", "Unit")], widget=forms.RadioSelect)


def _assert_same_html(form_class, data: dict, language: str, attrs_list: list[dict]) -> None:
    """Every field of the form, bound to ``data``, as the portal's renderer and Django's
    templates write it, in ``language``."""
    from django.utils import translation

    with translation.override(language):
        ours = form_class(data=data or None, renderer=FormRenderer())
        django = form_class(data=data or None, renderer=DjangoTemplates())
        for name in form_class.base_fields:
            for attrs in attrs_list:
                html = str(ours[name].as_widget(attrs=attrs))
                assert html == str(django[name].as_widget(attrs=attrs)), name


@pytest.mark.parametrize(
    "data",
    [{}, {"single": "a&b", "many": ["x", "3"], "flagged": "2026"}, {"single": "nope"}],
)
@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_select_boxes_are_the_html_django_writes(data, language):
    _assert_same_html(Sample, data, language, [{"class": "form-select"}])
    assert 'value="a&amp;b"' in str(Sample(renderer=FormRenderer())["single"])


def test_the_portal_renders_forms_with_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
    html = str(Sample()["single"])  # the default renderer, as every page uses it
    assert html.count("<option") == 8 and "<optgroup" in html


class Inputs(forms.Form):
    text = forms.CharField(required=False)
    number = forms.IntegerField(required=False)
    amount = forms.DecimalField(required=False, localize=True)
    email = forms.EmailField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    query = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": 'Tìm "hồ sơ" & <mã>'}),
    )
    flag = forms.BooleanField(required=False)
    off = forms.CharField(required=False, disabled=True, initial="khoá")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": 'Quy trình "A" & <b>', "number": "12", "amount": "1234.5", "flag": "on"},
        {"email": "not an e-mail", "day": "2026-12-07", "secret": "<x>", "hidden": "7"},
        {"number": "mười", "query": "流程 & 文件"},
    ],
)
@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_inputs_are_the_html_django_writes(data, language):
    attrs = [{"class": "form-control"}, {"class": "x", "aria-invalid": "true"}]
    _assert_same_html(Inputs, data, language, attrs)
    html = str(Inputs(data={"text": '"><script>'}, renderer=FormRenderer())["text"])
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html
