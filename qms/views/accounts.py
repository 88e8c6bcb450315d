"""Sign-in, sign-out and passwords: Django's views with the security log attached."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from qms import services


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("qms:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, request=self.request)
        return response


class PasswordResetForm(auth_forms.PasswordResetForm):
    # Django's own label is missing from its Vietnamese catalogue.
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        """Also accounts created without a password (their invitation link may be lost);
        every account here is a local one, so "no usable password" never means SSO."""
        from qms.models import User

        return (
            user for user in User.objects.filter(email__iexact=email, is_active=True) if user.email
        )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("qms:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("qms:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, request=self.request, by_reset=True)
        return response
