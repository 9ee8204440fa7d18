"""«Mani e-pasta paziņojumi»: each user's own choice of e-mails (#16), a page of the admin.

Every staff account reaches it from the admin's user tools and changes only its own ``notify_*``
boxes — no model permission is needed for that, and nobody changes another person's choices here (the
secretariat's user admin is for accounts, not for someone else's inbox)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User

FIELDS = [
    "notify_submitted",
    "notify_returned",
    "notify_approved",
    "notify_comments",
    "notify_digest",
    "notify_reminders",
]


class NotificationSettingsForm(forms.ModelForm):
    """One box per kind of e-mail, nothing else of the account."""

    class Meta:
        model = User
        fields = FIELDS
        help_texts = {
            "notify_submitted": gettext_lazy(
                "Koordinatoram (vai sekretariātam): kad iesniegts ieraksts, ko izskatāt jūs."
            ),
            "notify_returned": gettext_lazy(
                "Kad jūsu veidots vai iesniegts ieraksts atgriezts labošanai, ar piezīmi."
            ),
            "notify_approved": gettext_lazy("Kad jūsu veidots ieraksts apstiprināts."),
            "notify_comments": gettext_lazy(
                "Kad kāds komentē ierakstu, ko veidojāt, iesniedzāt vai komentējāt."
            ),
            "notify_digest": gettext_lazy(
                "Pirmdienās: ieraksti, kas gaida jūsu izskatīšanu (ja tādu nav, vēstules nav)."
            ),
            "notify_reminders": gettext_lazy(
                "Pirms sekretariāta noteiktā termiņa: jūsu VRG neiesniegtie ieraksti."
            ),
        }


def notification_settings_view(admin_site, request):
    """The page: the signed-in user's boxes; saving shows a message and stays on the page."""
    form = NotificationSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Jūsu e-pasta paziņojumu izvēle saglabāta."))
        return redirect("admin:notification_settings")
    context = {
        **admin_site.each_context(request),
        "title": _("Mani e-pasta paziņojumi"),
        "form": form,
        "email": request.user.email,
    }
    return TemplateResponse(request, "admin/notification_settings.html", context)
