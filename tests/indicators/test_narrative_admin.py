"""Variance narratives in the admin (#16): the LAG's coordinator writes one for its own LAG, another
coordinator (four eyes) approves it, a closed year refuses it in Latvian; editors only read them."""

import pytest
from django.urls import reverse

from indicators.models import VarianceNarrative
from indicators.yearend.services import close_year
from partners import roles
from strategy import services
from strategy.workflow import Status
from tests import factories

ADD = reverse("admin:indicators_variancenarrative_add")


def change(narrative):
    return reverse("admin:indicators_variancenarrative_change", args=[narrative.pk])


def transition(narrative, name):
    return reverse("admin:indicators_variancenarrative_transition", args=[narrative.pk, name])


class People:
    def __init__(self, strategy):
        self.indicator = strategy.indicators.get(code="K1")
        self.lag = factories.lag(slug="musu")
        self.other_lag = factories.lag(slug="cita")
        self.coordinator = factories.user(role=roles.COORDINATOR, lag=self.lag)
        self.second_coordinator = factories.user(role=roles.COORDINATOR, lag=self.lag)
        self.editor = factories.user(role=roles.EDITOR, lag=self.lag)
        self.other_coordinator = factories.user(role=roles.COORDINATOR, lag=self.other_lag)
        self.board = factories.user(role=roles.BOARD)


@pytest.fixture
def people(strategy):
    return People(strategy)


def form(people, **overrides):
    data = {
        "indicator": people.indicator.pk,
        "lag": people.lag.pk,
        "year": "2024",
        "text_lv": "Atpaliek, jo divi projekti sākās 2025. gadā.",
        "text_en": "",
    }
    data.update(overrides)
    return data


def test_the_coordinator_writes_a_narrative_for_the_own_lag_and_another_coordinator_approves_it(
    people, client
):
    client.force_login(people.coordinator)
    response = client.post(ADD, form(people, lag=people.other_lag.pk, _submit_for_approval="1"))
    narrative = VarianceNarrative.objects.get()
    # the LAG field is fixed to the coordinator's own LAG whatever the POST says
    assert narrative.lag == people.lag
    assert narrative.author == people.coordinator
    assert narrative.status == Status.SUBMITTED, response.content.decode()[:2000]

    # four eyes: the author may not approve it
    client.post(transition(narrative, "approve"))
    narrative.refresh_from_db()
    assert narrative.status == Status.SUBMITTED

    client.force_login(people.second_coordinator)
    client.post(transition(narrative, "approve"))
    narrative.refresh_from_db()
    assert narrative.status == Status.APPROVED
    assert narrative.reviewed_by == people.second_coordinator


def test_a_returned_narrative_carries_the_note_and_can_be_reopened(people, client):
    narrative = VarianceNarrative.objects.create(
        indicator=people.indicator, lag=people.lag, year=2024, text_lv="Teksts", author=people.coordinator
    )
    services.submit(narrative, by=people.coordinator)
    client.force_login(people.second_coordinator)
    client.post(transition(narrative, "return"), {"note": "Lūdzu, nosauciet projektus."})
    narrative.refresh_from_db()
    assert narrative.status == Status.RETURNED
    assert narrative.return_note == "Lūdzu, nosauciet projektus."


@pytest.mark.parametrize("who", ["editor", "board"])
def test_others_may_not_write_a_narrative(people, client, who):
    client.force_login(getattr(people, who))
    assert client.get(ADD).status_code == 403
    client.post(ADD, form(people))
    assert not VarianceNarrative.objects.exists()


def test_another_lags_coordinator_writes_only_for_the_own_lag(people, client):
    client.force_login(people.other_coordinator)
    client.post(ADD, form(people, lag=people.lag.pk))
    assert not VarianceNarrative.objects.filter(lag=people.lag).exists()
    assert VarianceNarrative.objects.get().lag == people.other_lag


def test_an_editor_reads_the_lags_narrative_but_may_not_submit_it(people, client):
    narrative = VarianceNarrative.objects.create(
        indicator=people.indicator, lag=people.lag, year=2024, text_lv="Teksts", author=people.coordinator
    )
    client.force_login(people.editor)
    page = client.get(change(narrative))
    assert page.status_code == 200
    assert "_submit_for_approval" not in page.content.decode()
    client.post(transition(narrative, "submit"))
    narrative.refresh_from_db()
    assert narrative.status == Status.DRAFT


def test_another_lags_coordinator_does_not_see_a_draft(people, client):
    narrative = VarianceNarrative.objects.create(
        indicator=people.indicator, lag=people.lag, year=2024, text_lv="Teksts", author=people.coordinator
    )
    client.force_login(people.other_coordinator)
    assert client.get(change(narrative)).status_code in (302, 404)


def test_a_personal_code_is_refused(people, client):
    client.force_login(people.coordinator)
    response = client.post(ADD, form(people, text_lv="Skaidro Jānis, 010180-12345."))
    assert response.status_code == 200
    assert not VarianceNarrative.objects.exists()
    assert "Personas kodu portālā nenorāda" in response.content.decode()


def test_a_closed_year_refuses_a_narrative_in_latvian(people, client):
    close_year(year=2024, by=people.board, acknowledge_unapproved=True)
    client.force_login(people.coordinator)
    response = client.post(ADD, form(people))
    assert not VarianceNarrative.objects.exists()
    assert "2024. gads ir slēgts" in response.content.decode()


def test_the_coordinator_reopens_an_approved_narrative_with_a_reason(people, client):
    narrative = VarianceNarrative.objects.create(
        indicator=people.indicator, lag=people.lag, year=2024, text_lv="Teksts", author=people.coordinator
    )
    services.submit(narrative, by=people.coordinator)
    services.approve(narrative, by=people.second_coordinator)
    client.force_login(people.editor)
    client.post(transition(narrative, "reopen"), {"note": "Jālabo"})
    narrative.refresh_from_db()
    assert narrative.status == Status.APPROVED  # an editor may not
    client.force_login(people.coordinator)
    client.post(transition(narrative, "reopen"), {"note": "Jāprecizē skaitļi."})
    narrative.refresh_from_db()
    assert narrative.status == Status.RETURNED
