"""Closing a year is a decision the board can trust: a confirmation page shows, per LAG, the year's
records that are not approved (drafts, submitted, returned — activities and measurements), whether the
board's summary is written and the figures that will be frozen; closing with unapproved records needs
an explicit acknowledgement, which is stored on the closure with what was unapproved at that moment."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import Indicator, YearSnapshot, YearSummary
from indicators.yearend.services import close_year
from indicators.yearend.snapshot import year_data
from partners import roles
from partners.formats import figure as format_value
from partners.models import LAG
from strategy.models import ActivityType, YearClosure
from strategy.workflow import Status
from tests import factories

YEAR = 2024


@pytest.fixture
def board(db):
    return factories.user(role=roles.BOARD)


@pytest.fixture
def year_records(strategy):
    """Kaimiņi: 2 drafts, 1 submitted activity and a returned measurement of 2024; Preiļi: 1 approved
    forum of 1 234 participants with a 2 899 408,11 EUR project, and a 2023 draft (another year)."""
    kaimini, preili = LAG.objects.get(slug="kaimini"), LAG.objects.get(slug="preili")
    forum = ActivityType.objects.get(code="forum")
    for status in (Status.DRAFT, Status.DRAFT, Status.SUBMITTED):
        factories.activity(lag=kaimini, activity_type=forum, status=status, start_date=date(YEAR, 4, 1))
    factories.measurement(
        lag=kaimini, indicator=Indicator.objects.get(code="K4"), status=Status.RETURNED, year=YEAR
    )
    factories.activity(
        lag=preili,
        activity_type=forum,
        status=Status.APPROVED,
        start_date=date(YEAR, 5, 1),
        participants_total=1234,
    )
    project = factories.activity(
        lag=preili,
        activity_type=ActivityType.objects.get(code="project"),
        status=Status.DRAFT,
        start_date=date(YEAR, 6, 1),
    )
    factories.funding_line(activity=project, amount=Decimal("2899408.11"))
    project.status = Status.APPROVED
    project.save()
    factories.activity(lag=preili, activity_type=forum, status=Status.DRAFT, start_date=date(YEAR - 1, 5, 1))


def close_url(year=YEAR):
    return reverse("admin:strategy_yearclosure_close", args=[year])


def test_the_confirmation_shows_unapproved_records_summary_and_the_figures_to_freeze(
    client, board, year_records
):
    client.force_login(board)
    response = client.get(close_url())

    assert response.status_code == 200
    page = response.content.decode()
    rows = {row["lag"].slug: row for row in response.context["unapproved"]["rows"]}
    assert rows["kaimini"]["activities"] == {"draft": 2, "submitted": 1, "returned": 0}
    assert rows["kaimini"]["measurements"] == {"draft": 0, "submitted": 0, "returned": 1}
    assert rows["preili"]["activities"] == {"draft": 0, "submitted": 0, "returned": 0}  # 2023 is not 2024
    assert response.context["unapproved"]["total"] == 4
    assert "Valdes kopsavilkums par 2024. gadu nav uzrakstīts" in page
    # the figures, as the engine gives them and the portal formats them
    assert "1\xa0234" in page and "2\xa0899\xa0408,11\xa0EUR" in page
    frozen = year_data(factories.current_strategy(), YEAR)["scopes"]
    r2 = Indicator.objects.get(code="R2")
    assert format_value(frozen["joint"]["figures"]["R2"]["year"]["actual"], r2) == "1\xa0234"
    assert 'name="acknowledge_unapproved"' in page
    assert not YearClosure.objects.exists()  # looking closes nothing


def test_closing_with_unapproved_records_needs_the_acknowledgement(client, board, year_records):
    client.force_login(board)
    response = client.post(close_url())

    assert response.status_code == 200
    assert "Apstipriniet, ka zināt" in response.content.decode()
    assert not YearClosure.objects.exists() and not YearSnapshot.objects.exists()

    response = client.post(close_url(), {"acknowledge_unapproved": "on"})
    assert response.status_code == 302
    closure = YearClosure.objects.get(year=YEAR)
    assert closure.unapproved_acknowledged is True
    assert closure.unapproved["kaimini"] == {
        "activities": {"draft": 2, "submitted": 1, "returned": 0},
        "measurements": {"draft": 0, "submitted": 0, "returned": 1},
    }
    assert closure.unapproved_total == 4


def test_a_year_without_unapproved_records_closes_without_acknowledgement(client, board, strategy):
    YearSummary.objects.create(strategy=strategy, year=YEAR, text_lv="Gads bija ražīgs.")
    client.force_login(board)
    page = client.get(close_url()).content.decode()
    assert 'name="acknowledge_unapproved"' not in page
    assert "nav uzrakstīts" not in page

    assert client.post(close_url()).status_code == 302
    closure = YearClosure.objects.get(year=YEAR)
    assert (closure.unapproved_acknowledged, closure.unapproved_total) == (False, 0)


def test_the_service_refuses_unacknowledged_unapproved_records(board, year_records):
    with pytest.raises(ValidationError) as error:
        close_year(year=YEAR, by=board)
    assert "4 neapstiprināti ieraksti" in " ".join(error.value.messages)
    assert not YearClosure.objects.exists()

    close_year(year=YEAR, by=board, acknowledge_unapproved=True)
    assert YearClosure.objects.get().unapproved_acknowledged


def test_the_closure_history_shows_what_was_acknowledged(client, board, year_records):
    close_year(year=YEAR, by=board, acknowledge_unapproved=True)
    client.force_login(board)
    page = client.get(reverse("admin:strategy_yearclosure_changelist")).content.decode()

    assert "4 neapstiprināti ieraksti" in page
    assert "slēdzot apstiprināts, ka tie netiks ieskaitīti" in page


def test_the_year_board_asks_before_closing(client, board, strategy):
    client.force_login(board)
    page = client.get(reverse("admin:strategy_yearclosure_changelist")).content.decode()

    # a link to the confirmation, not a one-click form that closes
    assert f'href="{close_url()}"' in page
    assert f'action="{close_url()}"' not in page


def test_the_confirmation_of_a_closed_year_sends_back_to_the_board(client, board, strategy):
    close_year(year=YEAR, by=board)
    client.force_login(board)
    response = client.get(close_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:strategy_yearclosure_changelist")
    assert "2024. gads jau ir slēgts" in response.content.decode()


@pytest.mark.parametrize("size", [1, 20])
def test_the_confirmation_query_count_does_not_grow(client, board, strategy, django_assert_num_queries, size):
    kaimini = LAG.objects.get(slug="kaimini")
    forum = ActivityType.objects.get(code="forum")
    for status in (Status.DRAFT, Status.SUBMITTED, Status.APPROVED):
        for _i in range(size):
            factories.activity(lag=kaimini, activity_type=forum, status=status, start_date=date(YEAR, 4, 1))
    reported = list(Indicator.objects.filter(code__in=["K4", "K8", "K9", "K11", "R1", "R3"]))
    for i in range(size):
        factories.measurement(
            lag=kaimini, indicator=reported[i % 6], status=Status.RETURNED, year=2020 + i // 6
        )
    client.force_login(board)
    # savepoints 2, session 1, user 1, roles 1, strategy 1, is the year closed 1, LAGs 1, unapproved
    # activities and measurements 2, the progress engine 14, the board's summary 1, the admin's
    # permissions 2
    with django_assert_num_queries(2 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 14 + 1 + 2):
        assert client.get(close_url()).status_code == 200


def test_only_the_board_or_secretariat_sees_the_confirmation(client, strategy):
    client.force_login(factories.user(role=roles.COORDINATOR, lag=LAG.objects.get(slug="kaimini")))
    assert client.get(close_url()).status_code == 403
    assert client.post(close_url(), {"acknowledge_unapproved": "on"}).status_code == 403
    assert not YearClosure.objects.exists()


def test_closing_without_the_boards_summary_warns_after_closing_too(client, board, strategy):
    """The confirmation warns that the summary is missing; once closed, the snapshot has frozen the
    report without it, so the board is told again, and how to add it."""
    YearSummary.objects.create(strategy=strategy, year=YEAR, text_lv="  ")  # an empty text is no summary
    client.force_login(board)
    page = client.get(close_url()).content.decode()
    assert "Valdes kopsavilkums par 2024. gadu nav uzrakstīts" in page

    response = client.post(close_url(), follow=True)
    assert YearClosure.objects.filter(year=YEAR).exists()
    board_page = response.content.decode()
    assert "2024. gads slēgts bez valdes kopsavilkuma" in board_page
    assert "jāatver no jauna" in board_page


def test_closing_with_the_boards_summary_does_not_warn(client, board, strategy):
    YearSummary.objects.create(strategy=strategy, year=YEAR, text_lv="Gads bija ražīgs.")
    client.force_login(board)
    response = client.post(close_url(), follow=True)
    assert "bez valdes kopsavilkuma" not in response.content.decode()
