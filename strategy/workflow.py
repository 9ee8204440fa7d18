"""The approval workflow shared by activities and measurements: draft → submitted → approved,
or submitted → returned (with a note) → submitted again. The fields live here; the transitions
are service functions (``strategy.services``) so there is exactly one path for each."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

CONFLICT_MESSAGE = _(
    "Kamēr jūs labojāt, šo ierakstu saglabāja kāds cits. Jūsu izmaiņas nav saglabātas, lai tās "
    "nepārrakstītu viņa izmaiņas: atveriet ierakstu no jauna, pārbaudiet to un ievadiet savas izmaiņas vēlreiz."
)


class EditConflict(ValidationError):
    """The record changed in the database since this copy of it was read (a lost update refused)."""

    def __init__(self, message=CONFLICT_MESSAGE):
        super().__init__(message, code="edit_conflict")


class Status(models.TextChoices):
    DRAFT = "draft", _("melnraksts")
    SUBMITTED = "submitted", _("iesniegts")
    APPROVED = "approved", _("apstiprināts")
    RETURNED = "returned", _("atgriezts labošanai")


class WorkflowQuerySet(models.QuerySet):
    def approved(self):
        """Only approved records count in public numbers, reports and open data (invariant 1)."""
        return self.filter(status=Status.APPROVED)

    def synthetic(self):
        return self.filter(is_synthetic=True)


class WorkflowRecord(models.Model):
    status = models.CharField(
        _("statuss"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        editable=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("autors"),
        editable=False,
    )
    created_at = models.DateTimeField(_("izveidots"), auto_now_add=True)
    updated_at = models.DateTimeField(_("labots"), auto_now=True)
    # Four eyes (invariant 8): whoever authored, last changed or submitted a record does not review it.
    # Every write path names its person: the admin's forms and inlines, the import, the services.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pēdējais laboja"),
        editable=False,
    )
    submitted_at = models.DateTimeField(_("iesniegts"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("iesniedza"),
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("izskatīja"),
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("izskatīts"), null=True, blank=True, editable=False)
    return_note = models.TextField(_("atgriešanas piezīme"), blank=True, editable=False)
    is_demo = models.BooleanField(_("demonstrācijas dati"), default=False, editable=False, db_index=True)
    # Optimistic locking: every save of a stored record claims the version it was read at and
    # raises it by one in the same UPDATE, so of two people who opened the same version only
    # the first saves; the second gets EditConflict instead of silently overwriting.
    version = models.PositiveIntegerField(_("versija"), default=1, editable=False)
    # Load-test data of ``generate_load``: shown with a notice like the demonstration data, removed
    # exactly by ``generate_load --remove`` and never by ``load_demo --remove``.
    is_synthetic = models.BooleanField(_("sintētiski dati"), default=False, editable=False, db_index=True)

    if TYPE_CHECKING:
        # Every concrete workflow record belongs to a LAG (``lag`` is declared on Activity and
        # Measurement, whose LAG fields differ in their help texts).
        lag_id: int

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding and not kwargs.get("force_insert"):
            claimed = (
                type(self)
                ._base_manager.filter(pk=self.pk, version=self.version)
                .update(version=F("version") + 1)
            )
            if not claimed and type(self)._base_manager.filter(pk=self.pk).exists():
                raise EditConflict()
            if claimed:
                self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    @property
    def is_approved(self):
        return self.status == Status.APPROVED
