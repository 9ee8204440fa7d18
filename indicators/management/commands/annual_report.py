"""python manage.py annual_report --year 2024 [--lag kraslava] [--lang en] --output report.pdf"""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partners.models import LAG
from strategy.models import Strategy

from ...yearend.pdf import LANGUAGES, annual_report
from ...yearend.services import latest_snapshot


class Command(BaseCommand):
    help = (
        "Sagatavo gada pārskatu PDF formātā: slēgtam gadam — no momentuzņēmuma (saglabāto datni), "
        "atvērtam — provizorisku no pašreizējiem datiem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--lag", help="VRG īsais kods; bez tā — visas VRG kopā")
        parser.add_argument("--lang", default="lv", choices=LANGUAGES)
        parser.add_argument("--output", required=True, help="PDF datnes ceļš")

    def handle(self, *args, year, lag, lang, output, **options):
        strategy = Strategy.objects.current()
        if strategy is None:
            raise CommandError("Stratēģija nav ielādēta (python manage.py load_strategy).")
        if year not in strategy.years:
            raise CommandError(
                f"{year}. gads nav stratēģijas periodā ({strategy.period_start}–{strategy.period_end})."
            )
        if lag and not LAG.objects.filter(slug=lag).exists():
            known = ", ".join(LAG.objects.values_list("slug", flat=True))
            raise CommandError(f"Nezināma VRG „{lag}”. Zināmās: {known}.")
        pdf, report = annual_report(year=year, lag=lag, language=lang, strategy=strategy)
        Path(output).write_bytes(pdf)
        state = (
            "galīgs (gads slēgts)" if latest_snapshot(year, strategy) else "provizorisks (gads nav slēgts)"
        )
        digest = report.sha256 if report else hashlib.sha256(pdf).hexdigest()
        self.stdout.write(f"{output}: {len(pdf)} baiti, {state}, SHA-256 {digest}")
