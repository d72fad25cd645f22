"""Charts drawn on the server as SVG (pygal), for pages, print and the bulletin's PDF alike.

Server-side SVG rather than a browser charting library (decision 0027): the bulletin's PDF
renders the same HTML without a browser, so a JavaScript chart would be missing there; an
inline SVG weighs a few kilobytes where a browser library costs hundreds; and it draws with
JavaScript off. Every chart is an image with a name (``role="img"``, ``aria-label``); the page
puts the same figures in a table beside it, for screen readers and for printing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

__all__ = ["bar_chart", "line_chart"]

# Colour-blind-safe (Okabe–Ito), darkened where needed for contrast on white; the lines also
# differ by dot shape in the legend order, and the table gives the numbers.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000",
           "#8C6D31", "#5A5A5A", "#882255")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2937",
    foreground_strong="#111827",
    foreground_subtle="#6b7280",
    colors=PALETTE,
    font_family='"Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans", sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
    title_font_size=14,
    tooltip_font_size=12,
)


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def _render(chart: pygal.graph.graph.Graph, title: str) -> Markup:
    # pygal writes its settings for its tooltip script inline even with js=[]: without the
    # script nothing reads them, and a page's CSP need not allow inline scripts
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    # the chart names itself for assistive technology; its tooltips need no script (js=[])
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(title)}" ', 1)
    return Markup(svg)


def _config(title: str, *, width: int, height: int, percent: bool) -> dict:
    return {
        "title": None,  # the page's heading names the chart; the SVG repeats it as its label
        "style": STYLE,
        "width": width,
        "height": height,
        "js": [],  # no script from anywhere: the page's own CSP and offline printing hold
        "disable_xml_declaration": True,
        "explicit_size": False,  # scales to its container (viewBox), so 375 px phones fit
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "truncate_legend": 24,
        "truncate_label": 24,
        "print_values": False,
        "value_formatter": _percent if percent else (lambda v: "" if v is None else f"{v:g}"),
        "allow_interruptions": True,  # a missing half-year is a gap, not a zero
        "stroke_style": {"width": 2.5},
        "dots_size": 4,
    }


def line_chart(title: str, x_labels: Sequence[str],
               series: Mapping[str, Sequence[float | None]], *, percent: bool = True,
               width: int = 800, height: int = 360) -> Markup:
    """Lines over ``x_labels`` (e.g. half-years), one per series; ``None`` leaves a gap.
    ``percent`` reads values as rates in [0, 1]."""
    chart = pygal.Line(**_config(title, width=width, height=height, percent=percent))
    if percent:
        chart.range = (0, 1)
        chart.y_labels = [0, 0.25, 0.5, 0.75, 1]
    chart.x_labels = list(x_labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart, title)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], *,
              percent: bool = False, width: int = 800, height: int | None = None) -> Markup:
    """Horizontal bars, one per label, in the given order (a ranking reads top down), each
    with its value printed at its end."""
    height = height or max(160, 28 * len(labels) + 80)
    chart = pygal.HorizontalBar(**{
        **_config(title, width=width, height=height, percent=percent),
        "show_legend": False, "print_values": True, "print_values_position": "top"})
    if percent:
        chart.range = (0, 1)
    # pygal draws the first label at the bottom; the reader expects rank 1 on top
    chart.x_labels = list(reversed(labels))
    chart.add(title, list(reversed(values)))
    return _render(chart, title)
