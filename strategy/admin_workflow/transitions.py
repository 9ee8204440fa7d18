"""The workflow's transitions in the admin: the list's actions, the change page's buttons and history,
the change form's «Iesniegt apstiprināšanai» — each through one service (:mod:`strategy.services`)."""

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from partners import latvian

from .. import permissions, services
from ..models import StatusChange
from ..workflow import Status
from .common import admin_url, admin_view_name, object_or_404
from .forms import NoteForm

TRANSITION_LABELS = {
    permissions.SUBMIT: gettext_lazy("Iesniegt apstiprināšanai"),
    permissions.APPROVE: gettext_lazy("Apstiprināt"),
    permissions.RETURN: gettext_lazy("Atgriezt labošanai"),
    permissions.REOPEN: gettext_lazy("Atvērt labošanai"),
}
DONE_MESSAGES = {
    permissions.SUBMIT: gettext_lazy("Iesniegti apstiprināšanai: %(count)d."),
    permissions.APPROVE: gettext_lazy("Apstiprināti: %(count)d."),
    permissions.RETURN: gettext_lazy("Atgriezti labošanai: %(count)d."),
    permissions.REOPEN: gettext_lazy("Atvērti labošanai: %(count)d."),
}
# After «Iesniegt apstiprināšanai» on the change form; the participles agree with the model's noun.
SAVED_AND_SUBMITTED = {
    False: pgettext_lazy("masculine", "%(name)s «%(record)s» saglabāts un iesniegts apstiprināšanai."),
    True: pgettext_lazy("feminine", "%(name)s «%(record)s» saglabāta un iesniegta apstiprināšanai."),
}
SAVED_NOT_SUBMITTED = {
    False: pgettext_lazy("masculine", "%(name)s «%(record)s» saglabāts, bet nav iesniegts: %(reason)s"),
    True: pgettext_lazy("feminine", "%(name)s «%(record)s» saglabāta, bet nav iesniegta: %(reason)s"),
}
NEEDS_NOTE = {permissions.RETURN, permissions.REOPEN}
# The change form's own submit button: the edit is saved through the form first, then submitted.
SUBMIT_BUTTON = "_submit_for_approval"


def run_transition(request, transition, record, **kwargs):
    """Run one service; returns the refusal message, or None when it went through."""
    try:
        services.TRANSITION_FUNCTIONS[transition](record, by=request.user, **kwargs)
    except services.WorkflowError as error:
        return " ".join(error.messages)
    return None


class WorkflowTransitionsMixin:
    """The transitions of a :class:`~strategy.admin_workflow.admins.WorkflowAdmin`."""

    actions = ["submit_selected", "approve_selected", "return_selected", "reopen_selected"]

    def _run_action(self, request, queryset, transition, **kwargs):
        done = 0
        for record in queryset:
            refusal = run_transition(request, transition, record, **kwargs)
            if refusal:
                self.message_user(request, f"«{record}»: {refusal}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, DONE_MESSAGES[transition] % {"count": done}, messages.SUCCESS)

    @admin.action(description=TRANSITION_LABELS[permissions.SUBMIT], permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._run_action(request, queryset, permissions.SUBMIT)

    @admin.action(description=TRANSITION_LABELS[permissions.APPROVE], permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._run_action(request, queryset, permissions.APPROVE)

    def _note_action(self, request, queryset, transition):
        form = NoteForm(request.POST if "apply" in request.POST else None, transition=transition)
        if form.is_valid():
            self._run_action(request, queryset, transition, **form.service_kwargs())
            return None  # back to the list
        action = "return_selected" if transition == permissions.RETURN else "reopen_selected"
        context = {
            **self.admin_site.each_context(request),
            "title": TRANSITION_LABELS[transition],
            "opts": self.model._meta,
            "records": queryset,
            "form": form,
            "action": action,
            "action_label": TRANSITION_LABELS[transition],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/workflow/note_action.html", context)

    @admin.action(description=TRANSITION_LABELS[permissions.RETURN], permissions=["return"])
    def return_selected(self, request, queryset):
        return self._note_action(request, queryset, permissions.RETURN)

    @admin.action(description=TRANSITION_LABELS[permissions.REOPEN], permissions=["reopen"])
    def reopen_selected(self, request, queryset):
        return self._note_action(request, queryset, permissions.REOPEN)

    # --- the change page: status, transitions, history ----------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/workflow/<str:transition>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
        ] + super().get_urls()

    def transition_view(self, request, object_id, transition):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if transition not in permissions.TRANSITIONS:
            raise PermissionDenied
        record = object_or_404(self, request, object_id)
        change_url = admin_url(self, "change", record.pk)
        kwargs = {}
        if transition in NEEDS_NOTE:
            form = NoteForm(request.POST, transition=transition)
            if not form.is_valid():
                self.message_user(request, " ".join(sum(form.errors.values(), [])), messages.ERROR)
                return HttpResponseRedirect(change_url)
            kwargs = form.service_kwargs()
        refusal = run_transition(request, transition, record, **kwargs)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
        else:
            self.message_user(
                request,
                _("«%(record)s»: %(status)s.") % {"record": record, "status": record.get_status_display()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change_url)

    def workflow_context(self, request, obj):
        user = request.user
        # Submitting is the change form's own button (``SUBMIT_BUTTON``), so that an edit in the form is
        # saved with it: a separate form here would send the status change without the edit.
        transitions = [
            {
                "name": name,
                "label": TRANSITION_LABELS[name],
                "form": NoteForm(transition=name, auto_id=f"id_{name}_%s") if name in NEEDS_NOTE else None,
            }
            for name in permissions.TRANSITIONS
            if name != permissions.SUBMIT and permissions.can_transition(user, obj, name)
        ]
        history = StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).select_related("by")
        # another LAG's staff see the approved record as the public does: no status log, no notes
        shows_history = permissions.reads_private_parts(user, obj)
        review = {}
        if obj.status in (Status.DRAFT, Status.RETURNED, Status.SUBMITTED):
            # who reviews it, and why not this person: never a panel without an explanation
            names, secretariat = permissions.reviewers(obj)
            review = {
                "reviewer_names": names,
                "secretariat_reviews": secretariat,
                "review_refusal": permissions.review_refusal(user, obj)
                if obj.status == Status.SUBMITTED
                else None,
            }
        return {
            "record": obj,
            "transitions": transitions,
            "can_submit": permissions.can_transition(user, obj, permissions.SUBMIT),
            "history": history if shows_history else (),
            "shows_history": shows_history,
            "review": review,
            "read_only_reason": permissions.edit_refusal(user, obj),
            "transition_url_name": admin_view_name(self.opts, "transition", self.admin_site.name),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and permissions.can_view(request.user, obj):
            extra_context["workflow"] = self.workflow_context(request, obj)
            extra_context["submit_button"] = extra_context["workflow"]["can_submit"] and {
                "name": SUBMIT_BUTTON,
                "label": TRANSITION_LABELS[permissions.SUBMIT],
                "help": _("Saglabā izmaiņas un iesniedz ierakstu apstiprināšanai."),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if permissions.may_submit_any(request.user):
            extra_context["submit_button"] = {
                "name": SUBMIT_BUTTON,
                "label": _("Saglabāt un iesniegt apstiprināšanai"),
                "help": _("Saglabā jauno ierakstu un uzreiz iesniedz to apstiprināšanai."),
            }
        return super().add_view(request, form_url, extra_context)

    def _submit_saved(self, request, obj):
        """After the form saved the record (in the same transaction): submit it, and say so."""
        change_url = admin_url(self, "change", obj.pk)
        refusal = run_transition(request, permissions.SUBMIT, obj)
        # This message replaces the admin's "… changed" one (ddkc.admin_site), in the noun's gender.
        request.__dict__.pop("_portal_success_message", None)
        feminine = latvian.gender_of(self.model) == latvian.FEMININE
        name = capfirst(self.opts.verbose_name)
        if refusal:
            sentence = SAVED_NOT_SUBMITTED[feminine]
            self.message_user(
                request, sentence % {"name": name, "record": obj, "reason": refusal}, messages.WARNING
            )
        else:
            sentence = SAVED_AND_SUBMITTED[feminine]
            self.message_user(request, sentence % {"name": name, "record": obj}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def response_change(self, request, obj):
        if SUBMIT_BUTTON in request.POST:
            return self._submit_saved(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if SUBMIT_BUTTON in request.POST:
            return self._submit_saved(request, obj)
        return super().response_add(request, obj, post_url_continue)
