"""The LAGs' approved variance narratives (#16): why a LAG's figure of a year is ahead of or behind its
target. The indicator page, the annual report and the funders' workbook read them through this one
function, so that all three show the same approved text (invariant 1: only approved records are public)."""

from .models import VarianceNarrative


def approved_for(strategy, year, *, indicator=None):
    """The approved narratives of a year of the strategy's indicators, as
    ``{(indicator_id, lag_id): VarianceNarrative}``; one query. ``indicator`` narrows it to one
    indicator (the indicator page). Texts are read with ``text_lv``/``text_en`` (or ``{% tr %}``)."""
    if year is None:
        return {}
    narratives = VarianceNarrative.objects.approved().filter(indicator__strategy=strategy, year=year)
    if indicator is not None:
        narratives = narratives.filter(indicator=indicator)
    return {
        (n.indicator_id, n.lag_id): n
        for n in narratives.select_related("lag").order_by("lag__order", "lag_id")
    }
