"""The resource base of LAG-owned workflow records: columns, lookups, matching, preview rows and bulk writes."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from partners.models import LAG
from partners.spreadsheets import neutralise

from .. import permissions, tallies
from ..workflow import EditConflict
from ..year_lock import closed_years_read_once, lock_lags
from .preview import EXISTS, NEW, UNCHANGED, UPDATE, ImportResult, PreviewCell
from .widgets import LatvianDateWidget, LatvianDecimalWidget, LookupWidget, is_blank, messages_of, normalise


class Column(fields.Field):
    """A column with what the import template says about it."""

    def __init__(
        self,
        *args,
        required=False,
        doc="",
        example="",
        export_only=False,
        blank_keeps_default=False,
        **kwargs,
    ):
        if export_only:
            kwargs["readonly"] = True
        super().__init__(*args, **kwargs)
        self.required = required
        self.blank_keeps_default = blank_keeps_default
        self.doc = doc
        self.example = example
        self.export_only = export_only


def lag_column():
    """The owning LAG's column, the same in every LAG record spreadsheet."""
    return Column(
        attribute="lag",
        column_name="VRG",
        blank_keeps_default=True,
        doc=gettext_lazy("VRG īsais kods: kaimini, kraslava vai preili. Tukšs — jūsu VRG."),
        example="kaimini",
    )


def status_column(doc):
    """The workflow status: exported to read, never imported (imported records are drafts)."""
    return Column(column_name="statuss", export_only=True, doc=doc)


class LAGRecordResource(resources.ModelResource):
    """Import and export of a LAG-owned workflow model for one user.

    Subclasses declare :class:`Column` fields (``id`` first) and implement ``load_lookups`` (one
    query per kind of reference), ``existing_queryset()``, ``natural_key(instance)`` with
    ``load_matches(dataset)`` (the stored records the file's new rows may already be, loaded with a
    bounded number of queries per file), ``preview_columns()`` and, where needed,
    ``save_relations(objs, created)`` and ``stored_extra(obj, key)``.

    ``preview_versions``: at confirmation, the version of each record the preview showed an update
    of ({id: version}); a record changed since is a row error, so what is written is what was seen.
    """

    #: attribute → how its many-to-many column is saved (set by subclasses)
    m2m_columns = ()

    def __init__(self, user=None, preview_versions=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.preview_versions = preview_versions
        self.dry_run = True
        self.lookups_loaded = False
        self.seen_keys = {}
        self.existing = {}
        self.matches = {}
        self.fields["lag"].widget = LookupWidget(self.resolve_lag, lambda lag: lag.slug)

    @classmethod
    def get_result_class(cls):
        return ImportResult

    # references ----------------------------------------------------------------------------

    def load_lookups(self, dataset):
        self.lags = {normalise(lag.slug): lag for lag in LAG.objects.all()}
        for lag in list(self.lags.values()):
            self.lags.setdefault(normalise(lag.short_name_lv or lag.slug), lag)
        self.editable_lag_ids = set(permissions.editable_lags(self.user).values_list("pk", flat=True))
        self.own_lag = next(
            (lag for lag in self.lags.values() if lag.pk == getattr(self.user, "lag_id", None)), None
        )
        self.lookups_loaded = True

    def resolve_lag(self, value):
        lag = self.lags.get(normalise(value))
        if lag is None:
            raise ValueError(
                _("Nav VRG ar kodu «%(value)s». Derīgie kodi: %(codes)s.")
                % {"value": value, "codes": ", ".join(sorted({lag.slug for lag in self.lags.values()}))}
            )
        if lag.pk not in self.editable_lag_ids:
            raise ValueError(
                _("Importēt var tikai savas VRG ierakstus; šī rinda ir VRG «%(lag)s».") % {"lag": lag.slug}
            )
        return lag

    def lag_of(self, cell):
        """The LAG a row's VRG cell names (the importer's own when empty), quietly: None if unknown."""
        if is_blank(cell):
            return self.own_lag
        lag = self.lags.get(normalise(cell))
        return lag if lag is not None and lag.pk in self.editable_lag_ids else None

    # the stored records the file refers to ---------------------------------------------------

    def existing_queryset(self):
        """The model's records with what comparing and previewing a row needs (no query per row)."""
        return self._meta.model._base_manager.all()

    def load_existing(self, dataset):
        """The records the file's rows name by id, loaded once. At confirmation the importer's LAG rows
        and then these records' rows are locked (SELECT … FOR UPDATE, in the import's transaction,
        in the workflow's lock order) before anything is checked, so a coordinator approving one at
        the same moment either finished first — and the import sees it approved — or waits until
        the import is done."""
        widget = self.fields["id"].widget
        ids = set()
        for value in dataset["id"] if "id" in (dataset.headers or []) else ():
            try:
                pk = widget.clean(value)
            except ValueError:
                continue  # reported as the id column's error on its row
            if pk:
                ids.add(pk)
        queryset = self.existing_queryset()
        if not self.dry_run:
            # The workflow's lock order (strategy.year_lock): the LAG rows first, then the records' —
            # a submission or approval takes them in that order too, so neither waits for the other
            # while holding what the other needs.
            if self.editable_lag_ids:
                lock_lags(*sorted(self.editable_lag_ids))
            queryset = queryset.select_for_update(of=("self",)).order_by("pk")
        self.existing = {}
        ids = sorted(ids)
        for offset in range(0, len(ids), tallies.ID_BATCH):
            batch = ids[offset : offset + tallies.ID_BATCH]
            self.existing.update((obj.pk, obj) for obj in queryset.filter(pk__in=batch))

    def load_matches(self, dataset):
        """``self.matches``: natural key → the stored record the file's new rows may already be."""
        self.matches = {}

    def natural_key(self, instance):
        return None

    # the import steps ----------------------------------------------------------------------

    def column_names(self):
        return {normalise(field.column_name): field.column_name for field in self.fields.values()}

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        with transaction.atomic(using=self.get_db_connection_name()):
            # A file that cannot be read as a whole (a missing column, a user who may not import)
            # is one clear error, not the same error repeated on every row.
            try:
                self.prepare(dataset)
            except ValidationError as error:
                result = self.get_result_class()()
                result.total_rows = len(dataset)
                result.append_base_error(self.get_error_result_class()(error))
                return result
            # Every row's full_clean() checks its year against the closed years: read them once.
            # ...and refresh the activity tallies once, at the end, not once per batch.
            with closed_years_read_once(), tallies.deferred():
                result = super().import_data(dataset, dry_run=dry_run, **kwargs)
        result.preview_headers = [(column[0], (column[2:] or ("",))[0]) for column in self.preview_columns()]
        return result

    def prepare(self, dataset):
        if self.user is None:
            raise ValueError("an import needs the importing user")
        if not permissions.can_import(self.user):
            raise ValidationError(_("Jūsu lomai nav tiesību importēt VRG ierakstus."))
        known = self.column_names()
        headers = [known.get(normalise(header), header) for header in (dataset.headers or [])]
        dataset.headers = headers
        for column in self.import_id_columns():
            if column not in headers:
                dataset.append_col([""] * len(dataset), header=column)
        missing = [
            field.column_name
            for field in self.fields.values()
            if field.required and field.column_name not in dataset.headers
        ]
        if missing:
            raise ValidationError(
                _("Datnē trūkst obligāto kolonnu: %(columns)s. Lejupielādējiet importa veidni.")
                % {"columns": ", ".join(f"«{c}»" for c in missing)}
            )
        self.load_lookups(dataset)
        self.load_existing(dataset)
        self.load_matches(dataset)

    def import_id_columns(self):
        return [self.fields[name].column_name for name in self.get_import_id_fields()]

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        self.row_instance = instance
        return instance, new

    def get_instance(self, instance_loader, row):
        return self.find_existing(row)

    def find_existing(self, row):
        """The stored record the row names by its id, or None (a new record)."""
        try:
            pk = self.fields["id"].widget.clean(row.get("id"))
        except ValueError:
            return None  # reported as the id column's error by import_instance
        return self.existing.get(pk) if pk else None

    def init_instance(self, row=None):
        instance = super().init_instance(row)
        instance.author = self.user
        if self.own_lag is not None and not permissions.is_superuser(self.user):
            instance.lag = self.own_lag  # an empty VRG cell means the importer's own LAG
        return instance

    def import_instance(self, instance, row, **kwargs):
        stored = instance.pk is not None and instance.pk in self.existing
        if not stored:
            # An id that does not exist here (an export from another database) makes a new record.
            row = {**row, "id": ""}
            instance.id = None
        present = [
            field
            for field in self.get_import_fields()
            if not field.readonly and field.column_name in row and field.attribute != "id"
        ]
        if stored:
            instance._import_seen_version = instance.version
            # Asked before the row changes the record: its stored status and year decide.
            instance._import_refusal = permissions.edit_refusal(self.user, instance)
            instance._import_before = self.comparable(instance, present)
            instance._import_before_cells = self.preview_texts(instance) if self.dry_run else None
        errors = self.read_row(instance, row, **kwargs)
        if not errors:
            errors = self.check_duplicates(instance)
        if not errors:
            errors = self.decide(instance, present, stored)
        if errors:
            raise ValidationError(errors)

    def read_row(self, instance, row, **kwargs):
        """Set the row's cleaned values on the instance; returns {column: error}."""
        errors = {}
        instance.changed_by = self.user  # four eyes: an import changes what it touches
        instance._import_m2m = {}
        instance._import_extra = {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            try:
                value = field.clean(row, **kwargs)
            except ValueError as error:
                errors[field.column_name] = ValidationError(force_str(error), code="invalid")
                continue
            if value is None and field.blank_keeps_default:
                continue
            if field.required and value in (None, "", []):
                errors[field.column_name] = ValidationError(
                    _("Obligāta kolonna: jānorāda vērtība."), code="required"
                )
                continue
            if field.attribute in self.m2m_columns:
                instance._import_m2m[field.attribute] = value
            elif field.attribute and field.attribute.startswith("extra:"):
                instance._import_extra[field.attribute.removeprefix("extra:")] = value
            elif field.attribute:
                setattr(instance, field.attribute, value)
        if instance.lag_id is None:
            errors.setdefault(
                self.fields["lag"].column_name, ValidationError(_("Jānorāda VRG."), code="required")
            )
        return errors

    def check_duplicates(self, instance):
        """The same record twice in one file is refused (the second row names the first)."""
        for key in self.duplicate_keys(instance):
            if key in self.seen_keys:
                return {
                    NON_FIELD_ERRORS: ValidationError(
                        _("Tas pats ieraksts datnē jau ir rindā %(row)s.") % {"row": self.seen_keys[key]},
                        code="duplicate",
                    )
                }
        for key in self.duplicate_keys(instance):
            self.seen_keys[key] = self.current_row_number
        return {}

    def duplicate_keys(self, instance):
        return []

    def decide(self, instance, present, stored):
        """What the row does (``instance._import_outcome``); returns {column: error}."""
        id_column = self.import_id_columns()[0]
        if stored:
            if not permissions.can_view(self.user, instance):
                # another LAG's unpublished record: refused whatever the row holds
                return {id_column: ValidationError(self.refusal_message(instance), code="refused")}
            if self.imported(instance, present) == instance._import_before:
                instance._import_outcome = UNCHANGED  # nothing to write, whatever the record's status
                return {}
            instance._import_outcome = UPDATE
            if instance._import_refusal:
                return {id_column: ValidationError(self.refusal_message(instance), code="refused")}
            seen = (self.preview_versions or {}).get(instance.pk)
            if self.preview_versions is not None and seen != instance._import_seen_version:
                return {id_column: ValidationError(self.changed_message(instance), code="changed")}
            return {}
        match = self.matches.get(self.natural_key(instance))
        if match is None:
            instance._import_outcome = NEW
            return {}
        instance._import_match = match
        before = self.comparable(match, present)
        differing = [
            column for column, value in self.imported(instance, present).items() if before[column] != value
        ]
        return self.already_there(instance, match, differing)

    def already_there(self, instance, match, differing):
        """A new row that is a stored record already: shown as such, not created again."""
        instance._import_outcome = EXISTS
        if differing:
            instance._import_note = _(
                "Portālā tai ir citas vērtības (%(columns)s). Lai tās mainītu, kolonnā «id» norādiet %(id)s."
            ) % {"columns": ", ".join(f"«{column}»" for column in differing), "id": match.pk}
        return {}

    def refusal_message(self, instance):
        return instance._import_refusal

    def changed_message(self, instance):
        return _(
            "Ierakstu %(id)s pēc priekšskatījuma mainīja kāds cits. Augšupielādējiet datni vēlreiz, lai "
            "redzētu pašreizējās vērtības."
        ) % {"id": instance.pk}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and getattr(instance, "_import_outcome", None) in (
            EXISTS,
            UNCHANGED,
        )

    # comparing a row with a stored record ------------------------------------------------------

    def comparable(self, obj, fields):
        """{column: value} of the record as stored, for the columns a row has."""
        return {field.column_name: self.stored_value(obj, field) for field in fields}

    def imported(self, instance, fields):
        """{column: value} the row gives, comparable with :meth:`comparable`."""
        values = {}
        for field in fields:
            attribute = field.attribute
            if attribute in self.m2m_columns:
                values[field.column_name] = frozenset(item.pk for item in instance._import_m2m[attribute])
            elif attribute.startswith("extra:"):
                values[field.column_name] = instance._import_extra.get(attribute.removeprefix("extra:"))
            else:
                values[field.column_name] = self.plain(instance, attribute)
        return values

    def stored_value(self, obj, field):
        attribute = field.attribute
        if attribute in self.m2m_columns:
            return frozenset(item.pk for item in self.related(obj, attribute))
        if attribute.startswith("extra:"):
            return self.stored_extra(obj, attribute.removeprefix("extra:"))
        return self.plain(obj, attribute)

    def plain(self, obj, attribute):
        value = getattr(obj, obj._meta.get_field(attribute).attname)
        return "" if value is None else value  # an empty text cell equals a NULL column

    def stored_extra(self, obj, key):
        return None

    def related(self, obj, attribute):
        """A many-to-many column's items as the record will have them (prefetched: no query)."""
        imported = getattr(obj, "_import_m2m", {})
        if attribute in imported:
            return imported[attribute]
        return list(getattr(obj, attribute).all()) if obj.pk is not None else []

    def extra(self, obj, key):
        imported = getattr(obj, "_import_extra", {})
        return imported[key] if key in imported else self.stored_extra(obj, key)

    # the preview ---------------------------------------------------------------------------

    def preview_columns(self):
        """[(header, render[, css class])]: the preview's columns. render(record) is the cell's
        text, or (text, detail) for a cell with a smaller second part; "wide" marks a column of
        long texts."""
        return []

    def preview_texts(self, obj):
        texts = []
        for _header, render, *_css in self.preview_columns():
            text = render(obj)
            texts.append(text if isinstance(text, tuple) else (text, ""))
        return texts

    def preview_cells(self, instance):
        """The row as the portal read it; beside each cell it changes, what the portal holds."""
        texts = self.preview_texts(instance)
        css = [(column[2:] or ("",))[0] for column in self.preview_columns()]
        match = getattr(instance, "_import_match", None)
        before = (
            self.preview_texts(match)
            if match is not None
            else getattr(instance, "_import_before_cells", None)
        )
        if before is None or getattr(instance, "_import_outcome", None) == UNCHANGED:
            before = texts
        return [
            PreviewCell(
                text, detail, None if old == (text, detail) else "\n".join(p for p in old if p), css=kind
            )
            for (text, detail), old, kind in zip(texts, before, css, strict=True)
        ]

    # export ----------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        """The records the user may see (all of them without a user), with what their columns need."""
        if queryset is None:
            queryset = self._meta.model.objects.all()
            if self.user is not None:
                queryset = permissions.visible(self.user, queryset)
        return super().export(self.export_queryset(queryset), **kwargs)

    def export_queryset(self, queryset):
        return queryset

    def export_field(self, field, instance, **kwargs):
        if self.get_field_name(field) == "status":
            return instance.get_status_display()
        return super().export_field(field, instance, **kwargs)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """Every exported text cell goes through the portal's one formula-injection guard; number
        and date columns are written by their widgets and are never formulas."""
        values = super().export_resource(instance, selected_fields, **kwargs)
        fields = self.get_export_fields(selected_fields)
        return [
            value if isinstance(field.widget, LatvianDecimalWidget | LatvianDateWidget) else neutralise(value)
            for field, value in zip(fields, values, strict=True)
        ]

    def column_for(self, attribute):
        for field in self.fields.values():
            if field.attribute == attribute or (field.attribute or "").split("__")[0] == attribute:
                return field.column_name
        return NON_FIELD_ERRORS

    #: foreign keys resolved from the lookups (so they exist): full_clean would query each per row
    clean_exclude = ("lag", "author", "changed_by", "submitted_by", "reviewed_by")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {column: messages_of(value) for column, value in (import_validation_errors or {}).items()}
        column_of = {field.column_name: field.attribute for field in self.fields.values()}
        exclude = set(self.clean_exclude) | {column_of.get(column, column) for column in errors}
        try:
            instance.full_clean(
                exclude=exclude,
                validate_unique=False,
                # a row matched to a stored record by its natural key has said so already
                validate_constraints=self.validate_constraints and not hasattr(instance, "_import_match"),
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                column = NON_FIELD_ERRORS if key == NON_FIELD_ERRORS else self.column_for(key)
                errors.setdefault(column, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    validate_constraints = True

    def import_row(self, row, instance_loader, **kwargs):
        # The spreadsheet's own numbering: the header is row 1, the first data row is row 2.
        self.current_row_number = kwargs.get("row_number", 0) + 1
        self.row_instance = None
        row_result = super().import_row(row, instance_loader, **kwargs)
        instance = self.row_instance
        row_result.number = self.current_row_number
        row_result.outcome = row_result.existing_id = row_result.seen_version = None
        row_result.note = ""
        if instance is not None and row_result.is_valid():
            row_result.outcome = getattr(instance, "_import_outcome", None)
            row_result.note = getattr(instance, "_import_note", "")
            match = getattr(instance, "_import_match", None)
            if match is not None:
                row_result.existing_id = match.pk
            elif row_result.outcome in (UPDATE, UNCHANGED):
                row_result.existing_id = instance.pk
                row_result.seen_version = instance._import_seen_version
        # Meta.skip_diff spares a deep copy and two exports of every row; the preview shows the
        # row as read instead — only in the preview: the confirmation shows no table.
        row_result.diff = self.preview_cells(instance) if self.dry_run and row_result.outcome else None
        return row_result

    def get_diff_headers(self):
        self.diff_headers = [field.column_name for field in self.get_import_fields()]
        return self.diff_headers

    def get_import_fields(self):
        # asked several times per row; the answer never changes during an import
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = [field for field in super().get_import_fields() if not field.export_only]
        return self._import_fields

    # bulk writes -----------------------------------------------------------------------------

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.create_instances:
            return
        try:
            if using_transactions or not dry_run:
                model = self._meta.model
                created = model.objects.bulk_create(self.create_instances, batch_size=batch_size)
                self.save_relations(created, created=True)
                model.history.bulk_history_create(
                    created, default_user=self.user, default_change_reason=_("imports")
                )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def claim_versions(self, objs):
        """Raise the version of each record from the one this import read, in one UPDATE per
        distinct version (``… WHERE id IN (…) AND version = read``): a record saved by anyone since
        is not claimed, and the whole import is refused (an import is a save: a change form opened
        before it cannot save over it either). At confirmation the rows are locked since they were
        read, so this is the second line, not the first."""
        model = self._meta.model
        by_version = {}
        for obj in objs:
            by_version.setdefault(obj.version, []).append(obj.pk)
        claimed = sum(
            model._base_manager.filter(pk__in=pks, version=version).update(version=F("version") + 1)
            for version, pks in by_version.items()
        )
        if claimed != len(objs):
            raise EditConflict()
        for obj in objs:
            obj.version += 1

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances:
            return
        try:
            if using_transactions or not dry_run:
                model = self._meta.model
                fields = sorted(
                    {f.attribute for f in self.get_import_fields() if self.is_model_field(f)} - {"id"}
                    | {"changed_by"}
                )
                self.claim_versions(self.update_instances)
                model.objects.bulk_update(self.update_instances, fields, batch_size=batch_size)
                self.save_relations(self.update_instances, created=False)
                model.history.bulk_history_create(
                    self.update_instances,
                    default_user=self.user,
                    default_change_reason=_("imports"),
                    update=True,
                )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def is_model_field(self, field):
        return (
            bool(field.attribute)
            and not field.readonly
            and not field.attribute.startswith("extra:")
            and (field.attribute not in self.m2m_columns)
        )

    def save_relations(self, objs, created):
        model = self._meta.model
        for attribute in self.m2m_columns:
            m2m = model._meta.get_field(attribute)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            touched = [obj for obj in objs if attribute in getattr(obj, "_import_m2m", {})]
            if (
                model._meta.label_lower == "strategy.activity" and touched
            ):  # links written in bulk send no signals
                tallies.mark(*tallies.approved_activity_slices(obj.pk for obj in touched))
            if not created and touched:
                through.objects.filter(**{f"{source}__in": [obj.pk for obj in touched]}).delete()
            through.objects.bulk_create(
                [
                    through(**{f"{source}_id": obj.pk, f"{target}_id": item.pk})
                    for obj in touched
                    for item in obj._import_m2m[attribute]
                ]
            )
