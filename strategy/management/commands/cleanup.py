from django.core.management.base import BaseCommand

from partners import filestore
from partners.public_cache import data_version
from strategy.importing import tempfiles


class Command(BaseCommand):
    help = (
        "Izdzēš importa priekšskatījumu datnes, kas nav apstiprinātas vai palikušas no pārtraukta importa "
        "un ir vecākas par sesijas ilgumu (ne vairāk kā 23 stundas), un iepriekšējo datu versiju atvērto "
        "datu datnes. Palaiž ik stundu (docs/ddkc-cleanup.timer)."
    )

    def handle(self, **options):
        removed = tempfiles.remove_stale()
        # the open-data files of versions the data has left (one still being built is kept)
        versions = filestore.remove_old(data_version())
        if options["verbosity"]:
            self.stdout.write(f"Izdzēstas importa priekšskatījumu datnes: {len(removed)}.")
            self.stdout.write(f"Izdzēstas iepriekšējo datu versiju atvērto datu mapes: {len(versions)}.")
