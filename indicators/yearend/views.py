"""The public Reports page: the annual reports of closed years, with their SHA-256, in both languages."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from partners.models import LAG
from partners.public_cache import public_page
from strategy.models import Strategy
from strategy.year_lock import closed_years

from .. import iptt
from ..models import Report, YearSnapshot
from .pdf import LANGUAGES, stored_report
from .services import latest_snapshot, year_states


def reports(request):
    strategy = Strategy.objects.current()
    if strategy is None:
        raise Http404
    states = year_states(strategy)
    snapshots = {
        s.year: s
        for s in YearSnapshot.objects.filter(strategy=strategy, closure__reopened_at__isnull=True).order_by(
            "created_at"
        )
    }
    stored = {
        (r.snapshot_id, r.lag.slug if r.lag_id else "", r.language): r
        for r in Report.objects.filter(snapshot__in=snapshots.values()).select_related("lag")
    }
    scopes = [("", None)] + [(lag.slug, lag) for lag in LAG.objects.all()]
    years = []
    for year in sorted(states, reverse=True):
        snapshot = snapshots.get(year)
        rows = []
        if snapshot is not None:
            for slug, lag in scopes:
                rows.append(
                    {
                        "lag": lag,
                        "files": [
                            {
                                "language": lang,
                                "report": stored.get((snapshot.pk, slug, lang)),
                                "slug": slug or "joint",
                            }
                            for lang in LANGUAGES
                        ],
                    }
                )
        years.append({"year": year, "closed": states[year], "snapshot": snapshot, "rows": rows})
    iptt_years = [y["year"] for y in years if y["snapshot"] is not None]
    return render(
        request,
        "indicators/reports.html",
        {"strategy": strategy, "years": years, "iptt_years": sorted(iptt_years)},
    )


@public_page
def iptt_file(request):
    """The funders' workbook of the closed years (#16): their frozen figures, final like their reports.
    Open years are provisional and stay in the admin's workbook, for the board and the secretariat.
    Cached like the open data's files (1.9 s to build at ×100), until the next write changes the data."""
    strategy = Strategy.objects.current()
    if strategy is None:
        raise Http404
    years = sorted(set(closed_years()) & set(strategy.years))
    if not years:
        raise Http404
    response = HttpResponse(iptt.workbook(strategy, years), content_type=iptt.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ddkc-iptt-{years[0]}-{years[-1]}.xlsx"'
    return response


def report_file(request, year, scope, language):
    """A closed year's report: the stored file, rendered and stored on the first request."""
    if language not in LANGUAGES:
        raise Http404
    snapshot = latest_snapshot(year)
    if snapshot is None:
        raise Http404
    lag = None if scope == "joint" else scope
    if lag is not None and lag not in snapshot.data["scopes"]:
        raise Http404
    report = stored_report(snapshot, lag=lag, language=language)
    response = FileResponse(
        report.file.open("rb"),
        content_type="application/pdf",
        filename=f"ddkc-{year}-{scope}-{language}.pdf",
    )
    response["X-Content-SHA256"] = report.sha256
    return response
