"""Sign-in backend: Django's, loading the user's department with the user.

Almost every page reads ``request.user.department`` (scope, My tasks, the header); loading
it with the user saves that query on every request.
"""

from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        from qms.models import User

        try:
            user = User._default_manager.select_related("department").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
