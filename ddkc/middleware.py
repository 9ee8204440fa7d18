from django.conf import settings
from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    """The admin is the staff's Latvian workplace whatever their browser asks for."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path.startswith(self.prefix):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class ClosedYearMiddleware:
    """The safety net of the year lock (invariant 9): when any view — an admin delete, a list action, a
    staff form — runs into a closed year after its own checks, the user sees the Latvian message and
    is sent back, instead of a server error. The lock itself is in ``strategy.year_lock``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.utils.http import url_has_allowed_host_and_scheme

        from strategy.year_lock import ClosedYearError

        if not isinstance(exception, ClosedYearError):
            return None
        messages.error(request, " ".join(exception.messages))
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:index")
        return redirect(back)


class HostValidationMiddleware:
    """The host is validated before anything answers: ``request.get_host()`` raises DisallowedHost (a
    400) for a host outside ALLOWED_HOSTS. It stands before ``PublicPageMiddleware``, which would
    otherwise answer a cached public page for any ``Host`` header (CommonMiddleware, which validates
    the host for the other requests, runs after it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.get_host()
        return self.get_response(request)


class NullCharacterMiddleware:
    """A NUL character in the path or the query string is never meaningful, and PostgreSQL refuses
    it in any text value (a query with one would be a server error): such a request is a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
        ):
            from .views import bad_request  # the portal's 400 page, in the address's language

            return bad_request(request, None)
        return self.get_response(request)
