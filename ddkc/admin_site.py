"""The portal's admin site: Django's, with the staff's Latvian titles and success messages that agree
with the record's noun (*Aktivitāte «…» pievienota*, *Lietotājs «…» pievienots*, *Dzēstas 3
aktivitātes*, *Dzēsta 21 aktivitāte*). Django builds these messages from one sentence for every model,
which in Latvian leaves a feminine noun with a masculine participle («aktivitāte … pievienots»).

Every ModelAdmin registered on the site gets :class:`LatvianMessagesMixin` (``register`` adds it, as
Django's own ``register(**options)`` makes a subclass), so no admin can forget it. Each model declares
its noun's gender (``partners.latvian``)."""

from functools import partial
from urllib.parse import quote as urlquote

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext, pgettext_lazy

from partners import latvian
from partners.notification_settings import notification_settings_view
from strategy.admin_workflow.common import admin_view_name

ADDED = {
    latvian.MASCULINE: pgettext_lazy("masculine", "{name} «{obj}» pievienots."),
    latvian.FEMININE: pgettext_lazy("feminine", "{name} «{obj}» pievienota."),
}
CHANGED = {
    latvian.MASCULINE: pgettext_lazy("masculine", "{name} «{obj}» mainīts."),
    latvian.FEMININE: pgettext_lazy("feminine", "{name} «{obj}» mainīta."),
}
DELETED = {
    latvian.MASCULINE: pgettext_lazy("masculine", "{name} «{obj}» dzēsts."),
    latvian.FEMININE: pgettext_lazy("feminine", "{name} «{obj}» dzēsta."),
}
EDIT_AGAIN = _("Zemāk varat to labot vēlreiz.")
ADD_ANOTHER = _("Zemāk varat pievienot vēl vienu.")


def deleted_many(gender, count, opts):
    noun = opts.verbose_name if latvian.takes_singular(count) else opts.verbose_name_plural
    if gender == latvian.FEMININE:
        text = npgettext("feminine", "Dzēsta %(count)d %(items)s.", "Dzēstas %(count)d %(items)s.", count)
    else:
        text = npgettext("masculine", "Dzēsts %(count)d %(items)s.", "Dzēsti %(count)d %(items)s.", count)
    return text % {"count": count, "items": noun}


class LatvianMessagesMixin:
    """The add, change and delete messages in Latvian that agree with the model's noun. Django's
    ``response_*`` methods keep deciding where to go next; the message they send is replaced by ours
    (a request attribute carries it to ``message_user``, so concurrent requests cannot mix them)."""

    def _gender(self):
        return latvian.gender_of(self.model) or latvian.MASCULINE

    def _will_say(self, request, message):
        """``message``: a callable, asked when Django sends its message (after e.g. the user admin
        has decided to continue editing)."""
        request._portal_success_message = message

    def message_user(self, request, message, level=messages.INFO, extra_tags="", fail_silently=False):
        if level == messages.SUCCESS and hasattr(request, "_portal_success_message"):
            message = request.__dict__.pop("_portal_success_message")()
        return super().message_user(request, message, level, extra_tags, fail_silently)

    def _saved(self, request, obj, sentences):
        self._will_say(request, lambda: self._saved_message(request, obj, sentences))

    def _saved_message(self, request, obj, sentences):
        opts = obj._meta
        if self.has_change_permission(request, obj):
            url = reverse(
                admin_view_name(opts, "change"),
                args=(quote(obj.pk),),
                current_app=self.admin_site.name,
            )
            obj_repr = format_html('<a href="{}">{}</a>', urlquote(url), obj)
        else:
            obj_repr = str(obj)
        message = format_html(str(sentences[self._gender()]), name=capfirst(opts.verbose_name), obj=obj_repr)
        edits_again = "_continue" in request.POST or ("_saveasnew" in request.POST and self.save_as_continue)
        if edits_again and self.has_change_permission(request, obj):
            message = format_html("{} {}", message, EDIT_AGAIN)
        elif "_addanother" in request.POST:
            message = format_html("{} {}", message, ADD_ANOTHER)
        return message

    def response_add(self, request, obj, post_url_continue=None):
        self._saved(request, obj, ADDED)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._saved(request, obj, ADDED if "_saveasnew" in request.POST else CHANGED)
        return super().response_change(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        name = capfirst(self.opts.verbose_name)
        self._will_say(request, lambda: format_html(str(DELETED[self._gender()]), name=name, obj=obj_display))
        return super().response_delete(request, obj_display, obj_id)

    def delete_queryset(self, request, queryset):
        count = len(queryset)  # the "delete selected" action has read it already
        super().delete_queryset(request, queryset)
        self._will_say(request, lambda: deleted_many(self._gender(), count, self.opts))


class PortalAdminSite(admin.AdminSite):
    site_header = "DDKC stratēģijas uzraudzība"
    site_title = "DDKC portāls"
    index_title = "Darba vide"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, LatvianMessagesMixin):
            admin_class = type(
                admin_class.__name__,
                (LatvianMessagesMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        # Each user's own e-mail choices (#16): a page of the site, not of a model admin, since it
        # needs no model permission (``admin_view`` still requires a signed-in staff account).
        return [
            path(
                "notifications/",
                self.admin_view(partial(notification_settings_view, self)),
                name="notification_settings",
            ),
            *super().get_urls(),
        ]
