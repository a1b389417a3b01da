"""The plan page's chart: a Step 2 CK score placed on each specialty's tier bands.

A pure function returning SVG markup. The Content-Security-Policy forbids inline styles, so the
markup uses presentation attributes only (``fill=``, ``stroke=``, ``font-size=``), never a
``<style>`` element or ``style=`` attribute. Colour is never the only signal: every band carries
its tier word, the score and the passing standard are labelled in text, and ``<title>`` and
``<desc>`` say everything the picture shows for screen readers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

# Band fills are light tints so the dark text on them keeps a contrast above 7:1.
BAND_STYLE: dict[str, tuple[str, str, str]] = {
    # tier: (fill, text colour, word)
    "high_risk": ("#f8d7da", "#58151c", "High risk"),
    "risk": ("#fff3cd", "#523e02", "At risk"),
    "viable": ("#cfe2ff", "#052c65", "Viable"),
    "strong": ("#d1e7dd", "#0a3622", "Strong"),
}
SCORE_COLOUR = "#212529"
PASSING_COLOUR = "#842029"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

WIDTH = 720
LABEL_WIDTH = 150  # left column with the specialty names
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - 20
TOP = 44  # room for the score label above the first bar
ROW_HEIGHT = 62
BAR_HEIGHT = 28
AXIS_HEIGHT = 46  # ticks, their labels and the passing-standard label


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


def _ceil10(value: int) -> int:
    return value if value % 10 == 0 else value + 10 - value % 10


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
    high = min(300, _ceil10(max(highs) + 12))
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
) -> str:
    """SVG markup placing ``score`` on the tier bands of every row (primary specialty first).

    ``projected`` marks the score as projected from practice tests (dashed marker, the word
    "projected" in its label). ``passing`` draws the Step 2 CK passing standard. Rows without
    valid bands are skipped; with no row left the result is an empty string.
    """
    rows = [r for r in rows if _valid_bands(r.bands)]
    if not rows:
        return ""
    low, high = domain(rows, score, passing)
    span = high - low

    def x(value: float) -> float:
        value = min(max(value, low), high)
        return PLOT_LEFT + (value - low) * (PLOT_RIGHT - PLOT_LEFT) / span

    height = TOP + ROW_HEIGHT * len(rows) + AXIS_HEIGHT
    plot_bottom = TOP + ROW_HEIGHT * len(rows) - (ROW_HEIGHT - BAR_HEIGHT) + 12
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
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" class="tier-chart" '
        f'font-family="{escape(FONT)}" font-size="13">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(" ".join(desc_parts))}</desc>',
    ]
    for index, row in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        out.append(
            _row_markup(row, top, low, high, x, avoid=x(score) if score is not None else None)
        )

    # axis
    axis_y = plot_bottom + 4
    out.append(
        f'<line x1="{PLOT_LEFT}" y1="{axis_y}" x2="{PLOT_RIGHT}" y2="{axis_y}" '
        f'stroke="#6c757d" stroke-width="1"/>'
    )
    for tick in range(_ceil10(low), high + 1, 10):
        tx = _fmt(x(tick))
        out.append(
            f'<line x1="{tx}" y1="{axis_y}" x2="{tx}" y2="{axis_y + 5}" stroke="#6c757d"/>'
            f'<text x="{tx}" y="{axis_y + 18}" text-anchor="middle" fill="#495057" '
            f'font-size="11">{tick}</text>'
        )
    out.append(
        f'<text x="{PLOT_LEFT - 18}" y="{axis_y + 18}" text-anchor="end" fill="#495057" '
        f'font-size="11">Step 2 CK</text>'
    )

    if passing is not None and low <= passing <= high:
        px = _fmt(x(passing))
        out.append(
            f'<line x1="{px}" y1="{TOP - 6}" x2="{px}" y2="{axis_y}" stroke="{PASSING_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="2 3"/>'
            f'<text x="{px}" y="{axis_y + 36}" text-anchor="middle" fill="{PASSING_COLOUR}" '
            f'font-size="12" font-weight="600">Passing standard {passing}</text>'
        )

    if score is not None:
        sx = x(score)
        anchor = "middle"
        if sx < PLOT_LEFT + 70:
            anchor = "start"
        elif sx > PLOT_RIGHT - 70:
            anchor = "end"
        dash = ' stroke-dasharray="6 4"' if projected else ""
        label = f"{score_word}: {score}"
        out.append(
            f'<line x1="{_fmt(sx)}" y1="{TOP - 10}" x2="{_fmt(sx)}" y2="{axis_y}" '
            f'stroke="{SCORE_COLOUR}" stroke-width="3"{dash}/>'
            f'<path d="M{_fmt(sx - 7)} {TOP - 18} L{_fmt(sx + 7)} {TOP - 18} '
            f'L{_fmt(sx)} {TOP - 8} Z" fill="{SCORE_COLOUR}"/>'
            f'<text x="{_fmt(sx)}" y="{TOP - 24}" text-anchor="{anchor}" fill="{SCORE_COLOUR}" '
            f'font-size="14" font-weight="700">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _valid_bands(bands: object) -> bool:
    if not isinstance(bands, Mapping):
        return False
    try:
        strong, viable, risk = (int(bands[k]) for k in ("strong", "viable", "risk"))
    except (KeyError, TypeError, ValueError):
        return False
    return 1 <= risk < viable < strong <= 300


def _tier_of(score: int, bands: Mapping[str, int]) -> str:
    if score >= bands["strong"]:
        return "strong"
    if score >= bands["viable"]:
        return "viable"
    if score >= bands["risk"]:
        return "at risk"
    return "high risk"


def _row_markup(  # type: ignore[no-untyped-def]
    row: ChartRow, top: int, low: int, high: int, x, *, avoid: float | None = None
) -> str:
    b = row.bands
    edges = [
        ("high_risk", low, b["risk"]),
        ("risk", b["risk"], b["viable"]),
        ("viable", b["viable"], b["strong"]),
        ("strong", b["strong"], high),
    ]
    parts = [
        f'<text x="{LABEL_WIDTH}" y="{top + BAR_HEIGHT / 2 + 5:.0f}" text-anchor="end" '
        f'fill="#212529" font-weight="600">{escape(row.code)}</text>'
    ]
    if row.role:
        parts.append(
            f'<text x="{LABEL_WIDTH}" y="{top + BAR_HEIGHT / 2 + 20:.0f}" text-anchor="end" '
            f'fill="#495057" font-size="11">{escape(row.role)}</text>'
        )
    for tier, start, end in edges:
        if end <= low or start >= high:
            continue
        x0, x1 = x(start), x(end)
        fill, ink, word = BAND_STYLE[tier]
        parts.append(
            f'<rect x="{_fmt(x0)}" y="{top}" width="{_fmt(max(x1 - x0, 0))}" '
            f'height="{BAR_HEIGHT}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>'
        )
        width = x1 - x0
        if width >= 34:
            text = word if width >= 8 * len(word) else word.split()[-1]
            if width < 7 * len(text):
                text = {"High risk": "HR", "At risk": "R", "Viable": "V", "Strong": "S"}[word]
            parts.append(
                f'<text x="{_fmt((x0 + x1) / 2)}" y="{top + BAR_HEIGHT / 2 + 5:.0f}" '
                f'text-anchor="middle" fill="{ink}" font-weight="600">{escape(text)}</text>'
            )
    # the band edges under the bar, so the numbers are readable without the axis
    for value in (b["risk"], b["viable"], b["strong"]):
        # An edge under the score marker would be struck through; the marker's label says it.
        if low < value < high and (avoid is None or abs(x(value) - avoid) >= 14):
            parts.append(
                f'<text x="{_fmt(x(value))}" y="{top + BAR_HEIGHT + 14}" text-anchor="middle" '
                f'fill="#343a40" font-size="11">{value}</text>'
            )
    return "".join(parts)
