"""How long the progress engine and the dashboard take at volume (not part of `make test`: `make bench`).
BENCH_ACTIVITIES sets the number of approved activities (default 20 000)."""

import os
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command

from indicators.progress import ProgressEngine
from partners.models import LAG
from strategy.models import Activity, ActivityType, FundingLine, Strategy
from strategy.workflow import Status


def test_bench_engine_and_dashboard(client, db):
    call_command("load_strategy", verbosity=0)
    n = int(os.environ.get("BENCH_ACTIVITIES", "20000"))
    rng = random.Random(1)
    lags, kinds = list(LAG.objects.all()), list(ActivityType.objects.all())
    Activity.objects.bulk_create(
        Activity(
            lag=rng.choice(lags),
            activity_type=rng.choice(kinds),
            title_lv="Bench",
            start_date=date(2020, 1, 1) + timedelta(days=rng.randrange(0, 2190)),
            participants_total=30,
            participants_youth=10,
            participants_vulnerable=3,
            status=Status.APPROVED,
        )
        for _ in range(n)
    )
    FundingLine.objects.bulk_create(
        FundingLine(activity_id=pk, source=FundingLine.Source.EAFRD, amount=Decimal("100.50"))
        for pk in Activity.objects.values_list("pk", flat=True)[: n // 4]
    )
    strategy = Strategy.objects.current()
    started = time.perf_counter()
    engine = ProgressEngine(strategy)
    for indicator in engine.indicators:
        engine.series(indicator)
        engine.figure(indicator)
    engine_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    assert client.get("/lv/indicators/").status_code == 200
    cold_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    assert client.get("/lv/indicators/").status_code == 200
    warm_ms = (time.perf_counter() - started) * 1000
    print(
        f"\n{n} activities: engine {engine_ms:.0f} ms, dashboard cold {cold_ms:.0f} ms, cached {warm_ms:.1f} ms"
    )
