from django.core.management.base import BaseCommand

from partners import outbox
from strategy import notifications


class Command(BaseCommand):
    help = (
        "Ieliek izsūtāmo vēstuļu rindā iknedēļas kopsavilkumus un atgādinājumus par iesniegšanas termiņiem "
        "(katru vienreiz, lai cik reizes komanda palaista) un nosūta visas vēstules, kuru laiks pienācis; "
        "neizdevusies vēstule paliek rindā un tiek mēģināta vēlāk. Pirms vairāk nekā 90 dienām nosūtītās "
        "vēstules dzēš. Palaiž ik 5 minūtes (docs/ddkc-mail.timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-send",
            action="store_true",
            help="Tikai nosūtīt rindā esošās vēstules (kopsavilkumus un atgādinājumus neveidot).",
        )

    def handle(self, **options):
        digests = reminders = 0
        if not options["only_send"]:
            digests = notifications.queue_digests()
            reminders = notifications.queue_reminders()
        sent, failed = outbox.send_due()
        forgotten = outbox.forget_sent()
        if options["verbosity"]:
            self.stdout.write(
                f"Rindā ielikti kopsavilkumi: {digests}, atgādinājumi: {reminders}. "
                f"Nosūtītas vēstules: {sent}, neizdevās: {failed}. Dzēstas senāk nosūtītās: {forgotten}."
            )
