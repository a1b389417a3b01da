"""The tier chart: pure SVG, labelled in words, no inline styles."""

from __future__ import annotations

import re

from assessments.svg import COMPACT, ChartRow, domain, tier_chart

EM = ChartRow(
    code="EM",
    name="Emergency Medicine",
    bands={"strong": 245, "viable": 238, "risk": 225},
    role="primary",
)
IM = ChartRow(
    code="IM",
    name="Internal Medicine",
    bands={"strong": 253, "viable": 246, "risk": 233},
    role="backup",
)


def test_the_chart_names_every_band_and_the_score_in_text():
    svg = tier_chart(rows=[EM, IM], score=238, passing=218)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for word in ("High risk", "At risk", "Viable", "Strong"):
        assert word in svg
    assert "Your Step 2 CK: 238" in svg
    assert "Passing standard 218" in svg
    assert "is viable in EM, at risk in IM" in svg
    assert "style" not in svg and "<script" not in svg


def test_a_projected_score_is_marked_as_projected():
    svg = tier_chart(rows=[EM], score=230, projected=True, passing=218)
    assert "Projected score: 230" in svg
    assert 'stroke-dasharray="6 4"' in svg
    assert "projected from practice tests" in svg


def test_without_a_score_only_the_bands_are_drawn():
    svg = tier_chart(rows=[EM], score=None)
    assert "no Step 2 CK score yet" in svg
    assert "Your Step 2 CK" not in svg


def test_names_are_escaped():
    row = ChartRow(
        code="<b>", name="A & B <script>", bands={"strong": 245, "viable": 238, "risk": 225}
    )
    svg = tier_chart(rows=[row], score=240)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_rows_without_valid_bands_are_skipped():
    bad = ChartRow(code="X", name="X", bands={"strong": 200, "viable": 238, "risk": 225})
    assert tier_chart(rows=[bad], score=240) == ""
    assert tier_chart(rows=[], score=240) == ""


def test_the_axis_covers_the_bands_the_score_and_the_passing_standard():
    low, high = domain([EM], 190, 218)
    assert low <= 190 and high >= 245
    assert low % 10 == 0 and high % 10 == 0
    low, high = domain([EM], 299, None)
    assert high == 300


def test_the_compact_variant_puts_names_above_the_bars_and_keeps_every_word():
    svg = tier_chart(rows=[EM, IM], score=238, passing=218, layout=COMPACT, id_prefix="c")
    assert 'viewBox="0 0 400 ' in svg
    assert 'id="c-title"' in svg
    assert "(primary)" in svg and "(backup)" in svg
    assert "Your Step 2 CK: 238" in svg
    assert "style" not in svg


def test_narrow_bands_keep_their_full_names_at_every_width():
    # Family medicine: a 5-point "at risk" band, on a phone-width chart
    fm = ChartRow(
        code="FM", name="Family Medicine", bands={"strong": 232, "viable": 225, "risk": 218}
    )
    for layout in (COMPACT, None):
        svg = tier_chart(
            rows=[fm], score=226, passing=218, **({"layout": layout} if layout else {})
        )
        texts = re.findall(r">([^<>]+)</text>", svg)
        assert not {"R", "V", "S", "HR"} & set(texts)
        for word in ("High risk", "At risk", "Viable", "Strong"):
            assert word in texts  # in its band, or in the key under the chart
