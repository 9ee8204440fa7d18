from django.core.management.base import BaseCommand

from strategy.importing import tempfiles


class Command(BaseCommand):
    help = (
        "Izdzēš importa priekšskatījumu datnes, kas nav apstiprinātas vai palikušas no pārtraukta importa "
        "un ir vecākas par sesijas ilgumu (ne vairāk kā 23 stundas). Palaiž ik stundu (docs/ddkc-cleanup.timer)."
    )

    def handle(self, **options):
        removed = tempfiles.remove_stale()
        if options["verbosity"]:
            self.stdout.write(f"Izdzēstas importa priekšskatījumu datnes: {len(removed)}.")
