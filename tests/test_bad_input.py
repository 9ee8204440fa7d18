"""Bad input never breaks the portal (hypothesis). Generated files go through the admin's import —
the same preview and confirmation staff use — and generated query strings through the public
filters; neither may end in a server error, a failed import may not leave a single row behind,
and what the import reports is in Latvian.

Profiles: ``ci`` (the default: a fixed, derandomised set of examples so that both databases run the
same inputs, ≈ 1 000 requests in all) and ``nightly`` (ten times as many, random):
``HYPOTHESIS_PROFILE=nightly pytest tests/test_bad_input.py``.
"""

import contextlib
import csv
import datetime
import io
import os
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from indicators.models import Measurement
from partners import roles
from partners.models import LAG
from strategy.importing.widgets import normalise
from strategy.models import Activity
from tests import factories

COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,
}
settings.register_profile("ci", derandomize=True, **COMMON)
settings.register_profile("nightly", derandomize=False, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "nightly" else 1


def examples(n):
    return settings(max_examples=n * SCALE)


# --- generated values ---------------------------------------------------------------------------

LOOKS_LIKE_ATTACKS = [
    "'; DROP TABLE strategy_activity; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "%00",
    "\x00",
    "\u202e",
    "NaN",
    "Infinity",
    "-0",
    "1e999",
    "9" * 40,
    "-" + "9" * 40,
    "0,000000000001",
    "2 899 408,11",
    "31.02.2024",
    "0000-00-00",
    "9999-12-31",
    "01.01.0001",
    "99.99.99999",
    "2024-03-05T25:61:61",
]
LATVIAN = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"

text = st.one_of(
    st.sampled_from(LOOKS_LIKE_ATTACKS),
    st.text(max_size=40),
    st.text(alphabet=LATVIAN + "abc ;,\"'\n\t", max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.strftime("%d.%m.%Y")),
    st.just("x" * 70_000),  # a huge cell
)


ACTIVITY_COLUMNS = [
    "VRG",
    "nosaukums",
    "sākuma datums",
    "beigu datums",
    "veids",
    "pagasti un pilsētas",
    "prioritātes",
    "dalībnieki kopā",
    "jaunieši (13–30 g.)",
    "mazaizsargātie",
    "viss novads",
    "finansējums EUR: ELFLA (LEADER)",
    "id",
]
MEASUREMENT_COLUMNS = [
    "rādītājs",
    "VRG",
    "gads",
    "novads",
    "vērtība",
    "skaitītājs",
    "saucējs",
    "vērtējums",
    "piezīme",
]


PLAUSIBLE = {
    "VRG": st.sampled_from(["kaimini", "KAIMINI", " kaimini "]),
    "nosaukums": st.text(alphabet=LATVIAN + "abcdef -“”;,", min_size=1, max_size=30).filter(str.strip),
    "sākuma datums": st.dates(datetime.date(2020, 1, 1), datetime.date(2026, 12, 31)).map(
        lambda d: d.strftime("%d.%m.%Y")
    ),
    "beigu datums": st.just(""),
    "veids": st.sampled_from(["clean_up", "consultation", "event", "forum", "project"]),
    "pagasti un pilsētas": st.sampled_from(["", "Ambeļu pagasts", "Ambeļu pagasts; Kalkūnes pagasts"]),
    "prioritātes": st.sampled_from(["", "1", "2; 4"]),
    "dalībnieki kopā": st.integers(100, 10**6).map(str),
    "jaunieši (13–30 g.)": st.integers(0, 100).map(str),
    "mazaizsargātie": st.sampled_from(["", "0", "7"]),
    "viss novads": st.just(""),
    "finansējums EUR: ELFLA (LEADER)": st.sampled_from(["", "0", "2 899 408,11", "1000.5"]),
    "id": st.just(""),
    "rādītājs": st.sampled_from(["K4", "K9"]),
    "gads": st.sampled_from(["2021", "2022", "2023", "2024", "2025"]),
    "novads": st.just(""),
    "vērtība": st.integers(0, 10**9).map(str),
    "skaitītājs": st.just(""),
    "saucējs": st.just(""),
    "vērtējums": st.just(""),
    "piezīme": st.text(alphabet=LATVIAN + "abc =+-@", max_size=30),
}
REQUIRED = {
    "activities": ["VRG", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"],
    "measurements": ["rādītājs", "VRG", "gads", "vērtība"],
}


@st.composite
def sheets(draw, columns, kind):
    """A header and 1–4 rows. About half of the files are valid throughout (they must import, and
    entirely); in the others any cell may be absurd and columns may be missing or unknown."""
    valid = draw(st.booleans())
    optional = draw(st.lists(st.sampled_from(columns), unique=True))
    header = list(dict.fromkeys(REQUIRED[kind] + optional))
    if not valid:
        header = draw(st.permutations(header))[: draw(st.integers(1, len(header)))]
        header += draw(st.lists(st.sampled_from(["", "nezināma kolonna", "=1+1"]), max_size=1))

    def cell(column):
        plausible = PLAUSIBLE.get(column, text)
        return plausible if valid else st.one_of(plausible, text)

    n_rows = draw(st.integers(1, 4))
    rows = [draw(st.tuples(*[cell(column) for column in header]).map(list)) for _ in range(n_rows)]
    if kind == "measurements" and valid:
        # one value per indicator, LAG and year: a repeated key is a refusal, not a valid file
        keys = {(row[header.index("rādītājs")], row[header.index("gads")]) for row in rows}
        rows = rows[:1] if len(keys) < len(rows) else rows
    if kind == "activities" and valid:
        # one activity per date, type and title (spaces and case aside): the same one twice is too
        columns = [header.index(column) for column in ("nosaukums", "sākuma datums", "veids")]
        keys = {tuple(normalise(row[column]) for column in columns) for row in rows}
        rows = rows[:1] if len(keys) < len(rows) else rows
    return valid, header, rows


def as_csv(header, rows, delimiter, encoding):
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows([header, *rows])
    return out.getvalue().encode(encoding, errors="replace")


def as_xlsx(header, rows):
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        # openpyxl refuses control characters in cells; a real workbook cannot hold them either
        sheet.append([re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)[:32_000] for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the admin import ---------------------------------------------------------------------------

ENGLISH = re.compile(
    r"\b(the|must|invalid|enter a|ensure|error|errors|exception|traceback|line number|not a valid)\b", re.I
)
LATVIAN_MARK = re.compile(rf"[{LATVIAN}]|\b(nav|ir|jā|vai)\b")


def event(name):
    """Count outcomes for --hypothesis-show-statistics (and do nothing outside a hypothesis test)."""
    import hypothesis
    from hypothesis.errors import InvalidArgument

    with contextlib.suppress(InvalidArgument):
        hypothesis.event(name)


def counts():
    """Rows of every table an import may write."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("strategy", "indicators")
    }


def reported_errors(context):
    """Every message the preview shows: the file's own error and each row's."""
    result = context.get("result")
    messages = []
    if context.get("form") is not None:
        messages += [str(e) for errors in context["form"].errors.values() for e in errors]
    if result is not None:
        messages += [str(error.error) for error in result.base_errors]
        messages += [str(error.error) for _line, errors in result.row_errors() for error in errors]
        for row in result.invalid_rows:
            messages += [m for ms in row.error_dict.values() for m in ms]
    return messages


def without_input(message):
    """The message without the quoted input it repeats («…»), which is not ours to translate."""
    return re.sub(r"«[^»]*»", "", message, flags=re.S)


def run_import(client, model, data, fmt_index, filename):
    """The admin's two steps: preview, then — only when the preview offers it — confirmation.
    Returns whether the file was imported."""
    opts = model._meta
    before = counts()
    upload = io.BytesIO(data)
    upload.name = filename
    response = client.post(
        f"/admin/{opts.app_label}/{opts.model_name}/import/",
        {"format": str(fmt_index), "resource": "0", "import_file": upload},
    )
    assert response.status_code < 500
    assert counts() == before  # the preview never writes
    page = response.content.decode()
    if 'name="confirm"' not in page:
        event("refused at preview")
        messages = reported_errors(response.context)
        assert messages, "a refused file says why"
        for message in messages:
            assert not ENGLISH.search(without_input(message)), message
            assert LATVIAN_MARK.search(without_input(message)) or "«" in message, message
        return False
    confirm = response.context["confirm_form"]
    response = client.post(
        f"/admin/{opts.app_label}/{opts.model_name}/process_import/",
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    after = counts()
    if after == before:
        # refused at confirmation (the admin says so): nothing was written
        event("refused at confirmation")
        return False
    assert after[opts.label] > before[opts.label]
    event("imported")
    return True


@pytest.fixture
def editor_client(strategy):
    kaimini = LAG.objects.get(slug="kaimini")
    client = Client()
    client.force_login(factories.user(role=roles.EDITOR, lag=kaimini))
    return client


def clean_slate():
    """An import that went through is undone between examples (the test's transaction stays)."""
    Activity.objects.all().delete()
    Measurement.objects.all().delete()


@examples(80)
@given(data=st.binary(max_size=2000), fmt_index=st.sampled_from([0, 1]))
def test_admin_import_of_random_bytes_is_refused_in_latvian(editor_client, data, fmt_index):
    name = "aktivitates.csv" if fmt_index == 0 else "aktivitates.xlsx"
    assert run_import(editor_client, Activity, data, fmt_index, name) is False


@examples(100)
@given(
    sheet=sheets(ACTIVITY_COLUMNS, "activities"),
    delimiter=st.sampled_from([";", ","]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1257", "utf-16", "latin-1"]),
)
def test_admin_import_of_generated_activity_csv_never_fails_or_half_writes(
    editor_client, sheet, delimiter, encoding
):
    valid, header, rows = sheet
    imported = run_import(editor_client, Activity, as_csv(header, rows, delimiter, encoding), 0, "a.csv")
    if valid and encoding in ("utf-8", "utf-8-sig", "cp1257"):
        assert imported
    if imported:
        assert Activity.objects.count() == len(rows)  # every row, not some
    clean_slate()


@examples(40)
@given(sheet=sheets(ACTIVITY_COLUMNS, "activities"))
def test_admin_import_of_generated_activity_xlsx_never_fails_or_half_writes(editor_client, sheet):
    valid, header, rows = sheet
    imported = run_import(editor_client, Activity, as_xlsx(header, rows), 1, "aktivitates.xlsx")
    assert imported or not valid
    if imported:
        assert Activity.objects.count() == len(rows)
    clean_slate()


@examples(70)
@given(sheet=sheets(MEASUREMENT_COLUMNS, "measurements"), delimiter=st.sampled_from([";", ","]))
def test_admin_import_of_generated_measurement_csv_never_fails_or_half_writes(
    editor_client, sheet, delimiter
):
    valid, header, rows = sheet
    imported = run_import(editor_client, Measurement, as_csv(header, rows, delimiter, "utf-8"), 0, "v.csv")
    assert imported or not valid
    if imported:
        assert Measurement.objects.count() == len(rows)
    clean_slate()


@examples(30)
@given(sheet=sheets(MEASUREMENT_COLUMNS, "measurements"))
def test_admin_import_of_generated_measurement_xlsx_never_fails_or_half_writes(editor_client, sheet):
    valid, header, rows = sheet
    imported = run_import(editor_client, Measurement, as_xlsx(header, rows), 1, "vertibas.xlsx")
    assert imported or not valid
    if imported:
        assert Measurement.objects.count() == len(rows)
    clean_slate()


def test_an_import_with_one_bad_row_among_good_ones_writes_nothing(editor_client):
    rows = [["kaimini", f"Talka {n}", "05.03.2024", "clean_up", "10"] for n in range(20)]
    rows[17][4] = "-" + "9" * 40  # the 18th row: an absurd participant count
    data = as_csv(["VRG", "nosaukums", "sākuma datums", "veids", "dalībnieki kopā"], rows, ";", "utf-8")
    before = counts()
    assert run_import(editor_client, Activity, data, 0, "aktivitates.csv") is False
    assert counts() == before


# --- the public filters -------------------------------------------------------------------------

params = st.one_of(text, st.integers().map(str), st.just(""))


@st.composite
def query_strings(draw, names):
    chosen = draw(st.dictionaries(st.sampled_from(names), params, max_size=len(names)))
    noise = draw(st.dictionaries(st.text(max_size=10), params, max_size=2))
    query = urlencode({**noise, **chosen})
    if draw(st.booleans()):
        query += "&" + draw(st.sampled_from(["page=999999999999", "year=%00", "lag[]=x", "%ff=%fe", "&&=", "q=" + "a" * 5000]))  # fmt: skip
    return query


@pytest.fixture
def public(strategy):
    factories.activity(lag=LAG.objects.get(slug="kaimini"), status="approved", title_lv="Talka")
    return Client()


def fetch(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code in (200, 301, 302, 400, 404), (path, query, response.status_code)
    return response


ACTIVITY_FILTERS = ["lag", "municipality", "unit", "priority", "type", "year", "q", "page"]


@examples(200)
@given(query=query_strings(ACTIVITY_FILTERS), language=st.sampled_from(["lv", "en"]))
def test_activity_list_filters_never_fail(public, query, language):
    fetch(public, f"/{language}/activities/", query)


@examples(60)
@given(query=query_strings(["lag", "year"]))
def test_dashboard_filters_never_fail(public, query):
    fetch(public, "/lv/indicators/", query)


@examples(80)
@given(
    code=st.one_of(st.sampled_from(["K1", "K4", "K8", "R1", "R5"]), st.text(min_size=1, max_size=12)),
    query=query_strings(["lag", "year", "page"]),
    page=st.sampled_from(["", "records/"]),
)
def test_indicator_and_records_pages_never_fail(public, code, query, page):
    from urllib.parse import quote

    fetch(public, f"/lv/indicators/{quote(code, safe='')}/{page}", query)


@examples(40)
@given(
    dataset=st.one_of(
        st.sampled_from(["indicator-figures", "activities", "territory"]), st.text(max_size=12)
    ),
    fmt=st.one_of(st.sampled_from(["csv", "xlsx", "json"]), st.text(max_size=5)),
    query=query_strings(["lag", "year", "format"]),
)
def test_open_data_endpoints_never_fail(public, dataset, fmt, query):
    from urllib.parse import quote

    fetch(public, f"/lv/open-data/{quote(dataset, safe='')}.{quote(fmt, safe='')}", query)


def test_a_very_long_query_string_is_answered(public):
    response = public.get("/lv/activities/?" + urlencode({"q": "ā" * 20_000, "lag": "x" * 20_000}))
    assert response.status_code == 200
