from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from partners import formats
from partners.forms import LatvianDecimalField, LatvianNumberInput, TypedNumbersAdminMixin
from partners.models import LAG
from strategy import permissions
from strategy.admin_workflow.admins import WorkflowAdmin
from strategy.admin_workflow.common import admin_url, object_or_404
from strategy.admin_workflow.filters import LAGScopeFilter, ReviewFilter
from strategy.admin_workflow.forms import VersionedModelForm
from strategy.admin_workflow.mixins import ReadOnlyHistoryMixin
from strategy.models import FundingLine, Strategy
from strategy.year_lock import ClosedYearError, closed_years

from .models import Baseline, EstimateWeight, Indicator, Measurement, Target, VarianceNarrative
from .progress import ProgressEngine
from .resources import MeasurementResource

# The board's year admins (year page, summaries, snapshots, reports) live with the rest of the year's end;
# admin discovery imports only this module, so importing them here is what registers them.
from .yearend import admin as yearend_admin  # noqa: F401
from .yearend import completion_admin  # noqa: F401


class HistoryAdmin(TypedNumbersAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """Who changed which field from what to what, and when; for reading only."""


class IndicatorForm(forms.ModelForm):
    """The funding sources a funding indicator counts are ticked from the funding lines' sources (the
    rest of those activities' funding is co-financing); any other indicator counts none."""

    funding_sources = forms.TypedMultipleChoiceField(
        choices=FundingLine.Source.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=Indicator._meta.get_field("funding_sources").verbose_name,
        help_text=Indicator._meta.get_field("funding_sources").help_text,
    )

    class Meta:
        model = Indicator
        fields = ["measure", "funding_sources"]  # the admin adds the rest (its fieldsets)
        widgets = {"measure": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "measure" in self.fields:
            self.fields["measure"].choices = Indicator.Measure.choices  # required: no empty choice

    def clean_funding_sources(self):
        chosen = set(self.cleaned_data["funding_sources"])
        return [code for code in FundingLine.Source.values if code in chosen]  # the sources' own order

    def clean(self):
        cleaned = super().clean()
        rule, sources = cleaned.get("rule"), cleaned.get("funding_sources")
        if sources is None:  # refused already (an unknown code)
            return cleaned
        if rule != Indicator.Rule.FUNDING and sources:
            self.add_error(
                "funding_sources",
                _("Finansējuma avotus norāda tikai finansējuma rādītājam (aprēķina noteikums «%(rule)s»).")
                % {"rule": Indicator.Rule.FUNDING.label},
            )
        elif rule == Indicator.Rule.FUNDING and not sources:
            self.add_error(
                "funding_sources", _("Finansējuma rādītājam jānorāda vismaz viens avots, ko tas ieskaita.")
            )
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin, TranslationAdmin):
    form = IndicatorForm
    list_display = ["code", "name", "kind", "unit", "measure", "direction", "source", "rule", "plan_link"]
    list_filter = ["kind", "measure", "source", "unit", "strategy"]
    search_fields = ["code", "name", "definition"]
    filter_horizontal = ["activity_types", "priorities"]
    change_form_template = "admin/indicators/indicator/change_form.html"
    fieldsets = [
        (None, {"fields": ["strategy", "code", "kind", "order", "result", "priorities"]}),
        (gettext_lazy("Formulējums un definīcija"), {"fields": ["statement", "name", "definition"]}),
        (
            gettext_lazy("Ko un kā mēra"),
            {
                "fields": [
                    "unit",
                    "direction",
                    "measure",
                    "source",
                    "rule",
                    "activity_types",
                    "funding_sources",
                    "frequency",
                    "per_municipality",
                ]
            },
        ),
        (
            gettext_lazy("Portāla metodika"),
            {
                "fields": ["data_source", "method", "method_adopted_by", "method_adopted_on"],
                "description": gettext_lazy(
                    "Stratēģija aprēķina metodi nenosaka: šī ir portāla metodika; norādiet, kas un kad to pieņēma."
                ),
            },
        ),
    ]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/plan/",
                self.admin_site.admin_view(self.plan_view),
                name="indicators_indicator_plan",
            ),
        ] + super().get_urls()

    @admin.display(description=gettext_lazy("mērķi un bāzes vērtības"))
    def plan_link(self, obj):
        return format_html('<a href="{}">{}</a>', admin_url(self, "plan", obj.pk), _("tabula"))

    def plan_view(self, request, object_id):
        indicator = object_or_404(self, request, object_id)
        if not self.has_view_permission(request, indicator):
            raise PermissionDenied
        can_edit = permissions.may_edit_plan(request.user)
        may_override = can_edit and permissions.may_override_joint_plan(request.user)
        lags = list(LAG.objects.all())
        closed = closed_years()
        form = PlanForm(
            request.POST if request.method == "POST" else None,
            indicator=indicator,
            lags=lags,
            disabled=not can_edit,
            may_override=may_override,
            closed_years=closed,
        )
        if request.method == "POST":
            if not can_edit:
                raise PermissionDenied
            if form.is_valid():
                try:
                    changed = form.save()
                except ValidationError as refusal:  # a year closed since the form was read
                    form.add_error(None, refusal)
                else:
                    self.message_user(
                        request,
                        _("Saglabāts: mainītas %(count)d vērtības.") % {"count": changed}
                        if changed
                        else _("Nekas nav mainīts."),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(request.path)
        # the joint values the engine derives from the LAGs' (and the overrides), as stored now
        checks = JointCheck(indicator, lags, ProgressEngine(indicator.strategy).joint_plan(indicator))
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(code)s: mērķa un bāzes vērtības") % {"code": indicator.code},
            "opts": self.opts,
            "original": indicator,
            "indicator": indicator,
            "form": form,
            "lags": lags,
            "target_rows": form.target_rows(checks),
            "baseline_rows": form.baseline_rows(),
            "baseline_joint": form.baseline_joint(checks),
            "baseline_closed": form.baseline_closed(),
            "closed_years": sorted(year for year in closed if year in form.years),
            "can_edit": can_edit,
            "may_override": may_override,
        }
        return TemplateResponse(request, "admin/indicators/plan_table.html", context)


def _scope_key(lag):
    return lag.slug if lag else "joint"


class JointCheck:
    """What the plan table shows in the joint column: the joint value (the override, else the value the
    engine derives from the LAGs'), the override's reason, and the check a reader can redo — the LAGs'
    sum, or the weighted mean with its weights, or why there is no derived value. Nothing is computed
    here beyond the override's difference from the engine's derived value."""

    def __init__(self, indicator, lags, rows):
        self.indicator = indicator
        self.lags = lags
        self.rows = {row["year"]: row for row in rows}  # the baseline under None
        self.averaged = (
            indicator.measure == Indicator.Measure.ESTIMATE or indicator.unit == Indicator.Unit.PERCENT
        )
        self.weights = {}
        if self.averaged:
            self.weights = dict(
                EstimateWeight.objects.filter(strategy=indicator.strategy).values_list("lag_id", "value")
            )

    def number(self, value):
        if self.averaged or self.indicator.measure == Indicator.Measure.RATING:
            return formats.figure(value, self.indicator, with_unit=False)  # a mean: the unit's places
        return formats.format_decimal(value, decimal_places=0)  # a sum of typed values: every digit

    def cell(self, year):
        row = self.rows.get(year) or {"derived": None, "override": None, "reason": "", "lags": {}}
        derived, override = row["derived"], row["override"]
        shown = override if override is not None else derived
        values = [row["lags"].get(lag.slug) for lag in self.lags]
        if derived is None:
            if any(value is None for value in values) or not values:
                check = _("nav visu VRG vērtību")
            elif self.averaged:
                check = _("nav svaru: kopējo novērtējumu atvasina kā VRG vērtību svērto vidējo")
            else:
                check = ""
        elif self.averaged:
            check = _("svērtais vidējais (svari: %(weights)s)") % {
                "weights": ", ".join(
                    f"{lag.short_name} {formats.format_decimal(self.weights[lag.pk], decimal_places=0)}"
                    for lag in self.lags
                    if lag.pk in self.weights
                )
            }
            if override is not None:
                check = f"{check}: {self.number(derived)}"
        elif self.indicator.measure == Indicator.Measure.RATING:
            check = _("VRG vidējais")
            if override is not None:
                check = f"{check}: {self.number(derived)}"
        else:
            check = "Σ {}: {} = {}".format(
                _("VRG"), " + ".join(self.number(value) for value in values), self.number(derived)
            )
        difference = ""
        # a difference the shown places would write as 0 («+0,0») is none to the reader
        if override is not None and derived is not None and self.number(override) != self.number(derived):
            delta = override - derived
            difference = _("starpība %(difference)s") % {
                "difference": ("+" if delta > 0 else "−") + self.number(abs(delta))
            }
        return {
            "shown": self.number(shown) if shown is not None else None,
            "override": override is not None,
            "reason": row["reason"] if override is not None else "",
            "check": check,
            "weights_missing": derived is None and self.averaged and bool(values) and None not in values,
            "difference": difference,
        }


class PlanForm(forms.Form):
    """One table per indicator: targets as year × each LAG, baselines as (year, value) × each LAG, and
    for the LAGs jointly the value the engine derives from theirs, which the secretariat may override
    with a reason (``permissions.may_override_joint_plan``). Each cell is saved as its own
    Target/Baseline row (so the change history records it); a joint row exists only as an override.

    A closed year is read-only (invariant 9): its target cells, and a baseline dated in it, are
    disabled fields — a browser does not send them and they keep their stored values —, and a POST
    that sends a different value anyway, or moves a baseline into a closed year, gets the Latvian
    closed-year message as the cell's error, with nothing saved. A joint override is refused the same
    way to a plan editor who is not the secretariat."""

    def __init__(
        self, *args, indicator, lags, disabled=False, may_override=False, closed_years=frozenset(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.lags = list(lags)
        self.scopes = [None, *lags]
        self.years = list(indicator.strategy.years)
        self.closed_years = set(closed_years)
        self.locked = {}  # field name -> the closed year that makes it read-only
        self.override_locked = set()  # joint fields the user may not override (not the secretariat)
        self.targets = {(t.year, t.lag_id): t for t in indicator.targets.all()}
        self.baselines = {b.lag_id: b for b in indicator.baselines.all()}
        for year in self.years:
            for lag in self.scopes:
                name = self.target_name(year, lag)
                target = self.targets.get((year, getattr(lag, "pk", None)))
                names = [name] if lag else [name, f"{name}_reason"]
                if year in self.closed_years:
                    self.locked.update(dict.fromkeys(names, year))
                elif lag is None and not may_override:
                    self.override_locked.update(names)
                label = (
                    _("%(year)s. gada mērķis — %(scope)s") % {"year": year, "scope": lag}
                    if lag
                    else _("%(year)s. gada kopējais mērķis (aizstāj atvasināto)") % {"year": year}
                )
                self.fields[name] = self.value_field(
                    target.value if target else None,
                    label,
                    disabled or self._read_only(name),
                    placeholder=None if lag else _("aizstāt ar"),
                )
                if lag is None:
                    self.fields[f"{name}_reason"] = self.reason_field(
                        target.reason if target else "",
                        _("%(year)s. gada kopējā mērķa aizstāšanas iemesls") % {"year": year},
                        disabled or self._read_only(f"{name}_reason"),
                    )
        for lag in self.scopes:
            baseline = self.baselines.get(getattr(lag, "pk", None))
            scope = lag or _("kopā (aizstāj atvasināto)")
            key = _scope_key(lag)
            names = [f"b_year_{key}", f"b_value_{key}"] + ([] if lag else ["b_reason_joint"])
            if baseline is not None and baseline.year in self.closed_years:
                self.locked.update(dict.fromkeys(names, baseline.year))
            elif lag is None and not may_override:
                self.override_locked.update(names)
            self.fields[f"b_year_{key}"] = forms.IntegerField(
                required=False,
                min_value=1990,
                max_value=2100,
                initial=baseline.year if baseline else None,
                label=_("Bāzes gads — %(scope)s") % {"scope": scope},
                disabled=disabled or self._read_only(f"b_year_{key}"),
                widget=forms.NumberInput(attrs={"class": "vIntegerField plan-year"}),
            )
            self.fields[f"b_value_{key}"] = self.value_field(
                baseline.value if baseline else None,
                _("Bāzes vērtība — %(scope)s") % {"scope": scope},
                disabled or self._read_only(f"b_value_{key}"),
                placeholder=None if lag else _("aizstāt ar"),
            )
            if lag is None:
                self.fields["b_year_joint"].widget.attrs["placeholder"] = _("gads")
        joint_baseline = self.baselines.get(None)
        self.fields["b_reason_joint"] = self.reason_field(
            joint_baseline.reason if joint_baseline else "",
            _("Kopējās bāzes vērtības aizstāšanas iemesls"),
            disabled or self._read_only("b_reason_joint"),
        )

    def _read_only(self, name):
        return name in self.locked or name in self.override_locked

    @staticmethod
    def target_name(year, lag):
        return f"t_{year}_{_scope_key(lag)}"

    @staticmethod
    def value_field(initial, label, disabled, placeholder=None):
        attrs = {"class": "plan-value", "size": 10}
        if placeholder:
            attrs["placeholder"] = placeholder
        return LatvianDecimalField(
            required=False,
            max_digits=16,
            decimal_places=2,
            initial=initial,
            label=label,
            disabled=disabled,
            widget=LatvianNumberInput(attrs=attrs),
        )

    @staticmethod
    def reason_field(initial, label, disabled):
        return forms.CharField(
            required=False,
            initial=initial,
            label=label,
            disabled=disabled,
            widget=forms.TextInput(
                attrs={"class": "plan-reason", "size": 24, "placeholder": _("iemesls, ja aizstāj")}
            ),
        )

    def target_rows(self, checks):
        return [
            (
                year,
                year in self.closed_years,
                [self[self.target_name(year, lag)] for lag in self.lags],
                {
                    **checks.cell(year),
                    "value": self[self.target_name(year, None)],
                    "reason_field": self[f"{self.target_name(year, None)}_reason"],
                },
            )
            for year in self.years
        ]

    def baseline_joint(self, checks):
        return {
            **checks.cell(None),
            "year": self["b_year_joint"],
            "value": self["b_value_joint"],
            "reason_field": self["b_reason_joint"],
        }

    def baseline_closed(self):
        """Per LAG: whether its baseline is dated in a closed year (a row under the baselines)."""
        return [f"b_year_{_scope_key(lag)}" in self.locked for lag in self.lags]

    def baseline_rows(self):
        return [
            (_("gads"), [self[f"b_year_{_scope_key(lag)}"] for lag in self.lags]),
            (_("vērtība"), [self[f"b_value_{_scope_key(lag)}"] for lag in self.lags]),
        ]

    def clean(self):
        cleaned = super().clean()
        for name, year in self.locked.items():
            if self._posted_differently(name):
                self.add_error(name, ClosedYearError(year))
        for name in sorted(self.override_locked):
            if self._posted_differently(name):
                self.add_error(name, _("Kopējo vērtību aizstāt var tikai sekretariāts."))
        for lag in self.scopes:
            key = _scope_key(lag)
            year, value = cleaned.get(f"b_year_{key}"), cleaned.get(f"b_value_{key}")
            if (year is None) != (value is None):
                self.add_error(
                    f"b_year_{key}" if year is None else f"b_value_{key}",
                    _("Jānorāda gan gads, gan vērtība."),
                )
            elif f"b_year_{key}" not in self.locked and year in self.closed_years:
                self.add_error(f"b_year_{key}", ClosedYearError(year))  # moved into a closed year
        overrides = [
            (self.target_name(year, None), f"{self.target_name(year, None)}_reason") for year in self.years
        ]
        for value_name, reason_name in [*overrides, ("b_value_joint", "b_reason_joint")]:
            if self._read_only(value_name):
                continue
            value, reason = cleaned.get(value_name), cleaned.get(reason_name)
            if value is not None and not reason:
                self.add_error(reason_name, _("Aizstājot kopējo vērtību, jānorāda iemesls."))
            elif value is None and reason and value_name not in self.errors:
                self.add_error(value_name, _("Norādiet aizstājošo vērtību vai notīriet iemeslu."))
        return cleaned

    def _posted_differently(self, name):
        """A read-only cell's value in the POST differs from the stored one (the page never sends it)."""
        if name not in self.data:
            return False
        field = self.fields[name]
        try:
            return field.to_python(self.data[name]) != field.initial
        except ValidationError:
            return True

    @transaction.atomic
    def save(self):
        changed = 0
        for year in self.years:
            for lag in self.scopes:
                name = self.target_name(year, lag)
                changed += self._save_cell(
                    self.targets.get((year, getattr(lag, "pk", None))),
                    self.cleaned_data.get(name),
                    self.cleaned_data.get(f"{name}_reason", "") if lag is None else "",
                    lambda year=year, lag=lag: Target(indicator=self.indicator, lag=lag, year=year),
                    year=year,
                )
        for lag in self.scopes:
            key = _scope_key(lag)
            changed += self._save_cell(
                self.baselines.get(getattr(lag, "pk", None)),
                self.cleaned_data.get(f"b_value_{key}"),
                self.cleaned_data.get("b_reason_joint", "") if lag is None else "",
                lambda lag=lag: Baseline(indicator=self.indicator, lag=lag),
                year=self.cleaned_data.get(f"b_year_{key}"),
            )
        return changed

    @staticmethod
    def _save_cell(existing, value, reason, make, *, year):
        """Create, change or delete one Target/Baseline row; 1 when something changed."""
        if value is None:
            if existing is None:
                return 0
            existing.delete()  # an empty cell; for the joint scope, the override removed
            return 1
        if existing is not None and (existing.year, existing.value, existing.reason) == (year, value, reason):
            return 0
        row = existing or make()
        row.year, row.value, row.reason = year, value, reason
        row.full_clean()
        row.save()
        return 1


@admin.register(EstimateWeight)
class EstimateWeightAdmin(TypedNumbersAdminMixin, admin.ModelAdmin):
    """Each LAG's weight in the joint survey estimates (e.g. its population) with its source: the
    secretariat's (``permissions.may_change_estimate_weights``); whoever sees every LAG reads them."""

    list_display = ["lag", "shown_value", "source", "strategy"]
    list_filter = ["strategy"]
    list_select_related = ["lag", "strategy"]
    fields = ["strategy", "lag", "value", "source"]

    def get_changeform_initial_data(self, request):
        current = Strategy.objects.current()
        return {"strategy": current.pk if current else None, **super().get_changeform_initial_data(request)}

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return permissions.sees_all_lags(user) or permissions.may_change_estimate_weights(user)

    def has_add_permission(self, request):
        return permissions.may_change_estimate_weights(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.may_change_estimate_weights(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.may_change_estimate_weights(request.user)

    @admin.display(description=gettext_lazy("svars"), ordering="value")
    def shown_value(self, obj):
        return formats.format_decimal(obj.value, decimal_places=0)


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    list_display = ["indicator", "year", "lag", "value"]
    list_filter = ["indicator", "year", "lag"]
    list_select_related = ["indicator", "lag"]


@admin.register(Baseline)
class BaselineAdmin(TypedNumbersAdminMixin, admin.ModelAdmin):
    list_display = ["indicator", "lag", "year", "value"]
    list_filter = ["indicator", "lag"]
    list_select_related = ["indicator", "lag"]


class MeasurementForm(VersionedModelForm):
    class Meta:
        model = Measurement
        fields = [
            "indicator",
            "lag",
            "year",
            "municipality",
            "value",
            "numerator",
            "denominator",
            "narrative",
            "rating",
            "note",
            "evidence",
            "evidence_publishable",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "indicator" in self.fields:
            self.fields["indicator"].queryset = Indicator.objects.entered().select_related("strategy")
            self.fields["indicator"].help_text = _(
                "Skaitlim — «vērtība»; īpatsvaram (%) — skaitītājs un saucējs (procentus aprēķina portāls); "
                "kvalitatīvam rādītājam — apraksts un vērtējums."
            )


@admin.register(Measurement)
class MeasurementAdmin(WorkflowAdmin, admin.ModelAdmin):
    form = MeasurementForm
    resource_classes = [MeasurementResource]
    list_display = ["indicator", "lag", "year", "municipality", "shown_value", "status_badge", "author"]
    list_filter = [ReviewFilter, "status", LAGScopeFilter, "year", "indicator"]
    search_fields = ["note", "narrative", "indicator__code"]
    list_select_related = ["indicator", "lag", "municipality", "author"]
    readonly_fields = ["share_display"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            values = ["value", "numerator", "denominator", "narrative", "rating"]
        elif obj.indicator.value_kind == Indicator.ValueKind.RATING:
            values = ["narrative", "rating"]
        elif obj.indicator.value_kind == Indicator.ValueKind.SHARE:
            values = ["numerator", "denominator", "share_display"]
        else:
            values = ["value"]
        where = ["indicator", "lag", "year"]
        if obj is None or obj.indicator.per_municipality or obj.municipality_id:
            where.append("municipality")
        return [
            (None, {"fields": where}),
            (_("Vērtība"), {"fields": values}),
            (_("Pamatojums"), {"fields": ["note", *self.evidence_fields(request, obj)]}),
            self.status_fieldset,
        ]

    def evidence_fields(self, request, obj):
        # another LAG's staff see the file only when the public may download it
        if obj is None or permissions.may_download_evidence(
            request.user, obj, publishable=obj.evidence_publishable
        ):
            return ["evidence", "evidence_publishable"]
        return []

    @admin.display(description=gettext_lazy("īpatsvars (aprēķināts)"))
    def share_display(self, obj):
        if obj is None or obj.share is None:
            return "—"
        # rounded as the public pages round it (formats.figure), never cut: 2 / 3 is 66,7 %, not 66,6 %
        share = formats.figure(obj.share, obj.indicator)
        return f"{share} ({formats.number(obj.numerator)} / {formats.number(obj.denominator)})"

    @admin.display(description=gettext_lazy("vērtība"))
    def shown_value(self, obj):
        if obj.rating is not None:
            return _("vērtējums %(rating)s/5") % {"rating": obj.rating}
        if obj.share is not None:
            return formats.figure(obj.share, obj.indicator)
        return formats.number(obj.value, 2) if obj.value is not None else "—"


class VarianceNarrativeForm(VersionedModelForm):
    class Meta:
        model = VarianceNarrative
        fields = ["indicator", "lag", "year", "text_lv", "text_en"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "indicator" in self.fields:
            strategy = Strategy.objects.current()
            self.fields["indicator"].queryset = Indicator.objects.filter(strategy=strategy).select_related(
                "strategy"
            )


@admin.register(VarianceNarrative)
class VarianceNarrativeAdmin(WorkflowAdmin, TranslationAdmin):
    """A LAG's explanation of why its figure of a year is ahead of or behind the target (#16).

    The LAG's coordinator writes and submits it (the role's model permissions, ``partners.roles``);
    another coordinator of the LAG, or the secretariat when there is none, approves it (four eyes),
    exactly as a measurement. Editors read their LAG's narratives but do not write or submit them."""

    form = VarianceNarrativeForm
    list_display = ["indicator", "lag", "year", "status_badge", "author"]
    list_filter = [ReviewFilter, "status", LAGScopeFilter, "year", "indicator"]
    search_fields = ["text_lv", "text_en", "indicator__code"]
    list_select_related = ["indicator", "lag", "author"]
    actions = ["submit_selected", "approve_selected", "return_selected", "reopen_selected"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["indicator", "lag", "year"]}),
            (_("Skaidrojums"), {"fields": ["text_lv", "text_en"]}),
            self.status_fieldset,
        ]

    def writes_narratives(self, request):
        """Only a role holding the model's change permission (the coordinator) writes or submits."""
        return request.user.has_perm("indicators.change_variancenarrative")

    def has_submit_permission(self, request):
        return super().has_submit_permission(request) and self.writes_narratives(request)

    def transition_view(self, request, object_id, transition):
        if (
            transition == permissions.SUBMIT
            and request.method == "POST"
            and not self.writes_narratives(request)
        ):
            self.message_user(
                request, _("Novirzes skaidrojumu raksta un iesniedz VRG koordinators."), messages.ERROR
            )
            return HttpResponseRedirect(admin_url(self, "change", object_id))
        return super().transition_view(request, object_id, transition)

    def workflow_context(self, request, obj):
        context = super().workflow_context(request, obj)
        context["can_submit"] = context["can_submit"] and self.writes_narratives(request)
        return context
