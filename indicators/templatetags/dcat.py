"""The open-data page's datasets as DCAT-AP metadata (JSON-LD), so that a national open-data portal
(data.gov.lv harvests DCAT-AP) can list them (#15).

The catalogue is written into the page as ``<script type="application/ld+json">``: a data block, which
a browser never executes, so the Content-Security-Policy (script-src 'self', no nonces in this
project) does not apply to it and needs no exception. The JSON is escaped so that no text in it (a
title with ``</script>``) can close the element."""

import json

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators import opendata

register = template.Library()

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat:startDate": {"@type": "xsd:date"},
    "dcat:endDate": {"@type": "xsd:date"},
    "dct:modified": {"@type": "xsd:dateTime"},
}
# The EU Publications Office's authority tables, as DCAT-AP asks for languages and file types.
LANGUAGES = {"lv": "LAV", "en": "ENG"}
LANGUAGE_TABLE = "http://publications.europa.eu/resource/authority/language/"
FILE_TYPE_TABLE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE_TABLE = "https://www.iana.org/assignments/media-types/"
# Datasets with a time dimension: the strategy's period (territory is a list of places, not a series).
TEMPORAL = {"indicator-figures", "activities"}
# The characters that could end the <script> element or start markup inside it (as Django's json_script).
ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _absolute(path):
    return settings.PORTAL_URL.rstrip("/") + path


def _strategy_title(strategy, language):
    if strategy is None:
        return ""
    return getattr(strategy, f"title_{language}", "") or strategy.title_lv


def catalogue(strategy, last_update=None):
    language = get_language() or settings.LANGUAGE_CODE
    page = _absolute(reverse("indicators:open_data"))
    licence = {"@id": opendata.LICENCE_URL}
    publisher = {"@type": "foaf:Organization", "foaf:name": _("Dienvidlatgales VRG")}
    languages = [{"@id": LANGUAGE_TABLE + code} for code in LANGUAGES.values()]

    def text(value):
        return {"@language": language, "@value": str(value)}

    datasets = []
    for slug, dataset in opendata.DATASETS.items():
        entry = {
            "@id": f"{page}#ds-{slug}",
            "@type": "dcat:Dataset",
            "dct:identifier": slug,
            "dct:title": text(dataset["title"]),
            "dct:description": text(
                _("Kolonnas: %(columns)s.")
                % {"columns": ", ".join(name for name, _doc in dataset["columns"])}
            ),
            "dct:publisher": publisher,
            "dct:license": licence,
            "dct:language": languages,
            "dcat:landingPage": {"@id": page},
            "dcat:distribution": [
                {
                    "@type": "dcat:Distribution",
                    "dct:format": {"@id": FILE_TYPE_TABLE + fmt.upper()},
                    "dcat:mediaType": {"@id": MEDIA_TYPE_TABLE + content_type.split(";")[0]},
                    "dcat:downloadURL": {
                        "@id": _absolute(reverse("indicators:open_data_file", args=[slug, fmt]))
                    },
                    "dcat:accessURL": {"@id": page},
                    "dct:license": licence,
                }
                for fmt, content_type in opendata.FORMATS.items()
            ],
        }
        if slug in TEMPORAL and strategy is not None:
            entry["dct:temporal"] = {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": f"{strategy.period_start}-01-01",
                "dcat:endDate": f"{strategy.period_end}-12-31",
            }
        if last_update:
            entry["dct:modified"] = last_update.isoformat()
        datasets.append(entry)
    return {
        "@context": CONTEXT,
        "@id": page,
        "@type": "dcat:Catalog",
        "dct:title": text(_("Atvērtie dati")),
        "dct:description": text(_strategy_title(strategy, language) or settings.PORTAL_NAME),
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": languages,
        "foaf:homepage": {"@id": _absolute(reverse("indicators:home"))},
        "dcat:dataset": datasets,
    }


@register.simple_tag
def dcat_json_ld(strategy, last_update=None):
    data = json.dumps(catalogue(strategy, last_update), ensure_ascii=False, indent=1).translate(ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{data}</script>')  # noqa: S308 - escaped above
