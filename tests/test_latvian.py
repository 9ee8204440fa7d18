"""Messages read as Latvian: a participle agrees with its noun (aktivitāte pievienota, lietotājs
pievienots), a count takes the singular after 1, 21, 31 (not 11), and a date after a verb takes the
locative (slēgts 2026. gada 2. decembrī)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.utils import timezone, translation

from ddkc.admin_site import LatvianMessagesMixin
from partners import latvian, roles
from partners.models import Municipality, User
from strategy.models import Activity, YearClosure
from strategy.workflow import Status
from tests import factories


@pytest.fixture
def superuser_client(client, db):
    client.force_login(factories.user(is_superuser=True))
    return client


def messages_of(client, response):
    """The messages the next page shows (which also clears them for the next request)."""
    assert response.status_code == 302
    return [str(message) for message in client.get(response["Location"]).context["messages"]]


def activity_form(activity_type, lag, **fields):
    return {
        "lag": lag.pk,
        "title_lv": "Talka Ambeļos",
        "activity_type": activity_type.pk,
        "start_date": "05.03.2024",
        "participants_total": "10",
        "funding_lines-TOTAL_FORMS": "0",
        "funding_lines-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        **fields,
    }


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_every_model_in_the_admin_declares_the_gender_of_its_latvian_name(model):
    assert latvian.gender_of(model) in (latvian.MASCULINE, latvian.FEMININE)
    assert isinstance(admin.site._registry[model], LatvianMessagesMixin)


def test_adding_and_changing_an_activity_says_so_in_the_feminine(superuser_client):
    lag, activity_type = factories.lag(), factories.activity_type()

    response = superuser_client.post("/admin/strategy/activity/add/", activity_form(activity_type, lag))

    activity = Activity.objects.get()
    link = f'<a href="/admin/strategy/activity/{activity.pk}/change/">Talka Ambeļos</a>'
    assert messages_of(superuser_client, response) == [f"Aktivitāte «{link}» pievienota."]

    response = superuser_client.post(
        f"/admin/strategy/activity/{activity.pk}/change/",
        activity_form(activity_type, lag, edit_version=activity.version, _continue="1"),
    )

    assert messages_of(superuser_client, response) == [
        f"Aktivitāte «{link}» mainīta. Zemāk varat to labot vēlreiz."
    ]


def test_deleting_an_activity_says_so_in_the_feminine(superuser_client):
    activity = factories.activity(title_lv="Talka Ambeļos")

    response = superuser_client.post(f"/admin/strategy/activity/{activity.pk}/delete/", {"post": "yes"})

    assert messages_of(superuser_client, response) == ["Aktivitāte «Talka Ambeļos» dzēsta."]


def test_adding_a_user_says_so_in_the_masculine(client, db):
    client.force_login(factories.user(role=roles.SECRETARIAT))
    lag = factories.lag()

    response = client.post(
        "/admin/partners/user/add/",
        {
            "username": "ilze",
            "usable_password": "true",
            "password1": "Garš-un-drošs-2026",
            "password2": "Garš-un-drošs-2026",
            "lag": lag.pk,
            "groups": [Group.objects.get(name=roles.EDITOR).pk],
        },
    )

    user = User.objects.get(username="ilze")
    link = f'<a href="/admin/partners/user/{user.pk}/change/">ilze</a>'
    assert messages_of(client, response) == [f"Lietotājs «{link}» pievienots. Zemāk varat to labot vēlreiz."]


def test_a_changed_measurement_says_so_in_the_feminine(client, db):
    measurement = factories.measurement(year=2024)
    client.force_login(factories.user(role=roles.EDITOR, lag=measurement.lag))

    response = client.post(
        f"/admin/indicators/measurement/{measurement.pk}/change/",
        {
            "edit_version": measurement.version,
            "indicator": measurement.indicator_id,
            "year": "2024",
            "value": "12",
        },
    )

    link = f'<a href="/admin/indicators/measurement/{measurement.pk}/change/">{measurement}</a>'
    assert messages_of(client, response) == [f"Rādītāja vērtība «{link}» mainīta."]


@pytest.mark.parametrize(
    ("count", "feminine", "masculine"),
    [
        (1, "Dzēsta 1 aktivitāte.", "Dzēsts 1 novads."),
        (2, "Dzēstas 2 aktivitātes.", "Dzēsti 2 novadi."),
        (11, "Dzēstas 11 aktivitātes.", "Dzēsti 11 novadi."),
        (21, "Dzēsta 21 aktivitāte.", "Dzēsts 21 novads."),
    ],
)
def test_deleting_selected_records_agrees_in_gender_and_number(superuser_client, count, feminine, masculine):
    lag, activity_type = factories.lag(), factories.activity_type()
    activities = [factories.activity(lag=lag, activity_type=activity_type) for _ in range(count)]
    municipalities = [factories.municipality() for _ in range(count)]

    for url, records, expected in [
        ("/admin/strategy/activity/", activities, feminine),
        ("/admin/partners/municipality/", municipalities, masculine),
    ]:
        response = superuser_client.post(
            url, {"action": "delete_selected", "_selected_action": [r.pk for r in records], "post": "yes"}
        )
        assert messages_of(superuser_client, response) == [expected]
    assert not Activity.objects.exists()
    assert not Municipality.objects.exists()


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"end_date": "04.03.2024"}, "Lūdzu, izlabojiet zemāk norādīto kļūdu."),
        ({"end_date": "04.03.2024", "participants_youth": "12"}, "Lūdzu, izlabojiet zemāk norādītās kļūdas."),
    ],
)
def test_the_error_summary_counts_in_latvian(superuser_client, fields, note):
    response = superuser_client.post(
        "/admin/strategy/activity/add/", activity_form(factories.activity_type(), factories.lag(), **fields)
    )

    assert f'<p class="errornote">\n    {note}\n    </p>' in response.content.decode()


@pytest.mark.parametrize(
    ("count", "note"),
    [
        (1, "Lūdzu, izlabojiet zemāk norādīto kļūdu."),
        (2, "Lūdzu, izlabojiet zemāk norādītās kļūdas."),
        (11, "Lūdzu, izlabojiet zemāk norādītās kļūdas."),
        (21, "Lūdzu, izlabojiet zemāk norādīto kļūdu."),
    ],
)
def test_django_admins_error_summary_takes_the_latvian_plural_forms(count, note):
    # the sentence of Django's change form (and the user and password forms)
    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}Please correct the error below.{% plural %}"
        "Please correct the errors below.{% endblocktranslate %}"
    )
    with translation.override("lv"):
        assert template.render(Context({"n": count})) == note


@pytest.mark.parametrize(
    ("count", "found"),
    [
        (1, "Atrasta 1 apstiprināta aktivitāte."),
        (11, "Atrastas 11 apstiprinātas aktivitātes."),
        (21, "Atrasta 21 apstiprināta aktivitāte."),
        (22, "Atrastas 22 apstiprinātas aktivitātes."),
    ],
)
def test_the_public_activity_count_takes_the_latvian_plural_forms(client, db, count, found):
    lag, activity_type = factories.lag(), factories.activity_type()
    factories.strategy()
    for _ in range(count):
        factories.activity(lag=lag, activity_type=activity_type, status=Status.APPROVED)

    assert found in client.get("/lv/activities/").content.decode()


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


MONTHS = [
    "janvārī",
    "februārī",
    "martā",
    "aprīlī",
    "maijā",
    "jūnijā",
    "jūlijā",
    "augustā",
    "septembrī",
    "oktobrī",
    "novembrī",
    "decembrī",
]


@pytest.mark.parametrize("month", range(1, 13))
def test_a_date_after_a_verb_takes_the_locative_in_latvian(month):
    with translation.override("lv"):
        assert (
            render("slēgts {{ d|on_date }}", d=date(2026, month, 2))
            == f"slēgts 2026. gada 2. {MONTHS[month - 1]}"
        )


def test_a_moment_after_a_verb_is_local_time_and_english_keeps_its_order(settings):
    moment = datetime(2026, 12, 2, 12, 5, tzinfo=ZoneInfo("UTC"))  # 14:05 in Riga
    with translation.override("lv"):
        assert render("{{ m|on_date:'time' }}", m=moment) == "2026. gada 2. decembrī plkst. 14:05"
    with translation.override("en"):
        assert render("closed on {{ m|on_date }}", m=moment) == "closed on 2 December 2026"
        assert render("{{ m|on_date:'time' }}", m=moment) == "2 December 2026 at 14:05"
    assert render("{{ m|on_date }}", m=None) == ""


def test_the_year_board_says_when_a_year_was_closed_in_the_locative(client, db):
    factories.strategy()
    board = factories.user(role=roles.BOARD)
    YearClosure.objects.create(
        year=2024, closed_by=board, closed_at=timezone.make_aware(datetime(2026, 12, 2, 14, 5))
    )
    client.force_login(board)

    page = client.get("/admin/strategy/yearclosure/").content.decode()

    assert f"<strong>slēgts</strong> 2026. gada 2. decembrī plkst. 14:05 ({board})" in page


def test_django_admin_sentences_that_name_a_model_do_not_break_its_case_or_gender(superuser_client):
    activity = factories.activity(title_lv="Talka Ambeļos")
    factories.strategy()

    response = superuser_client.get("/admin/strategy/activity/999999/change/")
    assert messages_of(superuser_client, response) == [
        "Ieraksts (aktivitāte) ar ID «999999» nav atrasts. Varbūt tas ir dzēsts?"
    ]
    page = superuser_client.get(f"/admin/strategy/activity/{activity.pk}/delete/").content.decode()
    assert "Vai tiešām dzēst šo ierakstu (aktivitāte «Talka Ambeļos»)?" in page
    page = superuser_client.get("/admin/strategy/strategy/").content.decode()
    assert "<h1>Izvēlieties ierakstu labošanai: stratēģija</h1>" in page


def test_form_errors_keep_djangos_latvian_whatever_other_apps_bring():
    """The read API's library (Django REST framework, an installed app) ships a Latvian catalogue that
    wins over Django's own: every required field in the admin read "Šis lauks ir obligāts." instead of
    Django's "Šis lauks ir nepieciešams." — the portal's catalogue keeps Django's wording."""
    import gettext
    from pathlib import Path

    import django
    from django import forms

    core = Path(django.__file__).parent / "conf" / "locale" / "lv" / "LC_MESSAGES" / "django.mo"
    with open(core, "rb") as catalogue:
        django_lv = gettext.GNUTranslations(catalogue)
    with translation.override("lv"):
        for message in (
            "This field is required.",
            "Enter a valid URL.",
            "Enter a valid email address.",
            "No file was submitted.",
            "The submitted file is empty.",
        ):
            assert translation.gettext(message) == django_lv.gettext(message), message
        form = forms.Form(data={})
        form.fields["name"] = forms.CharField()
        assert form.errors["name"] == ["Šis lauks ir nepieciešams."]
