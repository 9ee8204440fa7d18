from django.core.management.base import BaseCommand

from indicators.backup import restore_backup
from partners.dbutils import ensure_migrated


class Command(BaseCommand):
    help = (
        "Atjauno portāla datus un pierādījumu datnes no rezerves kopijas vienā transakcijā. "
        "Datubāzei jābūt tukšai (pēc migrate), ja vien nav norādīts --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="rezerves kopija (.tar.gz), ko izveidoja `backup`")
        parser.add_argument(
            "--force", action="store_true", help="aizstāt datubāzē esošos datus ar kopijas datiem"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *, source, force, database, **options):
        ensure_migrated(database)
        manifest = restore_backup(source, force=force, using=database)
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Atjaunots no {source} (izveidota {manifest['created']}): {rows} ieraksti, "
            f"{len(manifest['files'])} datnes."
        )
