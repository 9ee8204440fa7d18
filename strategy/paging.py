"""Pages of long activity lists that cost about the same on the last page as on the first.

Django's ``Paginator`` counts the whole list (``COUNT(*)``) and reads a page with ``OFFSET``, which
makes the database fetch — and throw away — every full row before the page: at 100× volume the last
page of the public activity list took over two seconds. ``ActivityPaginator``:

* takes a known count when the caller has one (the activity tallies know how many approved
  activities a LAG, year or type has, exactly);
* reads a page's ids first (from the list's ordered index, without the rows) and then only those rows,
  by id (``rows``: the filters that chose the ids need not run again);
* reads a page in the second half of the list from the end, in reverse order, so the last page skips
  as few entries as the first;
* takes a second plan for the same list (``near``) that is cheap for pages near either end and costly
  deep inside (the municipality filter's per-activity probe), and uses it for pages with fewer than
  ``NEAR_ROWS`` entries to skip.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class ActivityPaginator(Paginator):
    # entries a page may skip and still be read with ``near``: at 100× the municipality filter's probe
    # reads a page 2 500 entries deep in ≈ 60 ms, the hashed plan any page in ≈ 100 ms
    NEAR_ROWS = 2500

    def __init__(self, object_list, per_page, *, count=None, rows=None, near=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.known_count = count
        self.rows = rows if rows is not None else object_list
        self.near = near

    @cached_property
    def count(self):
        if self.known_count is not None:
            return self.known_count
        return self.object_list.order_by().count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = self.page_ids(bottom, top)
        rows = {row.pk: row for row in self.rows.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    def page_ids(self, bottom, top):
        skipped = min(bottom, self.count - top)
        listed = self.near if self.near is not None and skipped < self.NEAR_ROWS else self.object_list
        ids = listed.prefetch_related(None).values_list("pk", flat=True)
        if bottom <= self.count - top:
            return list(ids[bottom:top])
        backwards = list(ids.reverse()[self.count - top : self.count - bottom])
        backwards.reverse()
        return backwards
