"""sitemap.xml: every public page in both languages, each with its hreflang alternates (#15).

Django's own ``i18n = True`` lists ``(item, language)`` pairs built from the *whole* item list before
paginating — at ×100 that loads 420 000 activities into memory for every sitemap page. Here a sitemap
paginates its items (a queryset of primary keys: one COUNT and one slice per page, whatever the data
size) and writes each item's address in every language itself. Addresses are absolute from
settings.PORTAL_URL, like the canonical links (ddkc/seo.py)."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation

from indicators.models import Indicator
from partners.models import LAG, Municipality
from strategy.models import Activity, Priority, Strategy

from .seo import absolute


class BilingualSitemap(Sitemap):
    limit = (
        5000  # items per sitemap page: 10 000 addresses with both languages (the protocol's limit: 50 000)
    )

    def get_urls(self, page=1, site=None, protocol=None):
        urls = []
        for item in self.paginator.page(page).object_list:
            addresses = {}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    addresses[code] = absolute(self.location(item))
            alternates = [{"lang_code": code, "location": url} for code, url in addresses.items()]
            alternates.append({"lang_code": "x-default", "location": addresses[settings.LANGUAGE_CODE]})
            for url in addresses.values():
                urls.append({"item": item, "location": url, "alternates": alternates})
        return urls


class PagesSitemap(BilingualSitemap):
    """The pages that are not one record's: home, dashboard, lists, statements."""

    NAMES = [
        "indicators:home",
        "strategy:document",
        "indicators:dashboard",
        "strategy:activities",
        "strategy:municipalities",
        "indicators:methodology",
        "indicators:open_data",
        "reports:list",
        "strategy:accessibility",
        "privacy",
    ]

    def items(self):
        return self.NAMES

    def location(self, item):
        return reverse(item)


def _current_strategy_id():
    strategy = Strategy.objects.current()
    return strategy.pk if strategy else None


class PrioritiesSitemap(BilingualSitemap):
    def items(self):
        return (
            Priority.objects.filter(strategy_id=_current_strategy_id())
            .order_by("number")
            .values_list("number", flat=True)
        )

    def location(self, number):
        return reverse("indicators:priority", args=[number])


class IndicatorsSitemap(BilingualSitemap):
    """Each indicator's page and its records."""

    def items(self):
        codes = Indicator.objects.filter(strategy_id=_current_strategy_id()).order_by("order", "code")
        return [
            (code, name) for code in codes.values_list("code", flat=True) for name in ("indicator", "records")
        ]

    def location(self, item):
        code, name = item
        return reverse(f"indicators:{name}", args=[code])


class LAGsSitemap(BilingualSitemap):
    def items(self):
        return LAG.objects.order_by("slug").values_list("slug", flat=True)

    def location(self, slug):
        return reverse("indicators:lag", args=[slug])


class MunicipalitiesSitemap(BilingualSitemap):
    def items(self):
        return Municipality.objects.order_by("era", "slug").values_list("era", "slug")

    def location(self, item):
        return reverse("strategy:municipality", args=list(item))


class ActivitiesSitemap(BilingualSitemap):
    """Every approved activity — the only part that grows with the data: paginated by primary key."""

    def items(self):
        return Activity.objects.approved().order_by("pk").values_list("pk", flat=True)

    def location(self, pk):
        return reverse("strategy:activity", args=[pk])


SITEMAPS = {
    "pages": PagesSitemap,
    "priorities": PrioritiesSitemap,
    "indicators": IndicatorsSitemap,
    "lags": LAGsSitemap,
    "municipalities": MunicipalitiesSitemap,
    "activities": ActivitiesSitemap,
}


def index(request):
    """The sitemap index, its addresses from PORTAL_URL (Django's index view takes the request's host)."""
    parts = []
    for section, sitemap in SITEMAPS.items():
        url = absolute(reverse("sitemap-section", kwargs={"section": section}))
        pages = sitemap().paginator.num_pages
        parts.extend(
            SitemapIndexItem(url if page == 1 else f"{url}?p={page}", None) for page in range(1, pages + 1)
        )
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": parts}, content_type="application/xml")
