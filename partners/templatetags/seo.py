"""What search engines and link previews read from a page's head (#15, "Findable and shareable")."""

import re

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

DESCRIPTION_LENGTH = 160  # what search result snippets show; longer text is cut at a word


@register.simple_tag
def describe(obj, field):
    """A field of a record as plain text for a meta description: in the page's language (the Latvian
    text when the English one is missing), runs of white space made one space, cut at a word within
    160 characters with an ellipsis. Escaping is the template's (autoescape), as for any text."""
    language = get_language() or "lv"
    text = getattr(obj, f"{field}_{language}", None) or getattr(obj, f"{field}_lv", None) or ""
    return shorten(text)


@register.filter
def shorten(text):
    text = re.sub(r"\s+", " ", str(text)).strip()
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    # at the last space that leaves room for the ellipsis (a word longer than that: cut inside it)
    cut = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] or text[: DESCRIPTION_LENGTH - 1]
    return cut.rstrip(" ,;:") + "…"


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # The rendered (already escaped) output; the page's blocks inside stay overridable.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    """{% capture as name %}…{% endcapture %}: render once, use twice — base.html's title and
    description blocks go into <title> and the meta description as well as the Open Graph tags."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
