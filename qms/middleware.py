from django.utils import translation


class UserLanguageMiddleware:
    """Show a signed-in user the portal in the language they chose in their profile.

    Anonymous visitors keep Django's negotiation (language cookie, then browser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
