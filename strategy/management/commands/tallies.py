"""Compare the activity and funding tallies with a from-scratch aggregation of the activities, or rebuild them."""

from django.core.management.base import BaseCommand, CommandError

from partners.dbutils import ensure_migrated
from strategy import tallies


class Command(BaseCommand):
    help = (
        "Salīdzina aktivitāšu kopsummas (ko rāda rādītāji) ar aktivitātēm, no jauna saskaitītām; "
        "ar --rebuild tās pārrēķina."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Pārrēķināt visas kopsummas.")

    def handle(self, *args, rebuild=False, **options):
        ensure_migrated()
        if rebuild:
            tallies.rebuild()
        differences = tallies.differences()
        if differences:
            for key, stored, fresh in differences:
                self.stderr.write(f"{' '.join(map(str, key))}: glabātā kopsumma {stored}, no jauna {fresh}")
            raise CommandError(
                f"{len(differences)} kopsummas neatbilst aktivitātēm. Pārrēķiniet: python manage.py tallies --rebuild"
            )
        self.stdout.write(
            "Aktivitāšu kopsummas atbilst aktivitātēm." + (" (pārrēķinātas)" if rebuild else "")
        )
