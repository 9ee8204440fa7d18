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


# The roles that work for one LAG: their accounts must name it, and only theirs may.
LAG_ROLES = frozenset({EDITOR, COORDINATOR})


def gives_staff_status(role_names, *, is_superuser=False):
    """Staff status (logging in to the admin) follows the roles: any role gives it, and an account
    left without one loses it, so nobody has to remember the "Personāla statuss" box. A superuser
    keeps it: a superuser who could not log in would be no use."""
    return bool(role_names) or bool(is_superuser)


def lag_refusal(role_names, has_lag):
    """Why this combination of roles and LAG cannot be an account, or None.

    An editor or coordinator writes and approves one LAG's records, so needs that LAG; the board
    and the secretariat read every LAG's records, and a LAG on their account would mean nothing
    (nor would one on an account without a role)."""
    works_for_a_lag = bool(set(role_names) & LAG_ROLES)
    if works_for_a_lag and not has_lag:
        return _(
            "VRG speciālistam un VRG koordinatoram jānorāda VRG: tās ierakstus viņš veido vai apstiprina."
        )
    if has_lag and not works_for_a_lag:
        return _(
            "VRG norāda tikai VRG speciālistam vai VRG koordinatoram; valde un sekretariāts strādā ar visu "
            "VRG ierakstiem, tāpēc viņiem VRG nenorāda."
        )
    return None


def _crud(*models):
    return {f"{action}_{model}" for model in models for action in ("view", "add", "change", "delete")}


def _view(*models):
    return {f"view_{model}" for model in models}


# Django model permissions per role, as "app_label": {codenames}. They open the admin's pages;
# which LAG's records and which statuses a user may write is decided on top of them, in code
# (strategy.permissions). The board and the secretariat only read activities and measurements.
_STRATEGY_TREE = ("strategy", "priority", "expectedresult", "statement", "activitytype")
_READ_CONTEXT = {
    "partners": _view("lag", "lagpriority", "localstrategy", "municipality", "territoryunit"),
    # The log of all status changes names every LAG's records: staff see each record's own history.
    "strategy": _view(*_STRATEGY_TREE),
    "indicators": _view("indicator", "target", "baseline"),
}
_LAG_STAFF = {
    "partners": _READ_CONTEXT["partners"],
    "strategy": _READ_CONTEXT["strategy"] | _crud("activity", "fundingline", "evidence"),
    # editors read their LAG's variance narratives; the coordinator writes them (#16)
    "indicators": _READ_CONTEXT["indicators"] | _crud("measurement") | _view("variancenarrative"),
}
_COORDINATOR = {**_LAG_STAFF, "indicators": _LAG_STAFF["indicators"] | _crud("variancenarrative")}
_READ_ALL = {
    "partners": _READ_CONTEXT["partners"],
    "strategy": _READ_CONTEXT["strategy"] | _view("activity", "fundingline", "evidence", "statuschange"),
    "indicators": _READ_CONTEXT["indicators"] | _view("measurement", "variancenarrative"),
}
PERMISSIONS = {
    EDITOR: _LAG_STAFF,
    COORDINATOR: _COORDINATOR,
    BOARD: _READ_ALL,
    SECRETARIAT: {
        "auth": _view("group"),
        # The outbox only to read: what was sent, what failed (#16).
        "partners": _crud("user", "lag", "lagpriority", "localstrategy", "municipality", "territoryunit")
        | _view("outboxmessage"),
        # The reporting deadlines the reminders are sent for (#16).
        "strategy": _crud(*_STRATEGY_TREE, "reportingdeadline") | _READ_ALL["strategy"],
        "indicators": _crud("indicator", "target", "baseline") | _view("measurement", "variancenarrative"),
    },
}


def grant_permissions(**kwargs):
    """Give each role's group exactly its permissions. Connected to post_migrate, so it runs after
    every app's permissions exist (Django creates them in post_migrate too, before this runs)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for role, wanted in PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        query = Q(pk__in=[])
        for app_label, codenames in wanted.items():
            query |= Q(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(Permission.objects.filter(query))
