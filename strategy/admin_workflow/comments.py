"""The discussion on a record in the admin (#16): the thread in the workflow panel and in the change
history, and the form that adds to it — through one service (:func:`strategy.services.add_comment`)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions, services
from .common import admin_url, admin_view_name, object_or_404


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Jūsu komentārs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": gettext_lazy("Komentārs ir tukšs: uzrakstiet tekstu.")},
        help_text=gettext_lazy(
            "Redz ieraksta VRG darbinieki, valde un sekretariāts; publiski netiek rādīts. Personas kodu nenorādiet."
        ),
    )


class WorkflowCommentsMixin:
    """The comments of a :class:`~strategy.admin_workflow.admins.WorkflowAdmin`'s records."""

    object_history_template = "admin/workflow/object_history.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/comments/",
                self.admin_site.admin_view(self.comment_view),
                name="{}_{}_comment".format(*info),
            ),
        ] + super().get_urls()

    def comment_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = object_or_404(self, request, object_id)
        change_url = admin_url(self, "change", record.pk)
        form = CommentForm(request.POST)
        if not form.is_valid():
            self.message_user(request, " ".join(sum(form.errors.values(), [])), messages.ERROR)
            return HttpResponseRedirect(change_url)
        try:
            services.add_comment(record, by=request.user, text=form.cleaned_data["text"])
        except services.WorkflowError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("Komentārs pievienots."), messages.SUCCESS)
        return HttpResponseRedirect(f"{change_url}#wf-comments")

    def comments_context(self, request, obj):
        if not permissions.may_read_comments(request.user, obj):
            return {"shows_comments": False}
        return {
            "shows_comments": True,
            "comments": list(services.comments_of(obj)),
            "comment_form": CommentForm(auto_id="id_comment_%s")
            if permissions.may_comment(request.user, obj)
            else None,
            "comment_url_name": admin_view_name(self.opts, "comment", self.admin_site.name),
        }

    def workflow_context(self, request, obj):
        return {**super().workflow_context(request, obj), **self.comments_context(request, obj)}

    def history_view(self, request, object_id, extra_context=None):
        obj = object_or_404(self, request, object_id)
        extra_context = {**(extra_context or {}), "record": obj, **self.comments_context(request, obj)}
        return super().history_view(request, object_id, extra_context)
