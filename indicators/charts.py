"""Server-rendered SVG charts (no JavaScript, no external assets) that the pages and the annual PDF share.
Geometry is computed here; ``templates/includes/chart_bars.html`` and ``chart_sparkline.html`` draw it.
"No data" is a gap, never a zero bar."""

from decimal import Decimal

from django.utils.translation import gettext as _

from partners import formats

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 12, 34


def _nice_max(value):
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = magnitude * Decimal(str(step))
        if candidate >= value:
            return candidate
    return value


def tick_label(value, indicator):
    """An axis tick as exactly as it is drawn: the unit's places, or more when the tick needs them (the
    middle of 0–5 is 2,5, never "2" or "3" beside the 2.5 gridline)."""
    places, _symbol = formats.UNITS.get(indicator.unit, (0, ""))
    exponent = Decimal(value).normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return formats.number(value, max(places, needed))


def bar_chart(*, title, indicator, years, groups):
    """groups: [(label, [Figure per year]), …]; a year without data in a group is a gap."""
    values = [f.actual for _label, series in groups for f in series if f.actual is not None]
    values += [f.target for _label, series in groups for f in series if f.target is not None]
    top = _nice_max(max(values, default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = Decimal(plot_w) / max(len(years), 1)
    bar_w = slot * Decimal("0.8") / max(len(groups), 1)
    bars, gaps, targets = [], [], []
    for g, (label, series) in enumerate(groups):
        for y_index, figure in enumerate(series):
            x = LEFT + slot * y_index + slot * Decimal("0.1") + bar_w * g
            if figure.actual is None:
                gaps.append({"x": round(x + bar_w / 2, 1), "y": TOP + plot_h - 4, "group": g})
                continue
            height = Decimal(plot_h) * figure.actual / top
            bars.append(
                {
                    "x": round(x, 1),
                    "y": round(TOP + plot_h - height, 1),
                    "width": round(bar_w - 1, 1),
                    "height": round(height, 1),
                    "group": g,
                    "label": f"{label} {figure.year}: {formats.figure(figure.actual, indicator)}",
                }
            )
            if g == 0 and figure.target is not None:
                ty = TOP + plot_h - Decimal(plot_h) * figure.target / top
                targets.append(
                    {"x1": round(x, 1), "x2": round(x + bar_w * len(groups), 1), "y": round(ty, 1)}
                )
    ticks = [
        {
            "y": round(TOP + plot_h - Decimal(plot_h) * part, 1),
            "label": tick_label(top * part, indicator),
        }
        for part in (Decimal(0), Decimal("0.5"), Decimal(1))
    ]
    year_labels = [{"x": round(LEFT + slot * i + slot / 2, 1), "year": y} for i, y in enumerate(years)]
    first_label, first_series = groups[0]
    # the dashed line is the first group's target: the three LAGs' joint one, or one LAG's own
    scope_lag = next((f.lag for f in first_series if f.lag is not None), None)
    if scope_lag is None:
        target_label = _("mērķa vērtība (kopā)")
    else:
        target_label = _("mērķa vērtība: %(group)s") % {"group": first_label}
    known = [f for f in first_series if f.actual is not None]
    missing = [str(f.year) for f in first_series if f.actual is None]
    if known:
        summary = _("%(group)s: no %(first)s (%(y1)s) līdz %(last)s (%(y2)s).") % {
            "group": first_label,
            "first": formats.figure(known[0].actual, indicator),
            "y1": known[0].year,
            "last": formats.figure(known[-1].actual, indicator),
            "y2": known[-1].year,
        }
    else:
        summary = _("%(group)s: datu vēl nav.") % {"group": first_label}
    if missing:
        summary += " " + _("Gadi bez datiem: %(years)s.") % {"years": ", ".join(missing)}
    return {
        "title": title,
        "summary": summary,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "axis_y": TOP + plot_h,
        "bars": bars,
        "gaps": gaps,
        "targets": targets,
        "target_label": target_label,
        "ticks": ticks,
        "year_labels": year_labels,
        "year_label_y": HEIGHT - 12,
        "legend": [{"label": label, "group": g} for g, (label, _series) in enumerate(groups)],
        "groups": groups,
        "indicator": indicator,
        "years": years,
    }


def sparkline(series, width=120, height=28):
    """Polyline segments of a yearly series; a year without data breaks the line."""
    values = [f.actual for f in series if f.actual is not None]
    if not values:
        return {"segments": [], "dots": [], "width": width, "height": height}
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    step = Decimal(width - 6) / max(len(series) - 1, 1)
    segments, current, dots = [], [], []
    for i, figure in enumerate(series):
        if figure.actual is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = round(3 + step * i, 1)
        y = round(height - 3 - Decimal(height - 6) * (figure.actual - low) / span, 1)
        current.append(f"{x},{y}")
        dots.append({"x": x, "y": y})
    if current:
        segments.append(current)
    return {
        "segments": [" ".join(points) for points in segments],
        "dots": dots,
        "width": width,
        "height": height,
    }
