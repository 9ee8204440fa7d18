"""Uploaded evidence: accepted by content, stored under safe names, served only to who may see it.

Tried: HTML renamed .pdf, a plain zip named .xlsx, a zip with the Office manifest but neither part,
random bytes named .png, an oversized PDF, a path-traversal file name; real PDF, JPEG, PNG, XLSX and
DOCX files; downloads by the public, by staff of another LAG, of the same LAG, by the secretariat and
the board, for approved and unapproved activities and measurements; the raw MEDIA_URL. (Private and
publishable files of approved records: tests/strategy/test_private_evidence.py.)"""

import io
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from partners import roles
from strategy import permissions
from strategy.models import Activity, Evidence
from strategy.uploads import detect_kind
from strategy.workflow import Status
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def xlsx_bytes():
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Dalībnieki"
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def docx_bytes():
    return zip_bytes("[Content_Types].xml", "_rels/.rels", "word/document.xml")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def latvian():
    # Validation messages are lazy: they speak the active language, which staff's admin keeps Latvian.
    with translation.override("lv"):
        yield


def evidence_with(content, name="pārskats.pdf", **activity):
    record = Evidence(activity=factories.activity(**activity), file=SimpleUploadedFile(name, content))
    record.full_clean()
    record.save()
    return record


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "pdf"), (JPEG, "jpg"), (PNG, "png"), (xlsx_bytes(), "xlsx"), (docx_bytes(), "docx")],
)
def test_evidence_is_accepted_by_content_and_stored_with_its_detected_extension(db, content, kind):
    # The name lies on purpose: the content decides, and the stored extension follows the content.
    record = evidence_with(content, name="datne.bin")
    assert detect_kind(io.BytesIO(content)) == kind
    assert record.file.name.endswith(f"-datne.{kind}")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "pārskats.pdf"),
        (zip_bytes("a.txt"), "tabula.xlsx"),
        (zip_bytes("[Content_Types].xml", "ppt/slide1.xml"), "dokuments.docx"),
        (b"PK\x03\x04 not really a zip", "tabula.xlsx"),
        (bytes(range(256)) * 4, "foto.png"),
        (b"", "tukšs.pdf"),
    ],
)
def test_evidence_disguised_or_unknown_content_is_refused_with_a_latvian_message(db, content, name):
    with pytest.raises(ValidationError) as error:
        evidence_with(content, name=name)
    assert error.value.message_dict["file"] == [
        "Datnes saturs neatbilst nevienam atļautajam veidam (PDF, JPEG, PNG, XLSX, DOCX). "
        "Datnes veidu nosaka tās saturs, nevis nosaukums."
    ]
    assert not Evidence.objects.exists()


def test_evidence_larger_than_the_limit_is_refused(db, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        evidence_with(PDF + b"0" * 100)
    assert error.value.message_dict["file"] == [
        f"Datne ir par lielu ({len(PDF) + 100}\xa0baits); lielākais pieļaujamais izmērs ir 100\xa0baits."
    ]


def test_evidence_stored_name_is_a_random_token_and_the_slugified_name_without_path_parts(db):
    first = evidence_with(PDF, name="../../etc/Pārskats par talku 2024.PDF")
    second = evidence_with(PDF, name="../../etc/Pārskats par talku 2024.PDF")
    lag = first.activity.lag.slug
    pattern = rf"evidence/activities/{lag}/[0-9a-f]{{16}}-parskats-par-talku-2024\.pdf"
    assert re.fullmatch(pattern, first.file.name)
    assert first.file.name.rsplit("/", 1)[1] != second.file.name.rsplit("/", 1)[1]


def test_measurement_evidence_is_validated_by_content(db):
    measurement = factories.measurement(evidence=SimpleUploadedFile("rezultāti.xlsx", HTML))
    with pytest.raises(ValidationError) as error:
        measurement.full_clean()
    assert list(error.value.message_dict) == ["evidence"]


def admin_activity_post(client, lag, activity_type, upload, **fields):
    return client.post(
        "/admin/strategy/activity/add/",
        {
            "lag": lag.pk,
            "title_lv": "Talka Ambeļos",
            "activity_type": activity_type.pk,
            "start_date": "05.03.2024",
            "funding_lines-TOTAL_FORMS": "0",
            "funding_lines-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-file": upload,
            "evidence-0-description_lv": "Dalībnieku saraksts",
            **fields,
        },
    )


def test_admin_refuses_a_disguised_upload_and_accepts_a_real_pdf(client, db):
    client.force_login(factories.user(is_superuser=True))
    lag, activity_type = factories.lag(), factories.activity_type()
    response = admin_activity_post(client, lag, activity_type, SimpleUploadedFile("saraksts.pdf", HTML))
    assert response.status_code == 200
    assert "Datnes saturs neatbilst nevienam atļautajam veidam" in response.content.decode()
    assert not Activity.objects.exists()
    response = admin_activity_post(client, lag, activity_type, SimpleUploadedFile("saraksts.pdf", PDF))
    assert response.status_code == 302
    assert Evidence.objects.get().file.read() == PDF


def download(client, record):
    return client.get(f"/evidence/activity/{record.pk}/")


def test_publishable_evidence_of_an_approved_activity_downloads_for_anyone_as_an_attachment(client, db):
    record = evidence_with(PDF, status=Status.APPROVED)
    record.publishable = True
    record.save()
    response = download(client, record)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    filename = record.file.name.rsplit("/", 1)[1]
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_evidence_of_an_unapproved_activity_is_not_found_for_the_public(client, db, status):
    record = evidence_with(PDF, status=status)
    assert download(client, record).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("same_lag_editor", 200),
        ("other_lag_editor", 404),
        ("secretariat", 200),
        ("board", 200),
        ("same_lag_not_staff", 404),
    ],
)
def test_evidence_of_an_unapproved_activity_is_for_its_lag_secretariat_and_board(client, db, who, expected):
    record = evidence_with(PDF, status=Status.SUBMITTED)
    lag = record.activity.lag
    users = {
        "same_lag_editor": lambda: factories.user(role=roles.EDITOR, lag=lag),
        "other_lag_editor": lambda: factories.user(role=roles.EDITOR, lag=factories.lag()),
        "secretariat": lambda: factories.user(role=roles.SECRETARIAT),
        "board": lambda: factories.user(role=roles.BOARD),
        "same_lag_not_staff": lambda: factories.user(lag=lag, is_staff=False),
    }
    client.force_login(users[who]())
    response = download(client, record)
    assert response.status_code == expected
    if expected == 200:
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("editor_of_the_lag", 200),
        ("coordinator_of_the_lag", 200),
        ("staff_of_the_lag_without_a_role", 404),
        ("editor_of_another_lag", 404),
        ("secretariat", 200),
        ("board", 200),
        ("anonymous", 404),
    ],
)
@pytest.mark.parametrize("kind", ["activity", "measurement"])
def test_unapproved_evidence_is_for_those_who_may_read_the_record(client, db, kind, who, expected):
    # The settled rule (permissions.may_download_evidence): the LAG's staff with a role, the board and
    # the secretariat — the readers of the record (permissions.can_view); nobody else.
    if kind == "activity":
        evidence = evidence_with(PDF, status=Status.SUBMITTED)
        record, url = evidence.activity, f"/evidence/activity/{evidence.pk}/"
    else:
        record = factories.measurement(status=Status.SUBMITTED, evidence=SimpleUploadedFile("a.png", PNG))
        url = f"/evidence/measurement/{record.pk}/"
    users = {
        "editor_of_the_lag": lambda: factories.user(role=roles.EDITOR, lag=record.lag),
        "coordinator_of_the_lag": lambda: factories.user(role=roles.COORDINATOR, lag=record.lag),
        "staff_of_the_lag_without_a_role": lambda: factories.user(lag=record.lag, is_staff=True),
        "editor_of_another_lag": lambda: factories.user(role=roles.EDITOR, lag=factories.lag()),
        "secretariat": lambda: factories.user(role=roles.SECRETARIAT),
        "board": lambda: factories.user(role=roles.BOARD),
        "anonymous": lambda: None,
    }
    user = users[who]()
    if user is not None:
        client.force_login(user)
    assert permissions.may_download_evidence(user or AnonymousUser(), record, publishable=False) == (
        expected == 200
    )
    assert client.get(url).status_code == expected


def test_publishable_measurement_evidence_downloads_only_when_approved_for_the_public(client, db):
    approved = factories.measurement(
        status=Status.APPROVED, evidence=SimpleUploadedFile("a.png", PNG), evidence_publishable=True
    )
    draft = factories.measurement(evidence=SimpleUploadedFile("b.png", PNG), evidence_publishable=True)
    empty = factories.measurement(status=Status.APPROVED)
    response = client.get(f"/evidence/measurement/{approved.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert client.get(f"/evidence/measurement/{draft.pk}/").status_code == 404
    assert client.get(f"/evidence/measurement/{empty.pk}/").status_code == 404
    assert client.get(f"/evidence/nonsense/{approved.pk}/").status_code == 404


def test_uploaded_files_are_not_published_under_media_url(client, db):
    record = evidence_with(PDF, status=Status.APPROVED)
    assert client.get(f"/media/{record.file.name}").status_code == 404


def links_to(page, text):
    """The targets of the page's links that read ``text``."""
    return [href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]*)</a>', page) if label == text]


def follow_the_evidence_link(client, change_url, text):
    """Open the record's page, find the link that shows the file by its name (without the stored
    folder and random token) and follow it."""
    page = client.get(change_url).content.decode()
    hrefs = links_to(page, text)
    assert len(hrefs) == 1, hrefs
    assert "/media/" not in page
    response = client.get(hrefs[0].replace("&amp;", "&"))
    return response.status_code, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_a_coordinator_opens_the_attendance_list_of_a_submitted_activity_from_its_page(client, db):
    record = evidence_with(PDF, name="saraksts.pdf", status=Status.SUBMITTED)
    client.force_login(factories.user(role=roles.COORDINATOR, lag=record.activity.lag))

    # the page is read-only for the coordinator: the file is shown as a link, not a file input
    change_url = f"/admin/strategy/activity/{record.activity.pk}/change/"

    assert follow_the_evidence_link(client, change_url, "saraksts.pdf") == (200, PDF)


def test_an_editor_opens_the_evidence_of_their_draft_from_the_file_field(client, db):
    record = evidence_with(PDF, name="saraksts.pdf")
    client.force_login(factories.user(role=roles.EDITOR, lag=record.activity.lag))

    change_url = f"/admin/strategy/activity/{record.activity.pk}/change/"

    assert 'type="file"' in client.get(change_url).content.decode()
    assert follow_the_evidence_link(client, change_url, "saraksts.pdf") == (200, PDF)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED])
def test_a_coordinator_opens_a_measurements_evidence_from_its_page(client, db, status):
    measurement = factories.measurement(status=status, evidence=SimpleUploadedFile("aptauja.png", PNG))
    client.force_login(factories.user(role=roles.COORDINATOR, lag=measurement.lag))

    change_url = f"/admin/indicators/measurement/{measurement.pk}/change/"

    assert follow_the_evidence_link(client, change_url, "aptauja.png") == (200, PNG)


CHOOSE_AGAIN = "Datne «{}» netika saglabāta, jo formā ir kļūdas: izvēlieties to vēlreiz."


def stored_files(media_root):
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def test_a_file_chosen_before_an_error_elsewhere_is_named_in_the_summary_and_beside_it(
    client, db, media_root
):
    client.force_login(factories.user(is_superuser=True))
    upload = SimpleUploadedFile("saraksts.pdf", PDF)

    response = admin_activity_post(
        client, factories.lag(), factories.activity_type(), upload, end_date="04.03.2024"
    )

    assert response.status_code == 200
    message = CHOOSE_AGAIN.format("saraksts.pdf")
    assert response.context["adminform"].form.non_field_errors() == [message]  # the error summary
    evidence_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert evidence_form.errors["file"] == [message]  # beside the file field
    assert not Activity.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_that_is_itself_refused_is_not_also_asked_for_again(client, db):
    client.force_login(factories.user(is_superuser=True))

    response = admin_activity_post(
        client, factories.lag(), factories.activity_type(), SimpleUploadedFile("saraksts.pdf", HTML)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == []
    assert "netika saglabāta" not in response.content.decode()


def test_a_measurement_file_chosen_before_an_error_is_named_again(client, db, media_root):
    measurement = factories.measurement()
    client.force_login(factories.user(role=roles.EDITOR, lag=measurement.lag))

    response = client.post(
        f"/admin/indicators/measurement/{measurement.pk}/change/",
        {
            "edit_version": measurement.version,
            "indicator": measurement.indicator_id,
            "year": "2024",
            "value": "daudz",  # not a number
            "note": "Aptaujas rezultāti",
            "evidence": SimpleUploadedFile("aptauja.png", PNG),
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["value", "evidence", "__all__"]
    message = CHOOSE_AGAIN.format("aptauja.png")
    assert form.errors["evidence"] == [message]
    assert form.non_field_errors() == [message]
    measurement.refresh_from_db()
    assert measurement.evidence.name == ""
    assert stored_files(media_root) == []
