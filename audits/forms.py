from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.choices import FINDING_KINDS, ItemResult, ProgrammeStatus
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from documents.models import Document, ExternalDocument
from qms.forms import VersionField
from qms.models import Department, IsoClause, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MULTI_HINT = _("Hold Ctrl (⌘ on a Mac) to choose several.")


def auditors():
    return (
        User.objects.filter(
            is_active=True, groups__name__in=["internal_auditor", "qms_manager", "external_auditor"]
        )
        .select_related("department")
        .distinct()
        .order_by("last_name", "first_name")
    )


class AuditForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Audit
        fields = [
            "programme",
            "audit_type",
            "title",
            "start_date",
            "end_date",
            "lead_auditor",
            "team",
            "scope_departments",
            "scope_procedures",
            "criteria_clauses",
            "criteria_documents",
            "legal_criteria",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # an approved programme is signed as it stands: audits join it while it is a draft
        self.fields["programme"].queryset = AuditProgramme.objects.filter(
            Q(status=ProgrammeStatus.DRAFT) | Q(pk=self.instance.programme_id)
        )
        self.fields["programme"].empty_label = _("(none)")
        self.fields["lead_auditor"].queryset = auditors()
        self.fields["lead_auditor"].empty_label = _("Choose the lead auditor")
        self.fields["team"].queryset = auditors()
        self.fields["scope_departments"].queryset = Department.objects.filter(is_active=True)
        visible = Document.objects.visible_to(actor)
        self.fields["scope_procedures"].queryset = visible.filter(document_type="procedure")
        self.fields["criteria_documents"].queryset = visible
        self.fields["legal_criteria"].queryset = ExternalDocument.objects.visible_to(actor)
        self.fields["criteria_clauses"].queryset = IsoClause.objects.all()
        for name in (
            "team",
            "scope_departments",
            "scope_procedures",
            "criteria_clauses",
            "criteria_documents",
            "legal_criteria",
        ):
            self.fields[name].help_text = MULTI_HINT
            self.fields[name].widget.attrs["size"] = 6
        if self.instance.pk:
            self.initial["version"] = self.instance.version


class SessionForm(forms.Form):
    prefix = "session"  # shares the audit's page with the finding form: ids must differ
    department = forms.ModelChoiceField(
        label=_("department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
    )
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME)
    topic = forms.CharField(label=_("topic"), max_length=300, required=False)

    def __init__(self, *args, audit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if audit is not None:
            self.fields["department"].queryset = audit.scope_departments.all()


class AnswerForm(forms.Form):
    result = forms.ChoiceField(
        label=_("result"), choices=[("", "—"), *ItemResult.choices], required=False
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.CharField(
        label=_("evidence seen"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FindingForm(forms.ModelForm):
    prefix = "finding"

    class Meta:
        model = Finding
        fields = ["kind", "department", "clause", "requirement", "evidence", "statement"]
        widgets = {
            "requirement": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "statement": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, audit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FINDING_KINDS
        if audit is not None:
            self.fields["department"].queryset = audit.scope_departments.all()
        self.fields["clause"].empty_label = _("(none)")
        self.fields["department"].empty_label = _("Choose a department")
        self.fields["kind"].choices = [("", _("Choose the kind")), *FINDING_KINDS]


class FindingEditForm(FindingForm):
    """The same fields for a finding being corrected; each finding has its own prefix."""

    version = VersionField()

    def __init__(self, *args, audit=None, **kwargs):
        kwargs.setdefault("prefix", f"edit-{kwargs['instance'].pk}")
        super().__init__(*args, audit=audit, **kwargs)
        self.fields["version"].initial = self.instance.version


class WithdrawFindingForm(forms.Form):
    reason = forms.CharField(label=_("reason for withdrawing"), max_length=300)
    version = VersionField()


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    conclusion = forms.CharField(
        label=_("conclusion on conformity and effectiveness"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    password = forms.CharField(
        label=_("your password (electronic signature)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    version = VersionField()


class ReportCorrectionForm(ReportForm):
    """A correction after signature: the same fields, a reason, and a new signature."""

    prefix = "correction"
    field_order = ["summary", "conclusion", "reason", "password", "version"]
    reason = forms.CharField(
        label=_("what is corrected and why"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgrammeForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = AuditProgramme
        fields = ["year", "cycle_years", "objectives"]


class ApproveForm(forms.Form):
    password = forms.CharField(
        label=_("your password (electronic signature)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ExternalAuditorForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("external auditor"),
        queryset=User.objects.none(),
        empty_label=_("Choose an external auditor"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            groups__name="external_auditor", is_active=True
        ).order_by("last_name", "first_name")


class FindingActionForm(forms.Form):
    prefix = "action"
    finding = forms.ModelChoiceField(
        label=_("finding"), queryset=Finding.objects.none(), empty_label=_("Choose a finding")
    )
    title = forms.CharField(label=_("action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("owner"), queryset=User.objects.none(), empty_label=_("Choose the owner")
    )
    due_date = forms.DateField(label=_("due date"), widget=DATE)

    def __init__(self, *args, audit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if audit is not None:
            self.fields["finding"].queryset = (
                audit.findings.current()
                .filter(kind__in=[ItemResult.OBSERVATION, ItemResult.OFI], action__isnull=True)
                .select_related("audit")
            )
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True, department__isnull=False)
            .select_related("department")
            .order_by("last_name", "first_name")
        )


class QuestionForm(forms.ModelForm):
    prefix = "question"

    class Meta:
        model = ChecklistItem
        fields = ["department", "clause", "question"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, audit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].required = True
        self.fields["clause"].empty_label = _("(none)")
        self.fields["department"].empty_label = (
            _("Choose a department") if self.fields["department"].required else _("(none)")
        )
        if audit is not None:
            self.fields["department"].queryset = audit.scope_departments.all()
