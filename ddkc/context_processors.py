from django.urls import translate_url
from django.utils.functional import SimpleLazyObject

from . import seo


def _marked_data_present():
    """Whether demonstration and whether synthetic (load-test) data exist — one query for both, so
    the notices cost a page no more than the demonstration notice alone did."""
    from django.db import connection

    from strategy.models import Activity

    parts, params = [], []
    for flag in ("is_demo", "is_synthetic"):
        sql, args = Activity.objects.filter(**{flag: True}).values("pk")[:1].query.sql_with_params()
        parts.append(f"EXISTS ({sql})")
        params.extend(args)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        demo, synthetic = cursor.fetchone()
    return {"demo": bool(demo), "synthetic": bool(synthetic)}


def _language_links(request):
    path = request.get_full_path()
    return [(code, translate_url(path, code)) for code in ("lv", "en")]


def portal(request):
    """What every public page needs: the demonstration- and synthetic-data notices (asked lazily, so
    pages that do not render them spend no query), the same page in the other language, and the page's
    canonical and hreflang addresses (ddkc/seo.py)."""
    marked = SimpleLazyObject(_marked_data_present)
    return {
        "marked_data": marked,
        "language_links": SimpleLazyObject(lambda: _language_links(request)),
        "seo": SimpleLazyObject(lambda: seo.head_links(request)),
    }
