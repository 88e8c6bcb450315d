from __future__ import annotations

import html

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db.models import Q
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from qms.attachments import validate_upload
from qms.models import CalendarDay, Department, User
from qms.roles import ROLES


class VersionField(forms.IntegerField):
    """The version the form was opened on: a service refuses a stale form (hidden)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.HiddenInput, **kwargs)


def choices_from(field: forms.ModelChoiceField, objects) -> None:
    """Render a model choice field from objects the page has already loaded, saving the
    query that iterating its queryset costs; a posted value is still checked against the
    queryset."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [(obj.pk, field.label_from_instance(obj)) for obj in objects]


_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    if not attrs:
        return ""  # most options
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _text(value) -> str:
    # What {{ value }} prints: localized, then escaped unless already safe. Plain text (a
    # department's name) has nothing to localize and is escaped as Django's escape() does,
    # without its checks for lazy text: a filter bar has a hundred options.
    if isinstance(value, Promise):
        value = str(value)  # a choice's label, translated now into the reader's language
    if type(value) is str:
        return html.escape(value)
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


# Django's <input> widgets: each template only includes input.html, which includes
# attrs.html.
_INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
}


class FormRenderer(DjangoTemplates):
    """Django's form renderer, with select boxes and inputs written in Python.

    Django renders each option of a select through two template includes; a filter bar
    with a 60-department select then costs more than the rest of a list page (about a
    quarter of the document register's time), and each input goes through three templates.
    The HTML is exactly the templates' (tests/qms/test_forms.py compares them); any other
    widget, or an option with its own template, goes through the templates as before.
    """

    def render(self, template_name, context, request=None):
        if template_name in _INPUTS:
            return _render_input(context["widget"])
        if template_name == _SELECT:
            widget = context["widget"]
            groups = widget["optgroups"]
            if all(
                option["template_name"] == _OPTION
                for _g, options, _i in groups
                for option in options
            ):
                return _render_select(widget, groups)
        return super().render(template_name, context, request=request)


def _render_input(widget: dict) -> SafeString:
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    return mark_safe(  # noqa: S308 - the name, the value and the attributes are escaped
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _render_select(widget: dict, groups) -> SafeString:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in groups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{html.escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every name, value and label is escaped above


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "parent", "head", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = Q(pk=self.instance.parent_id) if self.instance.parent_id else Q(pk__in=[])
        self.fields["parent"].queryset = Department.objects.visible_to(actor).filter(
            Q(is_active=True) | current
        )
        self.fields["parent"].empty_label = _("(none: the top of the agency)")
        self.fields["head"].queryset = User.objects.visible_to(actor).filter(is_active=True)
        self.fields["head"].empty_label = _("(not set)")


def _role_choices():
    return [(role.slug, role.name) for role in ROLES]


class UserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=_role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    password = forms.CharField(
        label=_("initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to send the user an e-mail with a link to choose their own password."
        ),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "department",
            "job_title",
            "phone",
            "language",
            "is_active",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(actor).filter(
            is_active=True
        )
        self.fields["department"].required = True
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["email"].required = True
        if self.instance.pk:
            del self.fields["password"]
            self.initial["roles"] = list(self.instance.groups.values_list("name", flat=True))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        clash = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another account already uses this e-mail address."))
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class DepartmentScopeForm(forms.Form):
    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.none())

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(actor).filter(
            is_active=True
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "job_title", "language"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already uses this e-mail address."))
        return email


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CalendarRangeForm(forms.Form):
    first = forms.DateField(label=_("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(
        label=_("last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a single day, leave empty."),
    )
    kind = forms.ChoiceField(label=_("type of day"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=200)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first") and not cleaned.get("last"):
            cleaned["last"] = cleaned["first"]
        return cleaned


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))
    description = forms.CharField(label=_("description"), max_length=300, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload)
        return upload
