from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from nonconformities.choices import Category, Severity, VerificationResult
from nonconformities.models import Action, Nonconformity
from qms.forms import VersionField
from qms.models import Department, User
from records.forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        details = " · ".join(str(x) for x in (obj.job_title, obj.department) if x)
        return f"{obj} ({details})" if details else str(obj)


def active_people():
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("last_name", "first_name")
    )


class ReportForm(forms.ModelForm):
    files = MultipleFileField(label=_("evidence files"), required=False)

    class Meta:
        model = Nonconformity
        fields = [
            "title",
            "description",
            "department",
            "occurred_on",
            "source",
            "procedure",
            "case_reference",
            "restricted",
        ]
        widgets = {"occurred_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["procedure"].queryset = Document.objects.visible_to(actor).filter(
            document_type="procedure"
        )
        self.fields["procedure"].empty_label = _("(none)")
        self.fields["source"].initial = "staff_report"


class TriageForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("severity"),
        choices=[("", _("Choose…")), *Severity.choices],
        help_text=_(
            "Minor: an isolated slip, no harm to the citizen. Major: a requirement or a "
            "statutory time limit not met, or a repeated slip. Critical: harm to citizens, "
            "a wrong result issued, or a breach of law."
        ),
    )
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("Choose…")), *Category.choices]
    )
    needs_corrective_action = forms.BooleanField(
        label=_("needs corrective action (cause analysis and actions)"),
        required=False,
        initial=True,
    )
    owner = PersonField(label=_("owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("due date"), required=False, widget=DATE)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        self.fields["owner"].empty_label = _("Choose the owner")


class MergeForm(forms.Form):
    """Merge a duplicate into another nonconformity, named by its number."""

    into = forms.CharField(label=_("number of the nonconformity to merge into"), max_length=30)
    reason = forms.CharField(label=_("reason"), max_length=300)
    version = VersionField()

    def __init__(self, *args, actor=None, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.exclude = exclude

    def clean_into(self):
        number = self.cleaned_data["into"].strip().upper()
        target = Nonconformity.objects.visible_to(self.actor).filter(number=number).first()
        if target is None or (self.exclude is not None and target.pk == self.exclude.pk):
            raise forms.ValidationError(
                _("No other nonconformity with this number that you can see.")
            )
        return target


class CorrectionForm(forms.Form):
    correction = forms.CharField(
        label=_("correction and containment"), widget=forms.Textarea(attrs={"rows": 3})
    )
    correction_on = forms.DateField(label=_("done on"), widget=DATE)
    version = VersionField()


class AnalysisForm(forms.Form):
    root_cause = forms.CharField(
        label=_("root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, 6):
            self.fields[f"why_{i}"] = forms.CharField(
                label=_("Why %(n)s?") % {"n": i}, required=False, max_length=300
            )
        for value, label in Category.choices:
            self.fields[f"fish_{value}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("One cause per line."),
            )

    def whys(self) -> list[str]:
        return [self.cleaned_data.get(f"why_{i}", "") for i in range(1, 6)]

    def fishbone(self) -> dict[str, list[str]]:
        return {
            value: self.cleaned_data.get(f"fish_{value}", "").splitlines()
            for value in Category.values
        }

    @classmethod
    def initial_for(cls, nc: Nonconformity) -> dict:
        initial = {"root_cause": nc.root_cause, "version": nc.version}
        for i, why in enumerate(nc.five_whys[:5], start=1):
            initial[f"why_{i}"] = why
        for category, causes in (nc.fishbone or {}).items():
            initial[f"fish_{category}"] = "\n".join(causes)
        return initial


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "expected_result",
            "kind",
            "owner",
            "department",
            "due_date",
        ]
        widgets = {
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"owner": PersonField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people()
        self.fields["owner"].empty_label = _("Choose the owner")
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].required = False
        self.fields["department"].empty_label = _("(the owner's department)")


class ActionMoveForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)
    version = VersionField()


class DueDateForm(forms.Form):
    due_date = forms.DateField(label=_("new due date"), widget=DATE)
    reason = forms.CharField(label=_("reason for the change"), max_length=300)
    version = VersionField()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("progress note"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("evidence files"), required=False)


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        label=_("result"), choices=VerificationResult.choices, widget=forms.RadioSelect
    )
    evidence = forms.CharField(
        label=_("evidence checked"), widget=forms.Textarea(attrs={"rows": 3})
    )
    password = forms.CharField(
        label=_("your password (electronic signature)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    version = VersionField()


class PlanActionForm(forms.Form):
    """An action planned from another object's page (an objective, a risk, a management
    review decision): what, who, by when."""

    prefix = "action"
    title = forms.CharField(label=_("action"), max_length=300)
    description = forms.CharField(
        label=_("what will be done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = PersonField(
        label=_("owner"), queryset=User.objects.none(), empty_label=_("Choose the owner")
    )
    due_date = forms.DateField(label=_("due date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_people().filter(department__isnull=False)
