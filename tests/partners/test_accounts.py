"""Staff accounts as the secretariat makes them in the user admin: a role gives the account staff
status (it can log in), a LAG role needs a LAG, and a refusal in the admin is a Latvian page."""

import re

import pytest
from django.contrib.auth.models import Group

from partners import roles
from partners.models import User
from tests import factories

PASSWORD = "Garš-un-drošs-2026"


@pytest.fixture
def secretariat(client, db):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    return client


def group_id(role):
    return Group.objects.get(name=role).pk


def add_user(client, username, *, role=None, lag=None):
    data = {
        "username": username,
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "lag": lag.pk if lag else "",
    }
    if role:
        data["groups"] = [group_id(role)]
    return client.post("/admin/partners/user/add/", data)


def change_data(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "lag": user.lag_id or "",
        "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": "01.01.2026",
        "date_joined_1": "10:00:00",
    }
    data.update(overrides)
    return data


def field_errors(response, field):
    return [str(e) for e in response.context["adminform"].form.errors.get(field, [])]


def test_a_user_created_with_a_role_can_log_in_to_the_admin_at_once(secretariat, client):
    lag = factories.lag()

    response = add_user(secretariat, "ilze", role=roles.EDITOR, lag=lag)

    assert response.status_code == 302
    ilze = User.objects.get(username="ilze")
    assert ilze.is_staff is True
    client.logout()
    response = client.post("/admin/login/?next=/admin/", {"username": "ilze", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [roles.EDITOR, roles.COORDINATOR])
def test_an_editor_or_coordinator_without_a_lag_is_refused_with_a_latvian_message(secretariat, role):
    response = add_user(secretariat, "janis", role=role)

    assert response.status_code == 200
    assert field_errors(response, "lag") == [
        "VRG speciālistam un VRG koordinatoram jānorāda VRG: tās ierakstus viņš veido vai apstiprina."
    ]
    assert not User.objects.filter(username="janis").exists()


@pytest.mark.parametrize("role", [roles.BOARD, roles.SECRETARIAT])
def test_a_board_or_secretariat_account_with_a_lag_is_refused(secretariat, role):
    response = add_user(secretariat, "anna", role=role, lag=factories.lag())

    assert response.status_code == 200
    assert field_errors(response, "lag") == [
        "VRG norāda tikai VRG speciālistam vai VRG koordinatoram; valde un sekretariāts strādā ar visu "
        "VRG ierakstiem, tāpēc viņiem VRG nenorāda."
    ]
    assert not User.objects.filter(username="anna").exists()


def test_a_coordinator_whose_lag_is_removed_is_refused_and_keeps_it(secretariat):
    lag = factories.lag()
    coordinator = factories.user(role=roles.COORDINATOR, lag=lag)

    response = secretariat.post(
        f"/admin/partners/user/{coordinator.pk}/change/", change_data(coordinator, lag="")
    )

    assert response.status_code == 200
    assert field_errors(response, "lag") != []
    coordinator.refresh_from_db()
    assert coordinator.lag == lag


def test_staff_status_follows_the_roles_and_cannot_be_ticked_by_hand(secretariat):
    account = factories.user(role=roles.BOARD)

    response = secretariat.post(f"/admin/partners/user/{account.pk}/change/", change_data(account, groups=[]))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_staff is False

    # ticking "Personāla statuss" without a role changes nothing: the checkbox is disabled
    secretariat.post(f"/admin/partners/user/{account.pk}/change/", change_data(account, is_staff="on"))
    account.refresh_from_db()
    assert account.is_staff is False

    secretariat.post(
        f"/admin/partners/user/{account.pk}/change/", change_data(account, groups=[group_id(roles.BOARD)])
    )
    account.refresh_from_db()
    assert account.is_staff is True


def test_a_superuser_keeps_staff_status_without_a_role(client, db):
    admin = factories.user(is_superuser=True)
    client.force_login(admin)
    other = factories.user(is_superuser=True, username="root2")

    response = client.post(
        f"/admin/partners/user/{other.pk}/change/", change_data(other, is_superuser="on", groups=[])
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.is_staff is True


def assert_latvian_admin_refusal(response, reason):
    page = response.content.decode()
    assert response.status_code == 403
    assert "DDKC stratēģijas uzraudzība" in page  # the admin's header: the admin's look
    assert "Piekļuve liegta" in page
    assert reason in page
    assert "Forbidden" not in page
    # CSP: no inline script or style on the page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page
    assert " style=" not in page


def test_an_editor_without_a_lag_meets_a_latvian_refusal_that_says_why(client, db):
    client.force_login(factories.user(role=roles.EDITOR))

    response = client.get("/admin/strategy/activity/add/")

    assert_latvian_admin_refusal(
        response,
        "Jūsu kontam nav norādīta VRG, tāpēc nevarat veidot vai labot tās ierakstus. "
        "Lūdziet sekretariātu to norādīt.",
    )


def test_a_page_outside_the_role_is_a_latvian_refusal_in_the_admin(client, db):
    client.force_login(factories.user(role=roles.EDITOR, lag=factories.lag()))

    response = client.get("/admin/partners/user/")

    assert_latvian_admin_refusal(response, "Šī lapa vai darbība jūsu lomai nav pieejama.")
