from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nonconformities.forms import DATE, PersonField, PlanActionForm, active_people
from qms.forms import VersionField
from qms.models import User
from reviews.choices import DecisionKind
from reviews.models import ManagementReview


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} · {obj.department}" if obj.department_id else str(obj)


class ReviewForm(forms.ModelForm):
    participants = PeopleField(
        label=_("participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    version = VersionField()

    class Meta:
        model = ManagementReview
        fields = [
            "title",
            "meeting_date",
            "place",
            "period_start",
            "chair",
            "participants",
            "issues",
            "external_providers",
            "resources",
        ]
        widgets = {
            "meeting_date": DATE,
            "period_start": DATE,
            "issues": forms.Textarea(attrs={"rows": 3}),
            "external_providers": forms.Textarea(attrs={"rows": 3}),
            "resources": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"chair": PersonField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = active_people()
        self.fields["participants"].queryset = people
        self.fields["chair"].queryset = people.filter(groups__name="top_management")
        self.fields["chair"].empty_label = _("Choose the agency head")
        self.fields["period_start"].required = False


class MinutesForm(forms.Form):
    prefix = "minutes"
    participants = PeopleField(
        label=_("participants present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    other_participants = forms.CharField(
        label=_("other participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 8}))
    conclusion = forms.CharField(
        label=_("conclusion on the suitability, adequacy and effectiveness of the QMS"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = active_people()


class DecisionForm(PlanActionForm):
    prefix = "decision"
    field_order = ["kind", "text", "title", "description", "owner", "due_date"]
    kind = forms.ChoiceField(label=_("kind of decision"), choices=DecisionKind.choices)
    text = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    prefix = "sign"
    password = forms.CharField(
        label=_("your password, to sign"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    version = VersionField()


class CancelForm(forms.Form):
    prefix = "cancel"
    reason = forms.CharField(label=_("reason"), max_length=300)
    version = VersionField()
