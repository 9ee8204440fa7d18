from django.core.management.base import BaseCommand

from indicators.backup import write_backup
from partners.dbutils import ensure_migrated


class Command(BaseCommand):
    help = "Saglabā visus portāla datus un pierādījumu datnes vienā .tar.gz rezerves kopijā."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="rezerves kopijas datne, piem. ddkc-2026-01-31.tar.gz"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *, output, database, **options):
        ensure_migrated(database)
        manifest = write_backup(output, using=database)
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Rezerves kopija {output}: {rows} ieraksti, {len(manifest['files'])} datnes.")
        for name in manifest["missing_files"]:
            self.stderr.write(f"Brīdinājums: datne {name} nav atrasta un kopijā nav iekļauta.")
