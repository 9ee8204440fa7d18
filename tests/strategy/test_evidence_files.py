"""Evidence files leave the disk with the records that held them: a deleted evidence row, a replaced
or cleared file, a deleted activity or measurement — once the transaction commits, never before,
never when it rolls back or is refused (a closed year), never while another row names the file."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from indicators.models import Measurement
from partners import roles
from strategy.models import Evidence, YearClosure
from strategy.year_lock import ClosedYearError
from tests import factories
from tests.strategy.test_evidence import PDF, PNG, evidence_with


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def on_disk(name):
    from django.core.files.storage import default_storage

    return default_storage.exists(name)


def test_a_deleted_evidence_row_takes_its_file_once_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    record = evidence_with(PDF)
    name = record.file.name

    with django_capture_on_commit_callbacks(execute=True):
        record.delete()
        assert on_disk(name)  # not before the commit

    assert not on_disk(name)


def test_a_replaced_file_is_removed_and_the_new_one_kept(db, django_capture_on_commit_callbacks):
    record = evidence_with(PDF)
    old = record.file.name

    with django_capture_on_commit_callbacks(execute=True):
        record.file = SimpleUploadedFile("jauns.pdf", PDF)
        record.save()
        assert on_disk(old)

    assert not on_disk(old)
    assert on_disk(record.file.name)


def test_a_rolled_back_delete_keeps_the_file(db, django_capture_on_commit_callbacks):
    record = evidence_with(PDF)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Evidence.objects.get(pk=record.pk).delete()
        raise RuntimeError("the rest of the request failed")

    assert callbacks == []
    assert on_disk(record.file.name)
    assert Evidence.objects.filter(pk=record.pk).exists()


def test_deleting_an_activity_removes_its_evidence_files_after_commit(db, django_capture_on_commit_callbacks):
    first = evidence_with(PDF)
    second = Evidence.objects.create(activity=first.activity, file=SimpleUploadedFile("foto.png", PNG))
    names = [first.file.name, second.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        first.activity.delete()
        assert [on_disk(name) for name in names] == [True, True]

    assert [on_disk(name) for name in names] == [False, False]


def test_a_file_another_row_still_names_stays(db, django_capture_on_commit_callbacks):
    record = evidence_with(PDF)
    twin = Evidence.objects.create(activity=record.activity, file=record.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        record.delete()

    assert on_disk(twin.file.name)


def test_a_delete_refused_by_a_closed_year_keeps_the_file(db, django_capture_on_commit_callbacks):
    record = evidence_with(PDF, start_date=date(2024, 5, 1))
    YearClosure.objects.create(year=2024, closed_by=factories.user(), closed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ClosedYearError):
            Evidence.objects.get(pk=record.pk).delete()
        with pytest.raises(ClosedYearError):
            Evidence.objects.filter(pk=record.pk).delete()

    assert callbacks == []
    assert on_disk(record.file.name)


def test_an_evidence_row_deleted_in_the_admin_loses_its_file(client, db, django_capture_on_commit_callbacks):
    record = evidence_with(PDF)
    activity = record.activity
    client.force_login(factories.user(role=roles.EDITOR, lag=activity.lag))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/strategy/activity/{activity.pk}/change/",
            {
                "edit_version": activity.version,
                "title_lv": activity.title_lv,
                "activity_type": activity.activity_type_id,
                "start_date": "05.03.2024",
                "participants_total": "20",
                "funding_lines-TOTAL_FORMS": "0",
                "funding_lines-INITIAL_FORMS": "0",
                "evidence-TOTAL_FORMS": "1",
                "evidence-INITIAL_FORMS": "1",
                "evidence-0-id": record.pk,
                "evidence-0-activity": activity.pk,
                "evidence-0-DELETE": "on",
            },
        )

    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert not on_disk(record.file.name)


@pytest.mark.parametrize("change", ["clear", "replace"])
def test_a_measurement_file_cleared_or_replaced_in_the_admin_is_removed(
    client, db, django_capture_on_commit_callbacks, change
):
    measurement = factories.measurement(evidence=SimpleUploadedFile("aptauja.png", PNG))
    old = measurement.evidence.name
    client.force_login(factories.user(role=roles.EDITOR, lag=measurement.lag))
    data = {
        "edit_version": measurement.version,
        "indicator": measurement.indicator_id,
        "year": "2024",
        "value": "10",
    }
    data.update(
        {"evidence-clear": "on"} if change == "clear" else {"evidence": SimpleUploadedFile("b.pdf", PDF)}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/indicators/measurement/{measurement.pk}/change/", data)

    assert response.status_code == 302
    measurement.refresh_from_db()
    assert not on_disk(old)
    assert bool(measurement.evidence) == (change == "replace")


def test_a_deleted_measurement_takes_its_file(db, django_capture_on_commit_callbacks):
    measurement = factories.measurement(evidence=SimpleUploadedFile("aptauja.png", PNG))

    with django_capture_on_commit_callbacks(execute=True):
        Measurement.objects.filter(pk=measurement.pk).delete()

    assert not on_disk(measurement.evidence.name)
