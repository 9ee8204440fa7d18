"""Annual report render time at scale 1 (the demonstration data) and 100 (100× the year's activities),
and how much of it is WeasyPrint's own work on the same HTML. Run with `make bench`."""

import time

import pytest
from django.utils import timezone

from indicators.yearend.pdf import render_html, render_pdf
from indicators.yearend.snapshot import year_data
from strategy.models import Activity, FundingLine, Strategy

YEAR = 2024


def _multiply_activities(factor):
    """Copy the year's approved activities (with parishes, priorities and funding) factor − 1 times."""
    originals = list(
        Activity.objects.approved()
        .in_year(YEAR)
        .prefetch_related("territory_units", "priorities", "funding_lines")
    )
    units_through = Activity.territory_units.through
    priorities_through = Activity.priorities.through
    for copy in range(1, factor):
        clones = []
        for a in originals:
            clone = Activity(
                **{
                    f.attname: getattr(a, f.attname)
                    for f in Activity._meta.concrete_fields
                    if f.attname not in ("id", "created_at", "updated_at")
                }
            )
            clone.title_lv = f"{a.title_lv} ({copy})"
            clones.append(clone)
        Activity.objects.bulk_create(clones, batch_size=2000)
        units, priorities, lines = [], [], []
        for a, clone in zip(originals, clones, strict=True):
            units += [
                units_through(activity_id=clone.pk, territoryunit_id=u.pk) for u in a.territory_units.all()
            ]
            priorities += [
                priorities_through(activity_id=clone.pk, priority_id=p.pk) for p in a.priorities.all()
            ]
            lines += [
                FundingLine(activity_id=clone.pk, source=f.source, amount=f.amount)
                for f in a.funding_lines.all()
            ]
        units_through.objects.bulk_create(units, batch_size=5000)
        priorities_through.objects.bulk_create(priorities, batch_size=5000)
        FundingLine.objects.bulk_create(lines, batch_size=5000)
    return Activity.objects.approved().in_year(YEAR).count()


def measure_report(year=YEAR):
    """(year data + PDF render seconds, WeasyPrint alone on the same HTML seconds, PDF bytes)."""
    from weasyprint import HTML

    strategy = Strategy.objects.current()
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    data = year_data(strategy, year)
    pdf = render_pdf(data, language="lv", created_at=now)
    ours = time.perf_counter() - started
    html = render_html(data, language="lv", created_at=now)
    started = time.perf_counter()
    HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    weasy = time.perf_counter() - started
    return ours, weasy, len(pdf)


def _measure(label):
    from weasyprint import HTML

    strategy = Strategy.objects.current()
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    data = year_data(strategy, YEAR)
    data_s = time.perf_counter() - started
    started = time.perf_counter()
    pdf = render_pdf(data, language="lv", created_at=now)
    pdf_s = time.perf_counter() - started
    html = render_html(data, language="lv", created_at=now)
    started = time.perf_counter()
    HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    weasy_s = time.perf_counter() - started
    print(
        f"\n{label}: {Activity.objects.approved().in_year(YEAR).count()} approved activities in {YEAR}; "
        f"year data {data_s:.2f} s, report render {pdf_s:.2f} s (total {data_s + pdf_s:.2f} s), "
        f"WeasyPrint alone on the same HTML {weasy_s:.2f} s, ratio {(data_s + pdf_s) / weasy_s:.2f}; "
        f"{len(pdf)} bytes"
    )
    return data_s + pdf_s


@pytest.mark.django_db
def test_report_render_time_at_scale_1_and_100(demo):
    scale_1 = _measure("scale 1")
    count = _multiply_activities(100)
    scale_100 = _measure("scale 100")
    print(f"scale 100 / scale 1: {scale_100 / scale_1:.2f} ({count} activities)")
    # Bounded: long lists are summarised, so 100× the activities must not make the report much slower.
    # (The absolute goal, ≤ 10 s at 100×, depends on the machine: read the printed times.)
    assert scale_100 / scale_1 < 2
