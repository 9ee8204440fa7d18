"""The annual report: a tagged PDF (PDF/UA-1) rendered by WeasyPrint from ``templates/indicators/report/``.

The context comes from one year-data dict (``indicators.yearend.snapshot.year_data``): live from the progress
engine for an open year (the report then says "provisional" on every page), or the latest frozen
snapshot for a closed year — so a closed year's report is the same bytes whatever happens to the data
later. The document's creation date is the snapshot's time, which makes the output deterministic;
the SHA-256 of each stored PDF is kept in ``Report``.
"""

import hashlib
import re
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pydyf
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from strategy.models import FundingLine, Strategy

from ..charts import bar_chart
from ..models import Report
from ..progress import FORMULA, PERIOD_RULES, Figure, thresholds
from .frozen import figure_from_data
from .services import latest_snapshot
from .snapshot import JOINT, year_data

LANGUAGES = ("lv", "en")
# What an indicator of year data is without the fields a snapshot older than the measures lacks.
INDICATOR_DEFAULTS = {"rule": "", "measure": "", "funding_sources": []}


def _dec(value):
    return None if value is None else Decimal(value)


class FrozenFigure(Figure):
    """An engine figure read back from year data (its indicator and LAG as plain namespaces); shown
    like a live one. Every field the year data holds is read back by its ``Figure`` field name (a
    snapshot older than a field leaves the field's default)."""

    @classmethod
    def load(cls, raw, indicator, lag, lags):
        figure = figure_from_data(raw, indicator, lag, lags)
        values = {spec.name: getattr(figure, spec.name) for spec in fields(Figure)}
        # a snapshot older than the measures: the indicator's own
        values["measure"] = values["measure"] or getattr(indicator, "measure", "")
        return cls(**values)

    @property
    def records_url(self):
        """Absolute: the PDF leaves the portal."""
        return settings.PORTAL_URL.rstrip("/") + super().records_url


def _localised(obj, field):
    language = translation.get_language() or "lv"
    return obj.get(f"{field}_{language}") or obj.get(f"{field}_lv") or ""


def _fallback_lang(obj, field):
    """ "lv" when ``_localised`` falls back to the Latvian text in another language's report (the
    template marks the text lang="lv"), else ""."""
    language = translation.get_language() or "lv"
    if language == "lv" or obj.get(f"{field}_{language}") or not obj.get(f"{field}_lv"):
        return ""
    return "lv"


def _where(venue, place):
    """The venue and the parishes, without saying the same name twice."""
    if not venue or venue in place:
        return place
    return f"{venue}; {place}" if place else venue


def _date(iso):
    return date.fromisoformat(iso) if iso else None


def build_context(data, *, lag=None, created_at):
    """The template context of one scope (``lag`` = a LAG slug, or None for the three jointly)."""
    scope_key = lag or JOINT
    if scope_key not in data["scopes"]:
        raise KeyError(scope_key)
    scope = data["scopes"][scope_key]
    lags = {item["slug"]: SimpleNamespace(**item) for item in data["lags"]}
    # a snapshot older than the measures and funding sources leaves them empty
    indicators = [SimpleNamespace(**{**INDICATOR_DEFAULTS, **item}) for item in data["indicators"]]
    scope_lag = lags.get(lag)
    years = list(range(data["strategy"]["period"][0], data["year"] + 1))

    rows = []
    for indicator in indicators:
        figures = scope["figures"][indicator.code]
        series = [FrozenFigure.load(raw, indicator, scope_lag, lags) for raw in figures["series"]]
        groups = [(_localised(vars(scope_lag), "short_name") if scope_lag else _("Visas VRG kopā"), series)]
        if scope_lag is None:
            for slug, item in lags.items():
                lag_series = data["scopes"][slug]["figures"][indicator.code]["series"]
                groups.append(
                    (
                        _localised(vars(item), "short_name"),
                        [FrozenFigure.load(r, indicator, item, lags) for r in lag_series],
                    )
                )
        year_figure = FrozenFigure.load(figures["year"], indicator, scope_lag, lags)
        shown_lags = [scope_lag] if scope_lag else list(lags.values())
        rows.append(
            {
                "indicator": indicator,
                "name": _localised(vars(indicator), "name"),
                "name_lang": _fallback_lang(vars(indicator), "name"),
                "year": year_figure,
                "cumulative": FrozenFigure.load(figures["cumulative"], indicator, scope_lag, lags),
                "basis": target_basis_label(year_figure),
                "missing": [_localised(vars(item), "short_name") for item in year_figure.missing_lags],
                "narratives": _variance_narratives(data, indicator, shown_lags),
                "descriptions": _descriptions(data, indicator, shown_lags),
                "chart": bar_chart(
                    title=f"{indicator.code} {_localised(vars(indicator), 'name')}",
                    indicator=indicator,
                    years=years,
                    groups=groups,
                ),
            }
        )

    sources = dict(FundingLine.Source.choices)
    priorities = []
    for section in scope["priorities"]:
        items = [
            {
                **item,
                "title": item.get(f"title_{translation.get_language()}") or item["title_lv"],
                "title_fallback": translation.get_language() != "lv" and not item.get("title_en"),
                "start_date": _date(item["start_date"]),
                "end_date": _date(item["end_date"]),
                "lag_name": _localised(vars(lags[item["lag"]]), "short_name"),
                "funding": _dec(item["funding"]),
                "where": _where(item["venue"], item["place"]),
            }
            for item in section["items"]
        ]
        priorities.append(
            {
                "number": section["number"],
                "title": _localised(section, "title"),
                "title_lang": _fallback_lang(section, "title"),
                "totals": {k: _dec(v) for k, v in section["totals"].items()} if section["totals"] else None,
                "truncated": section.get("truncated", False),
                "items": items,
            }
        )
    closed_at = datetime.fromisoformat(data["closed_at"]) if data.get("closed_at") else None
    quality = [
        {**row, "lag_name": _localised(vars(lags[row["lag"]]), "short_name")} for row in scope["quality"]
    ]
    return {
        "data": data,
        "year": data["year"],
        "final": closed_at is not None,
        "closed_at": closed_at,
        "closed_by": data.get("closed_by", ""),
        "created_at": created_at,
        "strategy_title": _localised(data["strategy"], "title"),
        "strategy_title_lang": _fallback_lang(data["strategy"], "title"),
        # place names (parishes, venues) are Latvian in every language's report
        "place_lang": "" if translation.get_language() == "lv" else "lv",
        "scope_lag": scope_lag,
        "scope_name": _localised(vars(scope_lag), "name") if scope_lag else _("Visas trīs VRG kopā"),
        "scope_short": _localised(vars(scope_lag), "short_name") if scope_lag else _("visas VRG kopā"),
        "lags": list(lags.values()),
        "headline": {k: _dec(v) for k, v in scope["headline"].items()},
        "summary_text": data["summary"].get(translation.get_language()) or data["summary"]["lv"],
        "summary_fallback": translation.get_language() != "lv"
        and not data["summary"].get("en")
        and bool(data["summary"]["lv"]),
        "rows": rows,
        # the funding indicator (K6): its figure is "funding attracted", the rest of the money is not
        "funding_row": next((row for row in rows if row["indicator"].funding_sources), None),
        "priorities": priorities,
        "activity_limit": scope["activity_limit"],
        "funding": [{"label": sources[f["source"]], "amount": _dec(f["amount"])} for f in scope["funding"]],
        "funding_total": _dec(scope["funding_total"]),
        "municipalities_2009": [
            {**m, "name": _localised(m, "name")} for m in scope["municipalities"]["2009"]
        ],
        "municipalities_2021": [
            {**m, "name": _localised(m, "name")} for m in scope["municipalities"]["2021"]
        ],
        "unplaced": scope["unplaced"],
        "quality": quality,
        "has_demo": data["has_demo"],
        "formula": FORMULA,
        "thresholds": thresholds(),
        "measures": _measures(rows),
        "participations": [row["indicator"].code for row in rows if row["year"].counts_participations],
        "overrides": [
            {"code": row["indicator"].code, "reason": row["year"].target_reason}
            for row in rows
            if row["year"].target_basis == "override"
        ],
        "funding_indicators": [
            {
                "code": row["indicator"].code,
                "sources": [sources.get(code, code) for code in row["indicator"].funding_sources],
            }
            for row in rows
            if row["indicator"].funding_sources
        ],
        "open_data_url": settings.PORTAL_URL.rstrip("/") + reverse("indicators:open_data"),
        "portal_url": settings.PORTAL_URL.rstrip("/") + "/",
    }


def _variance_narratives(data, indicator, lags):
    """The approved variance narratives of the indicator and year, per LAG of the report's scope:
    [{"lag", "text", "lang"}]; ``lang`` is "lv" when an English report falls back to the Latvian
    text. A snapshot from before the narratives (SCHEMA < 3) has none."""
    found = data.get("narratives", {}).get(indicator.code, {})
    language = translation.get_language() or "lv"
    shown = []
    for lag in lags:
        texts = found.get(lag.slug)
        if not texts:
            continue
        text = texts.get(language) or texts["lv"]
        if text:
            own = language == "lv" or bool(texts.get(language))
            shown.append(
                {"lag": _localised(vars(lag), "short_name"), "text": text, "lang": "" if own else "lv"}
            )
    return shown


def _descriptions(data, indicator, lags):
    """A qualitative (rating) indicator's descriptions of the year, per LAG: the narratives of its
    approved measurements as the engine gathered them into the LAG's figure (Latvian only)."""
    if indicator.measure != "rating":
        return []
    shown = []
    for lag in lags:
        raw = data["scopes"][lag.slug]["figures"][indicator.code]["year"]
        for text in raw.get("narratives") or ():
            shown.append({"lag": _localised(vars(lag), "short_name"), "text": text})
    return shown


def target_basis_label(figure):
    """How the joint target of a figure was found, in a few words (empty for a LAG's own target)."""
    if figure.lag is not None or not figure.target_basis or figure.target_basis == "lag":
        return ""
    if figure.target_basis == "override":
        return pgettext("gada pārskats", "noteikts atsevišķi ar pamatojumu")
    # the engine's rule: a mean of ratings, a weighted mean of estimates and shares, else a sum
    weighted = figure.measure == "estimate" or getattr(figure.indicator, "unit", "") == "percent"
    if figure.target is None:
        return pgettext("gada pārskats", "nav: ne visām VRG ir svari") if weighted else ""
    if figure.measure == "rating":
        return pgettext("gada pārskats", "VRG mērķu vidējais")
    if weighted:
        return pgettext("gada pārskats", "VRG mērķu svērtais vidējais")
    return pgettext("gada pārskats", "VRG mērķu summa")


def _measures(rows):
    """The period rule of each measure the report's indicators have (as the engine states it), with
    their codes."""
    return [
        {"rule": str(text), "codes": [r["indicator"].code for r in rows if r["year"].measure == measure]}
        for measure, text in PERIOD_RULES.items()
        if any(r["year"].measure == measure for r in rows)
    ]


# WeasyPrint draws inline SVG with the SVG's own style sheet only, so the chart include's classes get
# their colours from a copy of the page rules placed inside each chart.
SVG_OPEN = re.compile(r'(<svg class="chart-svg"[^>]*>)')


def render_html(data, *, lag=None, language="lv", created_at):
    with translation.override(language):
        context = build_context(data, lag=lag, created_at=created_at)
        context["language"] = language
        html = render_to_string("indicators/report/report.html", context)
        svg_style = render_to_string("indicators/report/chart_svg.css").strip()
    return SVG_OPEN.sub(lambda m: f"{m.group(1)}<style>{svg_style}</style>", html)


SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}


def _tag_scope_and_language(build_box_tree):
    """WeasyPrint 70's tagger (``weasyprint.pdf.tags._build_box_tree``) with two attributes of the
    HTML it drops: a ``th``'s ``scope`` (PDF/UA: a header cell's /Scope in its /A << /O /Table >>)
    and an element's ``lang`` (/Lang on its structure element, so a Latvian title in the English
    report is read as Latvian). It wraps the generator that yields the structure element of each
    box — WeasyPrint's recursion goes through the wrapper — and adds only these entries: the tree,
    the content and the bytes are otherwise WeasyPrint's."""

    def build(box, parent, *args):
        element_box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
        html = getattr(element_box, "element", None)
        own = html is not None and element_box.element_tag not in ("html", "body")
        for element in build_box_tree(box, parent, *args):
            if own and html.get("lang") and "Lang" not in element:
                element["Lang"] = pydyf.String(html.get("lang"))
            if own and element["S"] == "/TH" and html.get("scope") in SCOPES:
                element["A"]["Scope"] = SCOPES[html.get("scope")]
            yield element

    build.ddkc_tagging = True
    return build


def _weasyprint():
    """WeasyPrint's HTML class, its tagger taught ``scope`` and ``lang`` (once per process)."""
    from weasyprint import HTML
    from weasyprint.pdf import tags

    if not getattr(tags._build_box_tree, "ddkc_tagging", False):
        tags._build_box_tree = _tag_scope_and_language(tags._build_box_tree)
    return HTML


def render_pdf(data, *, lag=None, language="lv", created_at):
    """The PDF bytes; the same data, scope, language and time give the same bytes."""
    html = render_html(data, lag=lag, language=language, created_at=created_at)
    return _weasyprint()(string=html, base_url=settings.PORTAL_URL).write_pdf(pdf_variant="pdf/ua-1")


def _check(language, lag, data):
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    if lag is not None and lag not in data["scopes"]:
        raise KeyError(lag)


def annual_report(*, year, lag=None, language="lv", strategy=None):
    """The PDF of a year: a closed year's stored report (rendered and stored on first request), or a
    provisional report of an open year rendered from live data. Returns (bytes, Report or None)."""
    strategy = strategy or Strategy.objects.current()
    snapshot = latest_snapshot(year, strategy)
    if snapshot is not None:
        report = stored_report(snapshot, lag=lag, language=language)
        with report.file.open("rb") as handle:
            return handle.read(), report
    data = year_data(strategy, year)
    _check(language, lag, data)
    return render_pdf(
        data, lag=lag, language=language, created_at=timezone.now().replace(microsecond=0)
    ), None


def stored_report(snapshot, *, lag=None, language="lv"):
    """The stored Report of a snapshot, scope and language; rendered and stored once."""
    _check(language, lag, snapshot.data)
    scope = {"lag__slug": lag} if lag is not None else {"lag__isnull": True}
    found = Report.objects.filter(snapshot=snapshot, language=language, **scope).first()
    if found is not None:
        return found
    pdf = render_pdf(snapshot.data, lag=lag, language=language, created_at=snapshot.created_at)
    sha = hashlib.sha256(pdf).hexdigest()
    from partners.models import LAG

    report = Report(
        snapshot=snapshot,
        year=snapshot.year,
        lag=LAG.objects.get(slug=lag) if lag else None,
        language=language,
        sha256=sha,
        size=len(pdf),
    )
    name = f"ddkc-{snapshot.year}-{lag or 'joint'}-{language}-{sha[:12]}.pdf"
    report.file.save(name, ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # a concurrent request stored the same report first: serve that one
        report.file.delete(save=False)
        return Report.objects.get(snapshot=snapshot, lag=report.lag, language=language)
    return report
