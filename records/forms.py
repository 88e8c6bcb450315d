from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from qms.forms import VersionField
from qms.models import Department
from records.models import Record, RecordType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is validated by the platform's attachment rules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from qms.attachments import validate_upload

        single = super().clean
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [single(item, initial) for item in files]
        for upload in cleaned:
            validate_upload(upload)
        return cleaned


class RecordTypeForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = RecordType
        fields = [
            "code",
            "name",
            "department",
            "form",
            "procedure",
            "storage",
            "location",
            "retention_years",
            "permanent",
            "disposition",
            "access",
            "is_active",
        ]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Document.objects.visible_to(actor)
        self.fields["form"].queryset = visible.filter(document_type="form")
        self.fields["procedure"].queryset = visible.filter(document_type="procedure")
        for name in ("form", "procedure"):
            self.fields[name].empty_label = _("(none)")
        self.fields["department"].queryset = Department.objects.visible_to(actor).filter(
            is_active=True
        )
        self.fields["department"].empty_label = _("Choose a department")
        if self.instance.pk:
            self.initial["version"] = self.instance.version


class RecordForm(forms.ModelForm):
    files = MultipleFileField(
        label=_("files"),
        required=False,
        help_text=_(
            "Required for types kept in this portal. PDF, office documents, images or text; "
            "several files at once are fine."
        ),
    )

    class Meta:
        model = Record
        fields = [
            "record_type",
            "title",
            "reference",
            "record_date",
            "department",
            "physical_location",
        ]
        widgets = {"record_date": DATE}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        from qms.visibility import department_scope_q
        from records.services import can_manage

        if "record_type" in self.fields:
            from records.services import CERTIFICATE_TYPE_CODE

            self.fields["record_type"].queryset = (
                RecordType.objects.visible_to(actor)
                .filter(is_active=True)
                .exclude(code=CERTIFICATE_TYPE_CODE)  # issued by the portal only
            )
            self.fields["record_type"].empty_label = _("Choose a record type")
        departments = Department.objects.filter(is_active=True)
        if not can_manage(actor):
            departments = departments.filter(department_scope_q(actor, field=""))
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["reference"].help_text = _("Leave empty for the next number of the type.")
        if "physical_location" in self.fields:
            self.fields["physical_location"].help_text = _(
                "Required for types kept in an archive room or another system, unless the "
                "type names the place."
            )


class CorrectionForm(RecordForm):
    reason = forms.CharField(
        label=_("reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField()

    class Meta(RecordForm.Meta):
        fields = ["title", "reference", "record_date", "department", "physical_location"]


class HoldForm(forms.Form):
    held = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)
    version = VersionField()


class ApproveForm(forms.Form):
    password = forms.CharField(
        label=_("your password (electronic signature)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    version = VersionField()
