"""The permission matrix: every role × every action × own or another LAG, for activities and
measurements, through the admin's own URLs (what a browser, or a hand-made POST, would send).
Each case asserts what happened when allowed and that nothing happened when refused."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from indicators.models import Indicator, Measurement
from partners import roles
from strategy.importing.formats import LatvianCSV
from strategy.models import Activity, StatusChange
from strategy.workflow import Status
from tests import factories

ROLES = [roles.EDITOR, roles.COORDINATOR, roles.BOARD, roles.SECRETARIAT]
ACTIONS = ["view", "add", "change", "delete", "submit", "approve", "return", "reopen", "import", "export"]
SCOPES = ["own", "other"]


def allowed(role, action, scope):
    """The rule, stated once for the whole matrix."""
    staff = role in (roles.EDITOR, roles.COORDINATOR)
    if action in ("view", "export"):
        # a draft is what the case looks at: other LAGs' drafts stay hidden from LAG staff
        return scope == "own" or not staff
    if action in ("add", "change", "delete", "submit", "import"):
        return staff and scope == "own"
    if action in ("approve", "return", "reopen"):
        # both LAGs have a coordinator who did not write the record: the secretariat does not review
        # (test_the_secretariat_reviews_where_no_coordinator_of_the_lag_may)
        return role == roles.COORDINATOR and scope == "own"
    raise AssertionError(action)


class World:
    def __init__(self, model):
        self.model = model
        self.own_lag = factories.lag(slug="musu")
        self.other_lag = factories.lag(slug="citi")
        self.activity_type = factories.activity_type(code="talka")
        self.indicator = factories.indicator(code="K4", unit=Indicator.Unit.MEMBERS)
        self.other_editor = {
            "own": factories.user(role=roles.EDITOR, lag=self.own_lag),
            "other": factories.user(role=roles.EDITOR, lag=self.other_lag),
        }
        self.coordinators = {
            "own": factories.user(role=roles.COORDINATOR, lag=self.own_lag),
            "other": factories.user(role=roles.COORDINATOR, lag=self.other_lag),
        }

    def lag(self, scope):
        return self.own_lag if scope == "own" else self.other_lag

    def record(self, scope, status=Status.DRAFT, year=2024):
        author = self.other_editor[scope]
        if self.model is Activity:
            return factories.activity(
                lag=self.lag(scope), activity_type=self.activity_type, status=status, author=author
            )
        return factories.measurement(
            lag=self.lag(scope), indicator=self.indicator, status=status, author=author, year=year
        )

    def form_data(self, scope, title, record=None):
        # A change form carries the version it was opened at (optimistic locking).
        version = {"edit_version": str(record.version)} if record is not None else {}
        if self.model is Activity:
            return {
                **version,
                "lag": self.lag(scope).pk,
                "title_lv": title,
                "activity_type": self.activity_type.pk,
                "start_date": "05.03.2024",
                "participants_total": "10",
                "funding_lines-TOTAL_FORMS": "0",
                "funding_lines-INITIAL_FORMS": "0",
                "evidence-TOTAL_FORMS": "0",
                "evidence-INITIAL_FORMS": "0",
            }
        return {
            **version,
            "indicator": self.indicator.pk,
            "lag": self.lag(scope).pk,
            "year": "2025",
            "value": "42",
            "note": title,
        }

    def title(self, record):
        record.refresh_from_db()
        return record.title_lv if self.model is Activity else record.note

    def csv(self, scope):
        slug = self.lag(scope).slug
        if self.model is Activity:
            text = f"VRG;nosaukums;sākuma datums;veids\r\n{slug};Importēta talka;05.03.2024;talka\r\n"
        else:
            text = f"rādītājs;VRG;gads;vērtība\r\nK4;{slug};2023;57\r\n"
        return text.encode("utf-8")

    def url(self, name, *args):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


@pytest.fixture(params=[Activity, Measurement], ids=["activity", "measurement"])
def world(request, db):
    return World(request.param)


def login(client, role, world):
    lag = world.own_lag if role in (roles.EDITOR, roles.COORDINATOR) else None
    user = factories.user(role=role, lag=lag)
    client.force_login(user)
    return user


def count_changes(record, to_status):
    return StatusChange.objects.filter(object_id=record.pk, to_status=to_status).count()


def run(action, scope, client, user, world):
    """Perform the action through the admin; return True if it took effect."""
    model = world.model
    if action == "view":
        record = world.record(scope)
        response = client.get(world.url("change", record.pk))
        assert response.status_code in (200, 302)
        return response.status_code == 200 and str(record) in response.content.decode()
    if action == "add":
        before = set(model.objects.values_list("pk", flat=True))
        response = client.post(world.url("add"), world.form_data(scope, "Jauns ieraksts"))
        assert response.status_code in (200, 302, 403)
        created = model.objects.exclude(pk__in=before)
        # staff cannot choose the LAG: a record made "for the other LAG" lands in their own, or nowhere
        return created.filter(lag=world.lag(scope)).exists() and created.get().author == user
    if action == "change":
        record = world.record(scope)
        response = client.post(world.url("change", record.pk), world.form_data(scope, "Labots", record))
        assert response.status_code in (200, 302, 403)
        return world.title(record) == "Labots"
    if action == "delete":
        record = world.record(scope)
        response = client.post(world.url("delete", record.pk), {"post": "yes"})
        assert response.status_code in (200, 302, 403)
        return not model.objects.filter(pk=record.pk).exists()
    if action in ("submit", "approve", "return", "reopen"):
        status = {"submit": Status.DRAFT, "reopen": Status.APPROVED}.get(action, Status.SUBMITTED)
        to = {"submit": Status.SUBMITTED, "approve": Status.APPROVED}.get(action, Status.RETURNED)
        record = world.record(scope, status=status)
        response = client.post(world.url("transition", record.pk, action), {"note": "Jāpievieno saraksts."})
        assert response.status_code in (302, 403, 404)
        record.refresh_from_db()
        took = record.status == to and count_changes(record, to) == 1
        # the list action is the same rule through another door
        other = world.record(scope, status=status, year=2023)
        response = client.post(
            world.url("changelist"),
            {
                "action": f"{action}_selected",
                "_selected_action": [other.pk],
                "note": "Jāpievieno.",
                "apply": "1",
            },
        )
        assert response.status_code in (200, 302, 403)
        other.refresh_from_db()
        assert (other.status == to) == took
        return took
    if action == "import":
        upload = io.BytesIO(world.csv(scope))
        upload.name = "dati.csv"
        response = client.post(world.url("import"), {"format": "0", "import_file": upload, "resource": "0"})
        assert response.status_code in (200, 403)
        if response.status_code == 403 or "confirm_form" not in (response.context or {}):
            return False
        confirm = response.context["confirm_form"]
        response = client.post(world.url("process_import"), {n: confirm[n].value() for n in confirm.fields})
        return model.objects.filter(lag=world.lag(scope), author=user).exists()
    if action == "export":
        draft = world.record(scope)
        form = client.get(world.url("export")).context["form"]
        # every column ticked, as the export page offers it
        data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
        response = client.post(world.url("export"), {**data, "format": "0"})
        if response.status_code != 200 or response.get("Content-Disposition") is None:
            return False
        dataset = LatvianCSV().create_dataset(response.content)
        if model is Activity:
            return str(draft.pk) in dataset["id"]
        return world.lag(scope).slug in dataset["VRG"]
    raise AssertionError(action)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, action, scope, world, client):
    user = login(client, role, world)
    assert run(action, scope, client, user, world) == allowed(role, action, scope)


@pytest.mark.parametrize("action", ["approve", "return"])
def test_the_secretariat_reviews_where_no_coordinator_of_the_lag_may(world, client, action):
    """The matrix's other LAGs have a coordinator; here the own LAG's only one authored the records."""
    world.coordinators["own"].is_active = False
    world.coordinators["own"].save()
    world.other_editor["own"] = factories.user(role=roles.COORDINATOR, lag=world.own_lag)
    user = login(client, roles.SECRETARIAT, world)
    took = {}
    for case, scope in ((action, "own"), (action, "other"), ("reopen", "own")):
        took[case, scope] = run(case, scope, client, user, world)
        world.model.objects.all().delete()  # a measurement is one per indicator, LAG and year
    assert took == {(action, "own"): True, (action, "other"): False, ("reopen", "own"): False}


def test_other_lags_approved_records_are_readable_but_not_writable_by_lag_staff(world, client):
    login(client, roles.EDITOR, world)
    approved = world.record("other", status=Status.APPROVED)

    response = client.get(world.url("change", approved.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()  # a view-only page
    client.post(world.url("change", approved.pk), world.form_data("other", "Labots", approved))
    assert world.title(approved) != "Labots"


def test_editor_cannot_edit_or_delete_an_approved_record_of_their_own_lag(world, client):
    login(client, roles.EDITOR, world)
    approved = world.record("own", status=Status.APPROVED)

    assert (
        client.post(world.url("change", approved.pk), world.form_data("own", "Labots", approved)).status_code
        == 403
    )
    assert world.title(approved) != "Labots"
    assert client.post(world.url("delete", approved.pk), {"post": "yes"}).status_code == 403
    # the bulk delete action refuses the whole selection
    draft = world.record("own", year=2023)
    response = client.post(
        world.url("changelist"),
        {"action": "delete_selected", "_selected_action": [approved.pk, draft.pk], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert world.model.objects.filter(pk__in=[approved.pk, draft.pk]).count() == 2


def test_lag_is_fixed_for_staff_even_when_a_post_names_another(client, db):
    world = World(Activity)
    user = login(client, roles.EDITOR, world)
    data = world.form_data("other", "Talka")
    client.post(world.url("add"), data)

    activity = Activity.objects.get()
    assert (activity.lag, activity.author, activity.status) == (world.own_lag, user, Status.DRAFT)


def test_history_revert_form_is_read_only(client, db):
    world = World(Activity)
    login(client, roles.BOARD, world)
    record = world.record("own")
    version = record.history.first()
    url = reverse("admin:strategy_activity_simple_history", args=[record.pk, version.history_id])

    assert client.get(url).status_code == 200
    assert client.post(url, world.form_data("own", "Atjaunots")).status_code == 405
    assert world.title(record) != "Atjaunots"


def test_plan_table_is_edited_by_the_secretariat_only(client, db):
    world = World(Activity)
    indicator = world.indicator
    url = reverse("admin:indicators_indicator_plan", args=[indicator.pk])
    field = f"t_2024_{world.own_lag.slug}"
    for role, can in [
        (roles.SECRETARIAT, True),
        (roles.BOARD, False),
        (roles.EDITOR, False),
        (roles.COORDINATOR, False),
    ]:
        login(client, role, world)
        assert client.get(url).status_code == 200
        response = client.post(url, {field: "1 234,5"})
        assert response.status_code == (302 if can else 403)
    target = indicator.targets.get()
    assert (target.lag, target.year, target.value) == (world.own_lag, 2024, Decimal("1234.50"))


def test_role_groups_carry_exactly_the_model_permissions_they_need(db):
    editor = set(Group.objects.get(name=roles.EDITOR).permissions.values_list("codename", flat=True))
    board = set(Group.objects.get(name=roles.BOARD).permissions.values_list("codename", flat=True))
    secretariat = set(
        Group.objects.get(name=roles.SECRETARIAT).permissions.values_list("codename", flat=True)
    )
    assert {"add_activity", "change_measurement", "view_territoryunit"} <= editor
    assert not {"change_target", "change_indicator", "add_user"} & editor
    assert all(codename.startswith("view_") for codename in board)
    assert {"change_target", "add_user", "change_indicator"} <= secretariat
    assert not {"change_activity", "add_measurement"} & secretariat


def test_a_direct_measurement_post_is_validated_per_indicator(client, db):
    world = World(Measurement)
    login(client, roles.EDITOR, world)
    share = factories.indicator(code="K8", unit=Indicator.Unit.PERCENT, strategy=world.indicator.strategy)
    data = {**world.form_data("own", "x"), "indicator": share.pk}
    response = client.post(world.url("add"), data)

    assert "Jānorāda gan skaitītājs, gan saucējs" in response.content.decode()
    assert not Measurement.objects.exists()
    response = client.post(world.url("add"), {**data, "value": "", "numerator": "10", "denominator": "40"})
    assert Measurement.objects.get().share == Decimal(25)
    assert date.today().year  # the admin accepted it: a share is never typed


def test_secretariat_manages_users_but_cannot_make_a_superuser(client, db):
    secretariat = factories.user(role=roles.SECRETARIAT)
    staff = factories.user(role=roles.EDITOR, lag=factories.lag())
    admin = factories.user(is_superuser=True)
    client.force_login(secretariat)

    page = client.get(f"/admin/partners/user/{staff.pk}/change/").content.decode()
    assert 'name="username"' in page and 'name="is_superuser"' not in page
    data = {
        "username": staff.username,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "lag": staff.lag_id,
        "groups": [Group.objects.get(name=roles.COORDINATOR).pk],
        "date_joined_0": "01.01.2024",
        "date_joined_1": "10:00:00",
    }
    client.post(f"/admin/partners/user/{staff.pk}/change/", data)
    staff.refresh_from_db()
    assert staff.groups.get().name == roles.COORDINATOR  # the change went through…
    assert not staff.is_superuser  # …without the superuser flag
    assert client.post(f"/admin/partners/user/{admin.pk}/delete/", {"post": "yes"}).status_code == 403
