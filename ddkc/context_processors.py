from django.urls import translate_url
from django.utils.functional import SimpleLazyObject


def _demo_data_present():
    from strategy.models import Activity

    return Activity.objects.filter(is_demo=True).exists()


def _language_links(request):
    path = request.get_full_path()
    return [(code, translate_url(path, code)) for code in ("lv", "en")]


def portal(request):
    """What every public page needs: the demonstration-data notice (asked lazily, so pages that
    do not render it spend no query) and the same page in the other language."""
    return {
        "demo_data_present": SimpleLazyObject(_demo_data_present),
        "language_links": SimpleLazyObject(lambda: _language_links(request)),
    }
