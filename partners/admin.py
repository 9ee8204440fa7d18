from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from . import roles
from .forms import TypedNumbersAdminMixin
from .models import LAG, LAGPriority, LocalStrategy, Municipality, OutboxMessage, TerritoryUnit, User


class LAGPriorityInline(TranslationTabularInline):
    model = LAGPriority
    extra = 0


class LocalStrategyInline(TypedNumbersAdminMixin, TranslationStackedInline):
    model = LocalStrategy
    extra = 0


@admin.register(LAG)
class LAGAdmin(TranslationAdmin):
    list_display = ["short_name", "name", "founded_year", "public_benefit", "unit_count"]
    list_filter = ["public_benefit"]
    search_fields = ["name", "short_name", "slug"]
    inlines = [LAGPriorityInline, LocalStrategyInline]
    # A website typed without a scheme is https (Django 6's default, chosen now explicitly).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("pagasti un pilsētas"))
    def unit_count(self, obj):
        return obj.territory_units.count()


@admin.register(Municipality)
class MunicipalityAdmin(TranslationAdmin):
    list_display = ["name", "era", "slug"]
    list_filter = ["era"]
    search_fields = ["name", "slug"]


@admin.register(TerritoryUnit)
class TerritoryUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "lag", "municipality_2009", "municipality_2021"]
    list_filter = ["lag", "kind", "municipality_2009", "municipality_2021"]
    search_fields = ["name"]
    list_select_related = ["lag", "municipality_2009", "municipality_2021"]


class RolesAndLAGFormMixin:
    """An account's roles decide its staff status and whether it names a LAG (``partners.roles``)."""

    def clean(self):
        cleaned = super().clean()
        if "groups" in self.fields:
            if "groups" not in cleaned:
                return cleaned  # the field says what is wrong with it
            role_names = {group.name for group in cleaned["groups"]}
        else:
            role_names = (
                set(self.instance.groups.values_list("name", flat=True)) if self.instance.pk else set()
            )
        has_lag = cleaned.get("lag") is not None if "lag" in self.fields else self.instance.lag_id is not None
        refusal = roles.lag_refusal(role_names, has_lag)
        if refusal:
            self.add_error("lag" if "lag" in self.fields else None, refusal)
        is_superuser = cleaned.get("is_superuser", self.instance.is_superuser)
        staff = roles.gives_staff_status(role_names, is_superuser=is_superuser)
        self.instance.is_staff = staff
        if "is_staff" in self.fields:
            cleaned["is_staff"] = staff
        return cleaned


class PortalUserChangeForm(RolesAndLAGFormMixin, UserChangeForm):
    pass


class PortalUserCreationForm(RolesAndLAGFormMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "lag",
        "role_names",
        "is_active",
        "is_demo",
    ]
    list_filter = ["lag", "groups", "is_active", "is_staff", "is_demo"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("VRG"), {"fields": ["lag"]}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("VRG"), {"fields": ["lag", "groups"]}))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lag").prefetch_related("groups")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            # the groups are the portal's roles (partners.roles): call them so
            kwargs["widget"] = widgets.FilteredSelectMultiple(_("lomas"), is_stacked=False)
            field = super().formfield_for_manytomany(db_field, request, **kwargs)
            field.label = _("Lomas")
            field.help_text = _(
                "Loma nosaka, ko lietotājs drīkst darīt; ar lomu lietotājs var pieteikties darba vidē. "
                "VRG speciālistam un VRG koordinatoram jānorāda arī VRG."
            )
            return field
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "is_staff" in form.base_fields:
            # shown, but set by the roles (RolesAndLAGFormMixin)
            form.base_fields["is_staff"].disabled = True
            form.base_fields["is_staff"].help_text = _(
                "Piešķirts automātiski: lietotājam ar lomu (un superlietotājam). Bez lomas lietotājs "
                "administrēšanas vidē neienāk."
            )
        if "lag" in form.base_fields:
            form.base_fields["lag"].help_text = _(
                "Obligāta VRG speciālistam un VRG koordinatoram; valdei un sekretariātam — tukša."
            )
        return form

    # The secretariat manages users but must not hand out more than the roles: only a superuser
    # grants superuser status or single permissions, or edits a superuser.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("lomas"))
    def role_names(self, obj):
        return ", ".join(group.name for group in obj.groups.all())


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The e-mails the portal queued and sent (#16), for the secretariat to see what went out and what
    failed (``last_error``; a failed message is retried by ``manage.py send_mail``). Written only by the
    portal: nobody adds, changes or deletes one here."""

    list_display = ["created_at", "kind", "to_email", "subject", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    fields = [
        "kind",
        "recipient",
        "to_email",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
        "key",
        "body_text",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
