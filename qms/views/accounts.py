"""Sign-in, sign-out and passwords: Django's views with the security log attached."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

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


class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("qms:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("qms:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, request=self.request, by_reset=True)
        return response
