from django.core.management.base import BaseCommand

from partners.public_cache import data_version
from strategy.shortcuts import strategy_or_404

from ... import opendata


class Command(BaseCommand):
    help = (
        "Sagatavo pašreizējās datu versijas atvērto datu datnes (visas kopas visos formātos, aktivitātes arī "
        "pa VRG un gadiem), kuras vēl nav sagatavotas. Palaiž ik pēc dažām minūtēm (docs/ddkc-opendata.timer): "
        "lielu datu apjomu gadījumā tās netiek veidotas pieprasījuma laikā."
    )

    def handle(self, **options):
        built = opendata.build_all(strategy_or_404, data_version())
        if options["verbosity"]:
            self.stdout.write(f"Sagatavotas atvērto datu datnes: {len(built)}.")
