from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nonconformities.forms import DATE, PersonField, active_people
from planning import matrix
from planning.models import Announcement, Objective, Risk, Scope, ScorecardCriterion
from procedures.models import Procedure, Process
from qms.forms import VersionField
from qms.models import Department


class ObjectiveForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Objective
        fields = [
            "year",
            "department",
            "statement",
            "indicator",
            "measure",
            "procedure",
            "within_days",
            "target",
            "unit",
            "direction",
            "frequency",
            "owner",
        ]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"owner": PersonField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["department"].empty_label = _("The whole agency")
        self.fields["procedure"].queryset = Procedure.objects.visible_to(user).order_by("code")
        self.fields["procedure"].empty_label = _("All procedures")
        self.fields["owner"].queryset = active_people()
        self.fields["owner"].empty_label = _("Choose the owner")


class MeasurementForm(forms.Form):
    prefix = "value"
    period_end = forms.TypedChoiceField(label=_("period"), coerce=forms.DateField().clean)
    value = forms.DecimalField(label=_("value"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, objective=None, **kwargs):
        super().__init__(*args, **kwargs)
        from planning.measures import periods

        choices = []
        if objective is not None:
            for start, end in periods(objective.year, objective.frequency):
                last = end.fromordinal(end.toordinal() - 1)
                choices.append((last.isoformat(), f"{start:%d/%m} – {last:%d/%m/%Y}"))
        self.fields["period_end"].choices = choices


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)
    version = VersionField()


class RiskForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Risk
        fields = [
            "kind",
            "title",
            "description",
            "cause",
            "consequence",
            "department",
            "process",
            "owner",
            "likelihood",
            "impact",
            "treatment",
            "treatment_plan",
            "residual_likelihood",
            "residual_impact",
            "review_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "cause": forms.Textarea(attrs={"rows": 2}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "treatment_plan": forms.Textarea(attrs={"rows": 2}),
            "review_date": DATE,
        }
        field_classes = {"owner": PersonField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["process"].queryset = Process.objects.visible_to(user).filter(is_active=True)
        self.fields["process"].empty_label = _("(no particular process)")
        self.fields["owner"].queryset = active_people()
        self.fields["owner"].empty_label = _("Choose the owner")
        for field, kind in (
            ("likelihood", "likelihood"),
            ("impact", "impact"),
            ("residual_likelihood", "likelihood"),
            ("residual_impact", "impact"),
        ):
            required = field in ("likelihood", "impact")
            self.fields[field] = forms.TypedChoiceField(
                label=self.fields[field].label,
                choices=([] if required else [("", _("(not assessed)"))]) + matrix.scale(kind),
                coerce=int,
                empty_value=None,
                required=required,
            )


class RiskReviewForm(forms.Form):
    prefix = "review"
    likelihood = forms.TypedChoiceField(label=_("likelihood"), coerce=int)
    impact = forms.TypedChoiceField(label=_("impact"), coerce=int)
    residual_likelihood = forms.TypedChoiceField(
        label=_("likelihood after treatment"), coerce=int, empty_value=None, required=False
    )
    residual_impact = forms.TypedChoiceField(
        label=_("impact after treatment"), coerce=int, empty_value=None, required=False
    )
    note = forms.CharField(
        label=_("what the review found"), widget=forms.Textarea(attrs={"rows": 2})
    )
    next_review = forms.DateField(label=_("next review"), widget=DATE)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("likelihood", "residual_likelihood"):
            self.fields[name].choices = matrix.scale("likelihood")
        for name in ("impact", "residual_impact"):
            self.fields[name].choices = matrix.scale("impact")
        for name in ("residual_likelihood", "residual_impact"):
            self.fields[name].choices = [("", _("(not assessed)"))] + self.fields[name].choices


class ScopeForm(forms.ModelForm):
    class Meta:
        model = Scope
        fields = [
            "statement",
            "exclusions",
            "departments",
            "procedures",
            "effective_from",
            "reason",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 4}),
            "exclusions": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "effective_from": DATE,
            "departments": forms.SelectMultiple(attrs={"size": 6}),
            "procedures": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.visible_to(user).filter(
            is_active=True
        )
        self.fields["procedures"].queryset = Procedure.objects.visible_to(user).order_by("code")


class AnnouncementForm(forms.ModelForm):
    prefix = "announcement"

    class Meta:
        model = Announcement
        fields = ["announced_on", "decision_number", "signed_by", "note"]
        widgets = {"announced_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class CriterionForm(forms.ModelForm):
    prefix = "criterion"

    class Meta:
        model = ScorecardCriterion
        fields = ["name", "metric", "weight", "target", "position", "is_active"]

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight <= 0:
            raise forms.ValidationError(_("A weight is more than zero."))
        return weight

    def clean_target(self):
        target = self.cleaned_data["target"]
        if not 0 < target <= 100:
            raise forms.ValidationError(_("A percentage target lies between 0 and 100."))
        return target
