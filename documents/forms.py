from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.choices import DocumentType, ReviewOutcome, StepDecision
from documents.models import Document, DocumentTypeSetting, ExternalDocument
from qms.forms import AttachmentForm, VersionField
from qms.models import Department, User
from qms.roles import ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_STEPS = 4


SIGNING_ROLES = (
    "process_owner",
    "document_controller",
    "qms_manager",
    "top_management",
    "internal_auditor",
)


def _people(actor):
    """People who may review, approve or own: those with a signing role, and colleagues
    of the actor's own department (a specialist reviewer) — not every account."""
    from django.db.models import Q

    from qms.visibility import department_scope_q

    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=SIGNING_ROLES) | department_scope_q(actor))
        .select_related("department")
        .distinct()
        .order_by("last_name", "first_name")
    )


class PersonChoiceField(forms.ModelChoiceField):
    """A person with their job title and department, so namesakes are told apart."""

    def label_from_instance(self, obj) -> str:
        details = " · ".join(str(x) for x in (obj.job_title, obj.department) if x)
        return f"{obj} ({details})" if details else str(obj)


class ExternalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} — {obj.title[:80]} ({obj.get_legal_status_display()})"


MULTI_HINT = _("Hold Ctrl (⌘ on a Mac) to choose several.")


class DocumentForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Document
        fields = [
            "document_type",
            "parent",
            "code",
            "title",
            "department",
            "owner",
            "confidentiality",
            "clauses",
            "related_documents",
            "legal_basis",
            "review_interval_months",
        ]
        widgets = {
            "clauses": forms.SelectMultiple(attrs={"size": 8}),
            "related_documents": forms.SelectMultiple(attrs={"size": 6}),
            "legal_basis": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {"code": _("Leave empty to get the next free code for the type.")}
        field_classes = {"owner": PersonChoiceField, "legal_basis": ExternalChoiceField}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Document.objects.visible_to(actor).exclude(pk=self.instance.pk)
        self.fields["code"].required = False
        self.fields["parent"].queryset = visible
        self.fields["parent"].empty_label = _("(none)")
        self.fields["related_documents"].queryset = visible
        self.fields["legal_basis"].queryset = ExternalDocument.objects.visible_to(actor)
        self.fields["department"].queryset = Department.objects.visible_to(actor).filter(
            is_active=True
        )
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["owner"].queryset = _people(actor)
        self.fields["owner"].empty_label = _("Choose the owner")
        self.fields["document_type"].choices = [("", _("Choose a type")), *DocumentType.choices]
        for name in ("clauses", "related_documents", "legal_basis"):
            self.fields[name].help_text = MULTI_HINT
        if self.instance.pk:
            self.initial["version"] = self.instance.version


def _step_field(label: str):
    return PersonChoiceField(
        label=label, queryset=User.objects.none(), required=False, empty_label=_("(nobody)")
    )


class RevisionForm(AttachmentForm):
    """A new revision, or a draft being changed: file, summary, reviewers and approvers."""

    change_summary = forms.CharField(
        label=_("summary of changes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed and why; readers see this before they open the file."),
    )
    planned_effective_date = forms.DateField(
        label=_("planned effective date"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty to make it effective as soon as it is approved."),
    )
    version = VersionField()

    def __init__(self, *args, actor=None, file_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]
        self.fields["file"].required = file_required
        self.fields["file"].help_text = _(
            "PDF, Word or Excel. PDFs are stamped as controlled copies when opened or downloaded."
        )
        people = _people(actor)
        for i in range(1, MAX_STEPS + 1):
            self.fields[f"reviewer_{i}"] = _step_field(_("Reviewer %(n)s") % {"n": i})
            self.fields[f"reviewer_{i}"].queryset = people
        for i in range(1, MAX_STEPS + 1):
            self.fields[f"approver_{i}"] = _step_field(_("Approver %(n)s") % {"n": i})
            self.fields[f"approver_{i}"].queryset = people

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            return super().clean_file()
        return upload

    def people(self, role: str) -> list[User]:
        chosen = [self.cleaned_data.get(f"{role}_{i}") for i in range(1, MAX_STEPS + 1)]
        return [person for person in chosen if person]


class StepDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=(), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you request changes or reject."),
    )
    password = forms.CharField(
        label=_("your password (electronic signature)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Agreeing signs the file: enter your password again."),
    )
    version = VersionField()

    def __init__(self, *args, role: str = "approver", **kwargs):
        super().__init__(*args, **kwargs)
        agree = _("Agree: reviewed") if role == "reviewer" else _("Approve")
        self.fields["decision"].choices = [
            (StepDecision.APPROVED, agree),
            (StepDecision.CHANGES_REQUESTED, _("Request changes")),
            (StepDecision.REJECTED, _("Reject")),
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


class DistributionForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("department (and its units)"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    role = forms.ChoiceField(label=_("role"), required=False)
    user = forms.ModelChoiceField(
        label=_("person"), queryset=User.objects.none(), required=False, empty_label=_("(none)")
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["role"].choices = [("", _("(none)")), *[(r.slug, r.name) for r in ROLES]]
        self.fields["user"].queryset = _people(actor)

    def clean(self):
        cleaned = super().clean()
        chosen = [
            bool(cleaned.get("department")),
            bool(cleaned.get("role")),
            bool(cleaned.get("user")),
        ]
        if sum(chosen) != 1:
            raise forms.ValidationError(_("Choose one department, one role or one person."))
        return cleaned


class PeriodicReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=ReviewOutcome.choices)
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_review_date = forms.DateField(
        label=_("next review"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for the document's usual interval."),
    )
    version = VersionField()


class ExternalDocumentForm(forms.ModelForm):
    version = VersionField()
    url = forms.URLField(label=_("link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = ExternalDocument
        fields = [
            "kind",
            "number",
            "title",
            "issuing_body",
            "issued_on",
            "effective_on",
            "legal_status",
            "status_note",
            "url",
        ]
        widgets = {"issued_on": DATE, "effective_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = self.instance.version


class TypeSettingForm(forms.ModelForm):
    class Meta:
        model = DocumentTypeSetting
        fields = [
            "prefix",
            "numbered_under_parent",
            "review_interval_months",
            "default_reviewers",
            "default_approvers",
        ]
        widgets = {
            "default_reviewers": forms.SelectMultiple(attrs={"size": 6}),
            "default_approvers": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_reviewers"].queryset = _people(actor)
        self.fields["default_approvers"].queryset = _people(actor)
