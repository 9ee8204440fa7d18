"""What a visitor reads on the public pages after #13: the card's headline is achievement (% of target),
the period a figure covers is stated, the running year is shown apart and without a status, and the
indicator and methodology pages say how each figure is measured. Expected values come from the progress
engine (the one source of every figure), the texts from what a visitor sees."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation

from indicators.models import Indicator, Measurement, Target
from indicators.progress import PERIOD_RULES, ProgressEngine, Status, thresholds
from partners.formats import years_label
from partners.models import LAG
from partners.templatetags.portal import eur
from strategy.models import DataCompletion
from strategy.workflow import Status as WorkflowStatus
from tests import factories

PARTICIPATIONS = ("K7", "R2", "R5")
COMPLETED = range(2020, 2026)


@pytest.fixture
def demo(demo):
    """The demonstration data with 2020–2025 marked complete by every LAG: the default period, and the
    running year (the test clock's) shown as year to date."""
    marker = factories.user()
    for lag in LAG.objects.all():
        for year in COMPLETED:
            DataCompletion.objects.get_or_create(
                lag=lag, year=year, defaults={"marked_by": marker, "marked_at": timezone.now()}
            )


def text(fragment):
    """A page fragment as a visitor reads it: no tags, entities decoded, spaces normalised."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\xa0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", plain).strip()


def card(page, code):
    match = re.search(
        rf'<article class="kpi-card[^"]*" aria-labelledby="kpi-{code}">.*?</article>', page, re.S
    )
    assert match, f"no card for {code}"
    return match.group(0)


def section(page, section_id):
    match = re.search(rf'<section[^>]*id="{section_id}"[^>]*>.*?</section>', page, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


def percent(value, language="lv"):
    with translation.override(language):
        return text(f"{floatformat(value, '0g')} %")


def engine():
    return ProgressEngine(factories.current_strategy())


def test_dashboard_card_headline_is_achievement_with_its_status_and_records_link(client, demo):
    figures = engine()
    k1 = figures.figure("K1")
    assert k1.achievement is not None and k1.achievement_percent != k1.progress_percent
    page = client.get("/lv/indicators/").content.decode()
    shown = card(page, "K1")
    assert f"{percent(k1.achievement_percent)} no mērķa" in text(shown)
    assert f"{percent(k1.progress_percent)} no mērķa" not in text(shown)
    assert str(k1.status_label) in text(shown)
    assert f'aria-valuenow="{k1.achievement_bar}"' in shown
    assert f'href="{html.escape(k1.records_url)}"' in shown  # the actual value still leads to its records
    en = card(client.get("/en/indicators/").content.decode(), "K1")
    assert f"{percent(k1.achievement_percent, 'en')} of target" in text(en)


def test_every_card_of_one_lag_and_one_year_shows_that_scope(client, demo):
    figures = engine()
    lag = LAG.objects.get(slug="preili")
    page = client.get("/lv/indicators/?lag=preili&year=2023").content.decode()
    for indicator in figures.indicators:
        figure = figures.figure(indicator, lag, 2023)
        shown = text(card(page, indicator.code))
        if figure.achievement is not None:
            assert f"{percent(figure.achievement_percent)} no mērķa" in shown, indicator.code
        has = dict(dict(figures.completeness(indicator))[2023])[lag]
        assert f"{int(has)} no 1 " in shown, (
            indicator.code
        )  # that LAG-year, not the LAGs × years of the period
    assert "no 21" not in text(page) and "no 18" not in text(page)
    assert not re.search(r"-\d+ % no mērķa", text(page))


def test_dashboard_states_the_period_and_why(client, demo):
    figures = engine()
    period = figures.period_years()
    assert period
    page = text(client.get("/lv/indicators/").content.decode())
    assert f"Periods: {years_label(period)} — pabeigtie gadi" in page
    en = text(client.get("/en/indicators/").content.decode())
    assert f"Period: {years_label(period)} — completed years" in en


def test_year_to_date_is_shown_apart_and_never_with_a_status(client, demo):
    running = engine().year_to_date_year
    assert running is not None and running not in engine().period_years()
    # One approved activity early in the running year (the measured case: it used to move the period).
    factories.activity(
        lag=LAG.objects.first(),
        activity_type=Indicator.objects.get(code="K1").activity_types.first(),
        status=WorkflowStatus.APPROVED,
        start_date=date(running, 1, 10),
    )
    figures = engine()
    assert figures.period_years()[-1] < running
    page = client.get("/lv/indicators/").content.decode()
    ytd = section(page, "year-to-date")
    assert f"{running} — gads līdz šim" in text(ytd)
    assert 'class="status ' not in ytd
    assert "no mērķa" not in text(ytd)
    k1 = figures.year_to_date("K1")
    assert k1.status == Status.YEAR_TO_DATE
    assert f'href="{html.escape(k1.records_url)}"' in ytd
    # The running year chosen in the filter: its figures, still without a status.
    chosen = client.get(f"/lv/indicators/?year={running}").content.decode()
    for status in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_DIFFERENT):
        assert f"status-{status}" not in chosen
    assert "gads līdz šim" in text(chosen)


@pytest.mark.parametrize("code", PARTICIPATIONS)
def test_participations_are_labelled_as_such(client, demo, code):
    assert engine().figure(code).counts_participations
    assert "dalības reizes" in text(client.get(f"/lv/indicators/{code}/").content.decode())
    assert "participations" in text(client.get(f"/en/indicators/{code}/").content.decode())
    dashboard = client.get("/lv/indicators/").content.decode()
    assert "dalības reizes" in text(card(dashboard, code))
    assert "dalības reizes" not in text(card(dashboard, "K1"))  # a count of activities is not participations


def test_r5_shows_the_strategys_definition_of_vulnerable_residents(client, demo):
    strategy = factories.current_strategy()
    assert strategy.vulnerable_definition_lv and strategy.vulnerable_definition_en
    assert text(strategy.vulnerable_definition_lv) in text(client.get("/lv/indicators/R5/").content.decode())
    assert text(strategy.vulnerable_definition_en) in text(client.get("/en/indicators/R5/").content.decode())
    assert text(strategy.vulnerable_definition_lv) not in text(
        client.get("/lv/indicators/K1/").content.decode()
    )


def test_indicator_page_states_measure_period_rule_achievement_and_progress(client, demo):
    Target.objects.filter(indicator__code="K4", lag=None).delete()  # no override: derived from the LAGs'
    figures = engine()
    k4 = figures.figure("K4")
    assert k4.target_basis == "derived"
    page = text(client.get("/lv/indicators/K4/").content.decode())
    assert str(Indicator.Measure.STOCK.label) in page
    assert f"Periods: {years_label(k4.years)}" in page
    assert text(str(PERIOD_RULES[Indicator.Measure.STOCK])) in page  # the stock's period rule in words
    assert f"{percent(k4.achievement_percent)} no mērķa" in page
    assert f"Progress no bāzes vērtības: {percent(k4.progress_percent)}" in page
    assert "(faktiskā vērtība − bāzes vērtība) / (mērķa vērtība − bāzes vērtība)" in page
    assert "VRG mērķu summa" in page  # the joint target is derived from the LAGs'
    flow = text(client.get("/lv/indicators/K1/").content.decode())
    assert (
        text(str(PERIOD_RULES[Indicator.Measure.FLOW])) in flow and str(Indicator.Measure.FLOW.label) in flow
    )


def test_an_overridden_joint_target_and_baseline_show_their_reasons(client, demo):
    figures = engine()
    k1 = figures.figure("K1")
    indicator = Indicator.objects.get(code="K1")
    for year in k1.years:
        indicator.targets.filter(lag=None, year=year).delete()
        factories.target(indicator=indicator, lag=None, year=year, value=100, reason="Valdes lēmums Nr. 7")
    indicator.baselines.filter(lag=None).delete()
    factories.baseline(indicator=indicator, lag=None, value=50, reason="Sekretariāta lēmums Nr. 3")
    page = text(client.get("/lv/indicators/K1/").content.decode())
    assert (
        "Kopējais mērķis: noteikts atsevišķi, nevis aprēķināts no VRG mērķiem. Pamatojums: Valdes lēmums Nr. 7"
        in page
    )
    assert "Pamatojums: Sekretariāta lēmums Nr. 3" in page


def test_a_joint_stock_names_the_lags_without_a_value_for_its_year(client, demo):
    last = engine().period_years()[-1]
    Measurement.objects.filter(indicator__code="K9", lag__slug="preili", year=last).delete()
    k9 = engine().figure("K9")
    assert [lag.slug for lag in k9.missing_lags] == ["preili"] and not k9.complete
    page = text(client.get("/lv/indicators/K9/").content.decode())
    assert f"Kopējā vērtība ir nepilnīga: {last}. gada vērtības nav: Preiļu rajona partnerība" in page
    en = text(client.get("/en/indicators/K9/").content.decode())
    assert (
        f"The joint figure is incomplete: the {last} value is missing for: Preiļi District Partnership" in en
    )


def test_an_estimate_shows_its_sample_and_interval(client, demo):
    figures = engine()
    k8 = figures.figure("K8")
    assert k8.sample and k8.interval_low is not None
    with translation.override("lv"):
        sample = text(floatformat(k8.sample, "0g"))
        low, high = floatformat(k8.interval_low, 1), floatformat(k8.interval_high, 1)
    page = text(client.get("/lv/indicators/K8/").content.decode())
    assert f"Izlase: {sample}" in page
    assert f"95 % ticamības intervāls: {low}–{high} %" in page
    shown = text(card(client.get("/lv/indicators/").content.decode(), "K8"))
    assert f"{low}–{high} %" in shown
    if k8.status == Status.NOT_DIFFERENT:
        assert "statistiski neatšķiras no mērķa" in shown


def test_k6_shows_cofinancing_apart(client, demo):
    figures = engine()
    cofinancing = figures.cofinancing()
    assert cofinancing > 0
    with translation.override("lv"):
        amount = text(eur(cofinancing))
    page = text(client.get("/lv/indicators/K6/").content.decode())
    assert f"Līdzfinansējums (neieskaita): {amount}" in page


def test_home_headline_funding_is_k6_with_cofinancing_and_period(client, demo):
    figures = engine()
    headline = figures.headline()
    k6 = figures.figure("K6")
    assert headline["funding"] == k6.actual
    with translation.override("lv"):
        funding, cofinancing = text(eur(k6.actual)), text(eur(figures.cofinancing()))
    page = text(client.get("/lv/").content.decode())
    assert funding in page
    assert f"līdzfinansējums {cofinancing}" in page
    assert f"Periods: {years_label(headline['years'])}" in page


def test_dashboard_indicator_page_and_engine_agree_on_achievement(client, demo):
    figures = engine()
    dashboard = client.get("/lv/indicators/").content.decode()
    for indicator in figures.indicators:
        figure = figures.figure(indicator)
        if figure.achievement is None:
            continue
        expected = f"{percent(figure.achievement_percent)} no mērķa"
        assert expected in text(card(dashboard, indicator.code)), indicator.code
        detail = client.get(f"/lv/indicators/{indicator.code}/").content.decode()
        assert expected in text(card(detail, indicator.code)), indicator.code


@pytest.mark.parametrize(("language", "unset"), [("lv", "nav norādīts"), ("en", "not specified")])
def test_methodology_page_lists_every_indicator_in_both_languages(client, demo, language, unset):
    indicators = list(Indicator.objects.order_by("order", "code"))
    adopted = indicators[0]
    adopted.method_adopted_by = "Valdes sēde"
    adopted.method_adopted_on = date(2026, 3, 2)
    adopted.save()
    page = client.get(f"/{language}/methodology/")
    assert page.status_code == 200
    shown = text(page.content.decode())
    for indicator in indicators:
        assert indicator.code in shown
        assert text(getattr(indicator, f"statement_{language}") or indicator.statement_lv) in shown
        with translation.override(language):
            assert str(Indicator.Measure(indicator.measure).label) in shown
    assert "Valdes sēde" in shown
    assert unset in shown
    limits = thresholds()
    assert f"{limits['on_track']} %" in shown and f"{limits['at_risk']} %" in shown


def test_methodology_is_linked_from_footer_dashboard_and_indicator_pages(client, demo):
    for url in ("/lv/", "/lv/indicators/", "/lv/indicators/K1/"):
        page = client.get(url).content.decode()
        assert page.count('href="/lv/methodology/') >= (1 if url == "/lv/" else 2), url


def test_methodology_names_every_measure_and_rule_in_english(client, demo):
    page = text(client.get("/en/methodology/").content.decode())
    for measure in Indicator.Measure:
        with translation.override("en"):
            label = str(measure.label)
        with translation.override("lv"):
            assert label != str(measure.label)  # translated, not the Latvian fallback
        if Indicator.objects.filter(measure=measure).exists():
            assert label in page
    assert "95 % confidence interval (Wilson score interval" in page


@pytest.mark.parametrize("code", ["K1", "K8"])
def test_english_indicator_page_names_achievement(client, demo, code):
    figure = engine().figure(code)
    page = text(client.get(f"/en/indicators/{code}/").content.decode())
    assert f"{percent(figure.achievement_percent, 'en')} of target" in page
    assert Decimal(figure.achievement_percent) >= 0
