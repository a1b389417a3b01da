"""The plan page's chart: a Step 2 CK score placed on each specialty's tier bands.

A pure function returning SVG markup. The Content-Security-Policy forbids inline styles, so the
markup uses presentation attributes only (``fill=``, ``stroke=``, ``font-size=``), never a
``<style>`` element or ``style=`` attribute. Colour is never the only signal: every band carries
its tier word, the score and the passing standard are labelled in text, and ``<title>`` and
``<desc>`` say everything the picture shows for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from assessments import engine

# Band fills are light tints so the dark text on them keeps a contrast above 7:1.
BAND_STYLE: dict[str, tuple[str, str, str]] = {
    # tier: (fill, text colour, word)
    "high_risk": ("#f8d7da", "#58151c", "High risk"),
    "risk": ("#fff3cd", "#523e02", "At risk"),
    "viable": ("#cfe2ff", "#052c65", "Viable"),
    "strong": ("#d1e7dd", "#0a3622", "Strong"),
}
LEGEND_HEIGHT = 26  # the key under the axis: every band's colour with its full name
SCORE_COLOUR = "#212529"
PASSING_COLOUR = "#842029"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True, slots=True)
class Layout:
    """Geometry of one chart variant. ``labels_above`` puts each specialty's name above its
    bar instead of in a left column (the narrow variant for phones)."""

    width: int
    label_width: int
    plot_left: int
    plot_right: int
    top: int  # room for the score label above the first bar
    row_height: int
    bar_height: int
    label_offset: int  # space above a bar for its name (labels_above only)
    axis_height: int  # below the axis line: tick labels and the passing-standard label
    labels_above: bool
    tick_every: int


WIDE = Layout(
    width=720,
    label_width=150,
    plot_left=160,
    plot_right=700,
    top=44,
    row_height=62,
    bar_height=28,
    label_offset=0,
    axis_height=44,
    labels_above=False,
    tick_every=10,
)
COMPACT = Layout(
    width=400,
    label_width=0,
    plot_left=14,
    plot_right=386,
    top=44,
    row_height=74,
    bar_height=28,
    label_offset=18,
    axis_height=44,
    labels_above=True,
    tick_every=20,
)


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One specialty: its effective band lower bounds (``strong``, ``viable``, ``risk``)."""

    code: str
    name: str
    bands: Mapping[str, int]
    tier: str = ""
    role: str = ""


def _floor10(value: int) -> int:
    return value - value % 10


def _ceil(value: int, step: int = 10) -> int:
    return value if value % step == 0 else value + step - value % step


def domain(rows: Sequence[ChartRow], score: int | None, passing: int | None) -> tuple[int, int]:
    """The score range the axis shows: every band edge, the score and the passing standard,
    with a margin, on round tens, inside 1-300."""
    lows = [r.bands["risk"] for r in rows]
    highs = [r.bands["strong"] for r in rows]
    for extra in (score, passing):
        if extra is not None:
            lows.append(extra)
            highs.append(extra)
    low = max(0, _floor10(min(lows) - 12))
    high = min(300, _ceil(max(highs) + 12))
    if high - low < 40:
        high = min(300, low + 40)
    return low, high


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _describe_row(row: ChartRow) -> str:
    b = row.bands
    return (
        f"{row.name}: high risk under {b['risk']}, at risk {b['risk']} to {b['viable'] - 1}, "
        f"viable {b['viable']} to {b['strong'] - 1}, strong from {b['strong']}"
    )


def tier_chart(
    *,
    rows: Sequence[ChartRow],
    score: int | None,
    projected: bool = False,
    passing: int | None = None,
    id_prefix: str = "tier-chart",
    layout: Layout = WIDE,
) -> str:
    """SVG markup placing ``score`` on the tier bands of every row (primary specialty first).

    ``projected`` marks the score as projected from practice tests (dashed marker, the word
    "projected" in its label). ``passing`` draws the Step 2 CK passing standard. Rows without
    valid bands are skipped; with no row left the result is an empty string.
    """
    rows = [r for r in rows if _valid_bands(r.bands)]
    if not rows:
        return ""
    lay = layout
    low, high = domain(rows, score, passing)
    span = high - low

    def x(value: float) -> float:
        value = min(max(value, low), high)
        return lay.plot_left + (value - low) * (lay.plot_right - lay.plot_left) / span

    last_bar_bottom = lay.top + lay.row_height * (len(rows) - 1) + lay.label_offset + lay.bar_height
    axis_y = last_bar_bottom + 20  # below the last bar's edge labels
    legend_y = axis_y + lay.axis_height
    height = legend_y + LEGEND_HEIGHT
    score_word = "Projected score" if projected else "Your Step 2 CK"
    title = (
        f"{score_word} {score} on the tier bands"
        if score is not None
        else "Tier bands (no Step 2 CK score yet)"
    )
    desc_parts = [_describe_row(r) + "." for r in rows]
    if score is not None:
        placed = ", ".join(f"{_tier_of(score, r.bands)} in {r.code}" for r in rows)
        desc_parts.append(
            f"{score_word} {score}{' (projected from practice tests)' if projected else ''} "
            f"is {placed}."
        )
    if passing is not None:
        desc_parts.append(f"The passing standard is {passing}.")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" class="tier-chart" '
        f'font-family="{escape(FONT)}" font-size="13">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(" ".join(desc_parts))}</desc>',
    ]
    avoid = x(score) if score is not None else None
    for index, row in enumerate(rows):
        bar_top = lay.top + index * lay.row_height + lay.label_offset
        out.append(_row_markup(row, bar_top, low, high, x, lay, avoid=avoid))

    out.append(
        f'<line x1="{lay.plot_left}" y1="{axis_y}" x2="{lay.plot_right}" y2="{axis_y}" '
        f'stroke="#6c757d" stroke-width="1"/>'
    )
    for tick in range(_ceil(low, lay.tick_every), high + 1, lay.tick_every):
        tx = _fmt(x(tick))
        out.append(
            f'<line x1="{tx}" y1="{axis_y}" x2="{tx}" y2="{axis_y + 5}" stroke="#6c757d"/>'
            f'<text x="{tx}" y="{axis_y + 18}" text-anchor="middle" fill="#495057" '
            f'font-size="11">{tick}</text>'
        )
    if not lay.labels_above:
        out.append(
            f'<text x="{lay.plot_left - 18}" y="{axis_y + 18}" text-anchor="end" '
            f'fill="#495057" font-size="11">Step 2 CK</text>'
        )

    if passing is not None and low <= passing <= high:
        px = x(passing)
        anchor = _anchor(px, lay)
        out.append(
            f'<line x1="{_fmt(px)}" y1="{lay.top - 6}" x2="{_fmt(px)}" y2="{axis_y}" '
            f'stroke="{PASSING_COLOUR}" stroke-width="2" stroke-dasharray="2 3"/>'
            f'<text x="{_fmt(px)}" y="{axis_y + 36}" text-anchor="{anchor}" '
            f'fill="{PASSING_COLOUR}" font-size="12" font-weight="600">'
            f"Passing standard {passing}</text>"
        )

    # The key: a band too narrow for its name in the bar still has its name here (never a
    # one-letter abbreviation).
    slot = (lay.plot_right - lay.plot_left) / len(BAND_STYLE)
    for index, (fill, ink, word) in enumerate(reversed(list(BAND_STYLE.values()))):
        lx = lay.plot_left + index * slot
        out.append(
            f'<rect x="{_fmt(lx)}" y="{legend_y + 4}" width="14" height="14" fill="{fill}" '
            f'stroke="{ink}" stroke-width="1"/>'
            f'<text x="{_fmt(lx + 19)}" y="{legend_y + 16}" fill="#212529" '
            f'font-size="12">{escape(word)}</text>'
        )

    if score is not None:
        sx = x(score)
        dash = ' stroke-dasharray="6 4"' if projected else ""
        label = f"{score_word}: {score}"
        out.append(
            f'<line x1="{_fmt(sx)}" y1="{lay.top - 10}" x2="{_fmt(sx)}" y2="{axis_y}" '
            f'stroke="{SCORE_COLOUR}" stroke-width="3"{dash}/>'
            f'<path d="M{_fmt(sx - 7)} {lay.top - 18} L{_fmt(sx + 7)} {lay.top - 18} '
            f'L{_fmt(sx)} {lay.top - 8} Z" fill="{SCORE_COLOUR}"/>'
            f'<text x="{_fmt(sx)}" y="{lay.top - 24}" text-anchor="{_anchor(sx, lay)}" '
            f'fill="{SCORE_COLOUR}" font-size="14" font-weight="700">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _anchor(at: float, lay: Layout) -> str:
    """Keep a centred label inside the picture near either edge."""
    if at < lay.plot_left + 70:
        return "start"
    if at > lay.plot_right - 70:
        return "end"
    return "middle"


def _valid_bands(bands: object) -> bool:
    if not isinstance(bands, Mapping):
        return False
    try:
        strong, viable, risk = (int(bands[k]) for k in ("strong", "viable", "risk"))
    except (KeyError, TypeError, ValueError):
        return False
    return 1 <= risk < viable < strong <= 300


def _tier_of(score: int, bands: Mapping[str, int]) -> str:
    """The band ``score`` falls in, as a lower-case word ("at risk")."""
    return BAND_STYLE[engine.band_of(score, bands)][2].lower()


def _row_markup(
    row: ChartRow,
    top: int,
    low: int,
    high: int,
    x: Callable[[float], float],
    lay: Layout,
    *,
    avoid: float | None = None,
) -> str:
    b = row.bands
    edges = [
        ("high_risk", low, b["risk"]),
        ("risk", b["risk"], b["viable"]),
        ("viable", b["viable"], b["strong"]),
        ("strong", b["strong"], high),
    ]
    if lay.labels_above:
        role = f" ({row.role})" if row.role else ""
        parts = [
            f'<text x="{lay.plot_left}" y="{top - 6}" fill="#212529" font-weight="600">'
            f"{escape(row.code)}"
            f'<tspan fill="#495057" font-weight="400" font-size="11">{escape(role)}</tspan>'
            "</text>"
        ]
    else:
        parts = [
            f'<text x="{lay.label_width}" y="{top + lay.bar_height / 2 + 5:.0f}" '
            f'text-anchor="end" fill="#212529" font-weight="600">{escape(row.code)}</text>'
        ]
        if row.role:
            parts.append(
                f'<text x="{lay.label_width}" y="{top + lay.bar_height / 2 + 20:.0f}" '
                f'text-anchor="end" fill="#495057" font-size="11">{escape(row.role)}</text>'
            )
    for tier, start, end in edges:
        if end <= low or start >= high:
            continue
        x0, x1 = x(start), x(end)
        fill, ink, word = BAND_STYLE[tier]
        parts.append(
            f'<rect x="{_fmt(x0)}" y="{top}" width="{_fmt(max(x1 - x0, 0))}" '
            f'height="{lay.bar_height}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>'
        )
        width = x1 - x0
        # The full name, smaller in a narrow band; a band too narrow even for that is named
        # by the key under the chart.
        for size, per_char in ((13, 8), (11, 6.5)):
            if width >= per_char * len(word) + 4:
                parts.append(
                    f'<text x="{_fmt((x0 + x1) / 2)}" y="{top + lay.bar_height / 2 + 5:.0f}" '
                    f'text-anchor="middle" fill="{ink}" font-weight="600" '
                    f'font-size="{size}">{escape(word)}</text>'
                )
                break
    # the band edges under the bar, so the numbers are readable without the axis
    for value in (b["risk"], b["viable"], b["strong"]):
        # An edge under the score marker would be struck through; the marker's label says it.
        if low < value < high and (avoid is None or abs(x(value) - avoid) >= 14):
            parts.append(
                f'<text x="{_fmt(x(value))}" y="{top + lay.bar_height + 14}" '
                f'text-anchor="middle" fill="#343a40" font-size="11">{value}</text>'
            )
    return "".join(parts)
