from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Document, ExternalDocument
from procedures.choices import AllowanceUnit, Direction
from procedures.models import Procedure, Process
from procedures.services import DossierData, IndicatorData, StepData
from qms.forms import VersionField
from qms.models import Department, User


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
            name=data["name"], target=data["target"], unit=data["unit"], direction=data["direction"]
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
