"""Views that belong to no single app: the health probe, evidence downloads, the privacy notice and the
error pages (400, 403, 404, 500; the admin's refusal page among them)."""

from pathlib import PurePosixPath

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from indicators.models import Measurement
from partners import roles
from strategy import permissions
from strategy.models import Evidence
from strategy.uploads import content_type_of


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request):
    """200 ``ok`` while the database answers a query, 503 when it does not (for a load balancer or a
    monitoring probe; it says nothing else about the portal)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def _record_file(kind, pk):
    """(the record, its file, whether the file is marked publishable)"""
    if kind == "activity":
        evidence = get_object_or_404(Evidence.objects.select_related("activity"), pk=pk)
        return evidence.activity, evidence.file, evidence.publishable
    if kind == "measurement":
        measurement = get_object_or_404(Measurement.objects, pk=pk)
        return measurement, measurement.evidence, measurement.evidence_publishable
    raise Http404


@require_safe
def evidence(request, kind, pk):
    """An evidence file as a download, to whoever ``permissions.may_download_evidence`` lets have it
    (a file is private unless marked publishable); to everyone else it does not exist (404, not 403,
    so that record numbers reveal nothing)."""
    record, field_file, publishable = _record_file(kind, pk)
    if not field_file:
        raise Http404
    if not permissions.may_download_evidence(request.user, record, publishable=publishable):
        raise Http404
    public = publishable and record.is_approved
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    name = PurePosixPath(field_file.name).name
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=content_type_of(field_file.name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, the file runs no script and reaches nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    # No shared cache keeps evidence: an approved record can be reopened and its file withdrawn.
    response["Cache-Control"] = "private, max-age=300" if public else "private, no-store"
    return response


def privacy(request):
    """The privacy notice: what the portal stores, why, who sees it and for how long."""
    return render(request, "privacy.html")


# --- error pages ------------------------------------------------------------------------------------
# The portal's own pages in the page's language, with its navigation, instead of Django's bare English
# ones. They read nothing from the database — the 500 page is shown when the database may be what
# failed — so the demonstration-data notice (a query) is left out.


# The read API's clients get its errors as JSON ({"detail": …}, as its schema says), not a page.
API_ERRORS = {
    400: _lazy("Nepareizs pieprasījums."),
    403: _lazy("Piekļuve liegta."),
    404: _lazy("Nav atrasts."),
    500: _lazy("Servera kļūda; mēģiniet vēlāk vēlreiz."),
}


def _error_page(request, template, status, reason=""):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": reason or str(API_ERRORS[status])}, status=status)
    # The language of the address (/lv/…, /en/…): an error raised before LocaleMiddleware ran (a bad
    # request) has not activated it yet.
    language = translation.get_language_from_path(request.path_info) or translation.get_language()
    with translation.override(language):
        return render(request, template, {"marked_data": {}, "reason": reason}, status=status)


def bad_request(request, exception):
    """``handler400``"""
    return _error_page(request, "400.html", 400)


def page_not_found(request, exception):
    """``handler404``"""
    return _error_page(request, "404.html", 404)


def server_error(request):
    """``handler500``: no database access."""
    return _error_page(request, "500.html", 500)


def permission_denied(request, exception):
    """The 403 page (``handler403``). A staff member refused in the admin gets a Latvian page in the
    admin's look, with the reason when the refusal gives one (``PermissionDenied("…")``), instead of
    Django's bare English "403 Forbidden"; everywhere else the portal's own page."""
    user = getattr(request, "user", None)
    in_admin = request.path.startswith(reverse("admin:index"))
    reason = str(exception) if exception is not None and exception.args else ""
    if not (in_admin and user is not None and user.is_active and user.is_staff):
        return _error_page(request, "403.html", 403, reason)
    if not reason:
        if permissions.role_names(user) & roles.LAG_ROLES and user.lag_id is None:
            reason = _(
                "Jūsu kontam nav norādīta VRG, tāpēc nevarat veidot vai labot tās ierakstus. "
                "Lūdziet sekretariātu to norādīt."
            )
        else:
            reason = _("Šī lapa vai darbība jūsu lomai nav pieejama.")
    context = {**admin.site.each_context(request), "title": _("Piekļuve liegta"), "reason": reason}
    return render(request, "admin/permission_denied.html", context, status=403)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form sent without its security token (an expired page, cookies blocked)
    gets the portal's 403 page with what to do, not Django's English "CSRF verification failed"."""
    return permission_denied(
        request,
        PermissionDenied(
            _(
                "Veidlapas drošības pārbaude neizdevās: lapa, iespējams, bija atvērta pārāk ilgi vai "
                "pārlūks neļauj sīkdatnes. Pārlādējiet lapu un mēģiniet vēlreiz."
            )
        ),
    )
