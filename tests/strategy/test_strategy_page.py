"""The strategy page reads as the strategy document does: its sections in the document's order, each list
right after the sentence that introduces it, its KPI section as the document lists it (each KPI linking
to its indicator page), and figures the source text does not carry are said to be missing, in both
languages."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from indicators.models import Indicator
from partners.models import LocalStrategy
from strategy.models import Statement

BLOCKS = {"h1", "h2", "h3", "p", "ol", "ul", "li", "aside", "dt", "dd"}


class Blocks(HTMLParser):
    """The page's <main> as a flat list of block elements in document order: {tag, attrs, text, links},
    a list's items also under its "items"."""

    def __init__(self):
        super().__init__()
        self.blocks, self.open, self.in_main = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        attrs = dict(attrs)
        if tag in BLOCKS:
            block = {"tag": tag, "attrs": attrs, "text": "", "links": [], "items": []}
            if tag == "li":
                lists = [b for b in self.open if b["tag"] in ("ol", "ul")]
                if lists:
                    lists[-1]["items"].append(block)
            self.blocks.append(block)
            self.open.append(block)
        elif tag == "a":
            for block in self.open:
                block["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        if tag in BLOCKS:
            for position in range(len(self.open) - 1, -1, -1):
                if self.open[position]["tag"] == tag:
                    del self.open[position:]
                    break

    def handle_data(self, data):
        for block in self.open:
            block["text"] += data


def blocks(client, language):
    response = client.get(f"/{language}/strategy/")
    assert response.status_code == 200
    parser = Blocks()
    parser.feed(response.content.decode())
    for block in parser.blocks:
        block["text"] = " ".join(block["text"].split())
    return parser.blocks


def text_of(blocks):
    return "\n".join(b["text"] for b in blocks if b["tag"] in ("p", "li", "h2", "h3", "dd", "aside"))


def first_paragraph(value):
    """The field's first paragraph that is the strategy's text (not an editorial note in brackets)."""
    paragraphs = [" ".join(p.split()) for p in value.split("\n\n")]
    return next(p for p in paragraphs if not p.startswith("["))


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_page_follows_the_documents_order(client, strategy, language):
    with translation.override(language):
        field = lambda obj, name: first_paragraph(getattr(obj, f"{name}_{language}"))  # noqa: E731
        statements = {kind: list(strategy.statements.filter(kind=kind)) for kind in Statement.Kind.values}
        local = LocalStrategy.objects.order_by("lag__order").first()
        expected = [
            ("background", field(strategy, "background")),
            ("main task", field(statements["main_task"][0], "text")),
            ("quality policy", field(strategy, "quality_policy")),
            ("local strategy", field(local, "title")),
            ("origin", field(strategy, "origin")),
            ("vision", field(strategy, "vision")),
            ("mission", field(strategy, "mission")),
            ("result 1", field(strategy.results.get(number=1), "text")),
            ("purpose", field(strategy, "purpose")),
            ("7-year trend", field(statements["trend_7y"][0], "text")),
            ("20-year trend", field(statements["trend_20y"][0], "text")),
            ("principle", field(statements["principle"][0], "text")),
            ("analysis", field(strategy, "analysis")),
            ("external factor", field(statements["external_factor"][0], "text")),
            ("internal factor", field(statements["internal_factor"][-1], "text")),
            ("priority 1", field(strategy.priorities.get(number=1), "title")),
            ("priority 4", field(strategy.priorities.get(number=4), "description")),
            ("long-term goal", field(strategy, "long_term_goal")),
            ("short-term goal", field(strategy, "short_term_goal")),
            ("K1", field(Indicator.objects.get(code="K1"), "statement")),
        ]
    page = text_of(blocks(client, language))
    positions = []
    for name, text in expected:
        assert text and text in page, (name, text)
        positions.append((page.index(text), name))
    assert [name for _position, name in sorted(positions)] == [name for name, _text in expected]


def test_the_sections_are_the_documents_numbered_sections(client, strategy):
    headings = [b["text"] for b in blocks(client, "lv") if b["tag"] == "h2"]
    numbered = [h for h in headings if re.match(r"\d\. ", h)]
    assert numbered == [
        "1. Demokrātijas kultūras stratēģijas virzieni",
        "2. Ārējā un iekšējā analīze",
        "3. Stratēģijas prioritātes",
        "4. Stratēģijas ilgtermiņa un īstermiņa mērķi",
    ]
    assert headings.index("Dienvidlatgales vietējo rīcības grupu darbības virzieni") < headings.index(
        numbered[0]
    )


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_kpi_section_lists_the_documents_kpis_each_linking_to_its_indicator(client, strategy, language):
    page = blocks(client, language)
    kpi_list = next(b for b in page if b["tag"] in ("ol", "ul") and b["attrs"].get("id") == "kpi-list")
    kpis = list(Indicator.objects.filter(kind=Indicator.Kind.KPI).order_by("order"))
    assert len(kpis) == 11
    assert len(kpi_list["items"]) == len(kpis)
    with translation.override(language):
        for item, indicator in zip(kpi_list["items"], kpis, strict=True):
            assert item["text"].startswith(indicator.code), item["text"]
            assert " ".join(getattr(indicator, f"statement_{language}").split()) in item["text"]
            assert reverse("indicators:indicator", args=[indicator.code]) in item["links"]
    # the KPI section is the document's last: under the goals, after the priorities
    headings = [b for b in page if b["tag"] in ("h2", "h3")]
    assert page.index(kpi_list) > page.index(next(b for b in headings if b["text"].startswith("4. ")))


@pytest.mark.parametrize("language", ["lv", "en"])
def test_no_sentence_ends_on_a_colon_without_its_list(client, strategy, language):
    page = blocks(client, language)
    leads = [b for b in page if b["tag"] == "p" and b["text"].endswith(":")]
    assert len(leads) >= 6  # main tasks, local strategies, two trends, principles, two factor lists
    for lead in leads:
        following = page[page.index(lead) + 1]
        assert following["tag"] in ("ol", "ul") and following["items"], lead["text"]
    # the analysis' last sentence introduces the internal factors, which follow it
    internal = strategy.statements.filter(kind=Statement.Kind.INTERNAL_FACTOR)
    last_lead = first_paragraph(getattr(strategy, f"analysis_{language}").split("\n\n")[-1])
    lead = next(b for b in leads if b["text"] == last_lead)
    items = [i["text"] for i in page[page.index(lead) + 1]["items"]]
    assert items == [getattr(s, f"text_{language}") for s in internal]


@pytest.mark.parametrize(
    ("language", "reference", "note"),
    [("lv", r"(\d+)\.\s?attēl", "Redakcijas piezīme"), ("en", r"Figure (\d+)", "Editorial note")],
)
def test_a_reference_to_a_figure_the_page_does_not_show_is_marked(
    client, strategy, language, reference, note
):
    page = blocks(client, language)
    citing = [b for b in page if b["tag"] == "p" and re.search(reference, b["text"])]
    assert citing, "the analysis cites figure 2"
    for paragraph in citing:
        figure = re.search(reference, paragraph["text"]).group(1)
        following = page[page.index(paragraph) + 1]
        assert "editorial-note" in following["attrs"].get("class", ""), paragraph["text"]
        assert following["text"].startswith(note)
        assert re.search(reference.replace(r"(\d+)", figure), following["text"])
    assert not any("<figure" in b["text"] or "[image" in b["text"] for b in page)
