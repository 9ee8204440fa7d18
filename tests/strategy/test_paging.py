"""Activity list pages read from both ends hold exactly what Django's OFFSET pages hold, in order."""

from datetime import date

import pytest
from django.core.paginator import Paginator

from strategy.models import Activity
from strategy.paging import ActivityPaginator
from strategy.workflow import Status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("total", [0, 1, 7, 50])
def test_every_page_equals_the_offset_page(total):
    lag, kind = factories.lag(), factories.activity_type()
    for n in range(total):
        # many share a date: the id breaks the tie, in both directions
        factories.activity(
            lag=lag, activity_type=kind, start_date=date(2024, 1 + n % 3, 1), status=Status.APPROVED
        )
    factories.activity(lag=lag, activity_type=kind)  # a draft, filtered out
    listed = Activity.objects.approved()
    ours = ActivityPaginator(listed, 7)
    theirs = Paginator(listed, 7)
    assert ours.count == theirs.count == total
    assert ours.num_pages == theirs.num_pages
    for number in ours.page_range:
        assert list(ours.page(number).object_list) == list(theirs.page(number).object_list), number
    assert list(ours.get_page(999).object_list) == list(theirs.get_page(999).object_list)


def test_a_known_count_is_used_and_rows_come_from_the_given_queryset(django_assert_num_queries):
    lag, kind = factories.lag(), factories.activity_type()
    for n in range(30):
        factories.activity(
            lag=lag, activity_type=kind, start_date=date(2023, 1, 1 + n), status=Status.APPROVED
        )
    paginator = ActivityPaginator(
        Activity.objects.approved(), 10, count=30, rows=Activity.objects.select_related("lag")
    )
    with django_assert_num_queries(2):  # the page's ids, then its rows (no COUNT)
        page = paginator.page(3)
        assert [a.lag.slug for a in page.object_list] == [lag.slug] * 10
    assert [a.start_date.day for a in page.object_list] == list(range(10, 0, -1))
