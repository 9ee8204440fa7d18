"""The portal's roles. They are Django groups (created by a migration) so the secretariat can assign
them in the admin; code refers to them only through these constants."""

from django.utils.translation import gettext_lazy as _

EDITOR = "VRG speciālists"
COORDINATOR = "VRG koordinators"
BOARD = "Valde"
SECRETARIAT = "Sekretariāts"

ALL = [EDITOR, COORDINATOR, BOARD, SECRETARIAT]

DESCRIPTIONS = {
    EDITOR: _("Reģistrē savas VRG aktivitātes un rādītāju vērtības un iesniedz tās apstiprināšanai."),
    COORDINATOR: _("Apstiprina vai atgriež savas VRG iesniegtos ierakstus."),
    BOARD: _("Slēdz gadu un sagatavo gada pārskatu."),
    SECRETARIAT: _("Pārvalda lietotājus, VRG datus, rādītājus un mērķus."),
}


def has_role(user, role):
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()
