from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Document, ExternalDocument
from procedures.choices import AllowanceUnit, Direction, Measure
from procedures.models import (
    ApplicantKind,
    CaseStatus,
    Channel,
    FeedbackStatus,
    Procedure,
    Process,
    Score,
)
from procedures.services import Applicant, DossierData, IndicatorData, StepData
from qms.forms import VersionField
from qms.models import Department, User
from qms.public_forms import PublicForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people():
    return (
        User.objects.filter(is_active=True, department__isnull=False)
        .select_related("department")
        .order_by("last_name", "first_name")
    )


class ProcessForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Process
        fields = [
            "code",
            "name",
            "process_type",
            "department",
            "owner",
            "purpose",
            "inputs",
            "outputs",
            "hands_over_to",
            "documents",
            "is_active",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "inputs": forms.Textarea(attrs={"rows": 2}),
            "outputs": forms.Textarea(attrs={"rows": 2}),
            "hands_over_to": forms.SelectMultiple(attrs={"size": 6}),
            "documents": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["owner"].queryset = _people()
        self.fields["owner"].empty_label = _("(none)")
        others = Process.objects.filter(is_active=True)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["hands_over_to"].queryset = others
        self.fields["documents"].queryset = Document.objects.exclude(status="withdrawn")
        self.fields["version"].initial = self.instance.version


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("indicator"), max_length=200, required=False)
    target = forms.DecimalField(label=_("target"), max_digits=12, decimal_places=2, required=False)
    unit = forms.CharField(label=_("unit"), max_length=30, required=False)
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices)
    measure = forms.ChoiceField(label=_("measured as"), choices=Measure.choices)

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("target") is None:
            self.add_error("target", _("Give the target."))
        return data

    def as_data(self) -> IndicatorData | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return IndicatorData(
            name=data["name"],
            target=data["target"],
            unit=data["unit"],
            direction=data["direction"],
            measure=data["measure"],
        )


class ProcedureForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Procedure
        fields = [
            "code",
            "national_code",
            "name",
            "field",
            "level",
            "process",
            "department",
            "owner",
            "statutory_days",
            "applicants",
            "fees",
            "result",
            "legal_basis",
            "documents",
            "is_public",
        ]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "applicants": forms.Textarea(attrs={"rows": 2}),
            "fees": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.SelectMultiple(attrs={"size": 6}),
            "documents": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["process"].queryset = Process.objects.filter(is_active=True)
        self.fields["process"].empty_label = _("(none)")
        self.fields["owner"].queryset = _people()
        self.fields["owner"].empty_label = _("(none)")
        self.fields["legal_basis"].queryset = ExternalDocument.objects.order_by("number")
        self.fields["documents"].queryset = Document.objects.exclude(status="withdrawn")
        self.fields["version"].initial = self.instance.version


class StepForm(forms.Form):
    name = forms.CharField(label=_("step"), max_length=300, required=False)
    department = forms.ModelChoiceField(
        label=_("responsible department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    role = forms.CharField(label=_("responsible role"), max_length=100, required=False)
    allowance = forms.DecimalField(
        label=_("time allowed"), max_digits=6, decimal_places=2, min_value=0, required=False
    )
    unit = forms.ChoiceField(label=_("unit"), choices=AllowanceUnit.choices)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        field.queryset = Department.objects.filter(is_active=True)
        if departments is not None:
            # the choices are read once for all the step rows, not once per row
            field.choices = departments

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("allowance") is None:
            self.add_error("allowance", _("Give the time allowed for this step."))
        return data

    def as_data(self) -> StepData | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return StepData(
            name=data["name"],
            allowance=data["allowance"],
            unit=data["unit"],
            department=data["department"],
            role=data["role"],
        )


class DossierForm(forms.Form):
    name = forms.CharField(label=_("document in the dossier"), max_length=500, required=False)
    copies = forms.CharField(label=_("copies"), max_length=100, required=False)
    required = forms.BooleanField(label=_("required"), required=False, initial=True)

    def as_data(self) -> DossierData | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return DossierData(name=data["name"], copies=data["copies"], required=data["required"])


def department_choices() -> list[tuple]:
    return [("", _("(none)"))] + [
        (department.pk, str(department))
        for department in Department.objects.filter(is_active=True).order_by("path")
    ]


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2)
StepFormSet = forms.formset_factory(StepForm, extra=2)
DossierFormSet = forms.formset_factory(DossierForm, extra=2)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("catalogue file (XLSX or CSV)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,text/csv"
            }
        ),
    )


class ReceiveForm(forms.Form):
    """The desk's form: the applicant and which dossier documents were handed in."""

    applicant_kind = forms.ChoiceField(label=_("applicant"), choices=ApplicantKind.choices)
    applicant_name = forms.CharField(label=_("name of the applicant"), max_length=300)
    applicant_id_number = forms.CharField(
        label=_("ID or tax number"), max_length=40, required=False
    )
    applicant_phone = forms.CharField(
        label=_("phone"),
        max_length=30,
        help_text=_("Its last four digits let the applicant look the case up online."),
    )
    applicant_email = forms.EmailField(label=_("e-mail"), required=False)
    applicant_address = forms.CharField(label=_("address"), max_length=300, required=False)
    channel = forms.ChoiceField(label=_("received"), choices=Channel.choices)
    dossier = forms.TypedMultipleChoiceField(
        label=_("documents handed in"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, procedure=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(procedure.dossier.order_by("position")) if procedure else []
        self.fields["dossier"].choices = [
            (item.position, f"{item.name}{' (' + item.copies + ')' if item.copies else ''}")
            for item in items
        ]
        self.required_positions = {item.position for item in items if item.required}

    def clean_applicant_phone(self):
        phone = self.cleaned_data["applicant_phone"]
        if sum(ch.isdigit() for ch in phone) < 8:
            raise forms.ValidationError(_("Give a phone number with at least 8 digits."))
        return phone

    def clean(self):
        data = super().clean()
        missing = self.required_positions - set(data.get("dossier") or [])
        if missing:
            self.add_error(
                "dossier",
                _(
                    "A required document is missing: tick it when handed in, or do not receive "
                    "the case and tell the applicant what to bring."
                ),
            )
        return data

    def applicant(self):
        data = self.cleaned_data
        return Applicant(
            name=data["applicant_name"],
            phone=data["applicant_phone"],
            kind=data["applicant_kind"],
            id_number=data["applicant_id_number"],
            email=data["applicant_email"],
            address=data["applicant_address"],
        )


class MoveForm(forms.Form):
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    handler = forms.ModelChoiceField(
        label=_("next handler"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(anyone of the department)"),
    )
    version = VersionField()

    def __init__(self, *args, next_step=None, **kwargs):
        super().__init__(*args, **kwargs)
        if next_step is not None:
            self.fields["handler"].queryset = (
                User.objects.filter(
                    is_active=True, department__path__startswith=next_step.department.path
                )
                .select_related("department")
                .order_by("last_name", "first_name")
            )
        else:
            del self.fields["handler"]


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("what is missing"), widget=forms.Textarea(attrs={"rows": 2}))
    notified_on = forms.DateField(label=_("applicant notified on"), widget=DATE)
    version = VersionField()


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            (CaseStatus.RETURNED, CaseStatus.RETURNED.label),
            (CaseStatus.WITHDRAWN, CaseStatus.WITHDRAWN.label),
        ],
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class ApologyForm(forms.Form):
    late_reason = forms.CharField(
        label=_("reason for the delay"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}))


# --- Public forms (no login) ---------------------------------------------------------


class LookupForm(forms.Form):
    receipt_code = forms.CharField(label=_("receipt code"), max_length=40)
    phone_digits = forms.CharField(
        label=_("last four digits of your phone number"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class RatingForm(PublicForm):
    receipt_code = forms.CharField(widget=forms.HiddenInput)
    phone_digits = forms.CharField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ComplaintForm(PublicForm):
    name = forms.CharField(label=_("your name"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("phone or e-mail, to answer you"), max_length=200, required=False
    )
    procedure = forms.ModelChoiceField(
        label=_("procedure concerned"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("(not about one procedure)"),
    )
    receipt_code = forms.CharField(
        label=_("receipt code, if you have one"), max_length=40, required=False
    )
    text = forms.CharField(
        label=_("what happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.public().order_by("code")
        self.order_fields(["name", "contact", "procedure", "receipt_code", "text"])


class CallbackForm(forms.Form):
    callback_on = forms.DateField(label=_("citizen called back on"), widget=DATE)
    outcome = forms.CharField(
        label=_("outcome of the call-back"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()


class FeedbackCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            (FeedbackStatus.RECTIFIED, FeedbackStatus.RECTIFIED.label),
            (FeedbackStatus.UNFOUNDED, FeedbackStatus.UNFOUNDED.label),
        ],
    )
    resolution = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()
