"""The course's plotting functions: colour-blind-safe colours, labelled axes with units, log scales where
the data span orders of magnitude, a one-line description that names what is drawn, one-line errors."""

from __future__ import annotations

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from osteonecrosis import figures, knowledge

OKABE = {mcolors.to_hex(c).lower() for c in figures.OKABE_ITO.values()}
NEUTRALS = {"#d9d9d9", "#ffffff", "#000000"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _colours(fig: Figure) -> set[str]:
    """Every data colour drawn (lines, markers, bars, scatter points, patches), as hex."""
    out: set[str] = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            out.add(mcolors.to_hex(line.get_color()).lower())
        for coll in ax.collections:
            for c in coll.get_facecolors():
                out.add(mcolors.to_hex(c, keep_alpha=False).lower())
        for patch in ax.patches:
            out.add(mcolors.to_hex(patch.get_facecolor(), keep_alpha=False).lower())
    return out


def _assert_sound(fig: Figure, desc: str, *, xunit: str | None = None) -> None:
    assert isinstance(fig, Figure)
    assert isinstance(desc, str) and desc.endswith(".") and "\n" not in desc and len(desc) > 40
    colours = _colours(fig)
    assert colours, "nothing was drawn"
    assert colours <= OKABE | NEUTRALS, f"colours outside the Okabe-Ito palette: {colours - OKABE - NEUTRALS}"
    data_axes = [ax for ax in fig.axes if ax.get_lines() or ax.collections or ax.patches]
    for ax in data_axes:
        assert ax.get_xlabel(), "x axis has no label"
    if xunit is not None:
        assert xunit in data_axes[0].get_xlabel()


def test_palette_is_okabe_ito_and_distinct() -> None:
    assert len(figures.PALETTE) == len(set(figures.PALETTE)) == 8
    assert {c.lower() for c in figures.PALETTE} == OKABE
    colours = {colour for colour, _ in figures.GROUP_STYLE.values()}
    markers = {marker for _, marker in figures.GROUP_STYLE.values()}
    assert len(colours) == len(markers) == len(figures.GROUP_STYLE), "groups need colours AND markers"


def test_time_course_labels_units_and_describes_each_curve() -> None:
    curves = [
        figures.Curve("Alendronate in bone", [0, 365, 3650], [100, 93, 50]),
        figures.Curve("Denosumab in serum", [0, 30, 3650], [100, 45, 0.0]),
    ]
    fig, desc = figures.time_course(curves, ylabel="Amount left (% of peak)", time_unit="years",
                                    events=[(182, "next dose due")])
    _assert_sound(fig, desc, xunit="(years)")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Amount left (% of peak)"
    assert ax.get_lines()[0].get_xdata()[-1] == pytest.approx(3650 / 365.25)
    assert ax.get_lines()[0].get_linestyle() != ax.get_lines()[1].get_linestyle(), "style is a second cue"
    assert "Alendronate in bone starts at 100, peaks at 100 at 0 years and ends at 50 at 10 years" in desc
    assert "Denosumab in serum starts at 100" in desc and "ends at 0 at 10 years" in desc
    fig, desc = figures.time_course([figures.Curve("D", [0, 10], [1.0, 1e-13])], ylabel="y (%)")
    assert "ends at almost 0" in desc


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"curves": []}, "no curves"),
        ({"curves": [figures.Curve("x", [0, 1], [1])]}, "equal length"),
        ({"curves": [figures.Curve("x", [0, 1], [1, float("nan")])]}, "finite"),
        ({"curves": [figures.Curve("x", [0, 1], [1, 2])], "time_unit": "weeks"}, "time_unit"),
    ],
)
def test_time_course_rejects_bad_input_in_one_line(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        figures.time_course(ylabel="y (%)", **kwargs)
    assert "\n" not in str(err.value)


def _risk_rows() -> list[figures.RangeRow]:
    """Rows built from the knowledge base, as notebook 03 does."""
    estimates = {e["id"]: e for e in knowledge.load("risk")["estimates"]}
    pick = [("mascc-zoledronate-oncology", "oncology"), ("mascc-denosumab-adjuvant", "oncology"),
            ("taskforce-osteoporosis", "osteoporosis"), ("review-denosumab-osteoporosis", "osteoporosis")]
    return [figures.RangeRow(i, estimates[i]["low_percent"], max(estimates[i]["high_percent"], 1e-3), g)
            for i, g in pick]


def test_incidence_ranges_log_scale_groups_and_zero_floor() -> None:
    rows = _risk_rows()
    fig, desc = figures.incidence_ranges(rows)
    _assert_sound(fig, desc, xunit="%")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert "log scale" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.label for r in reversed(rows)]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"oncology", "osteoporosis"}
    # the adjuvant row starts at 0%: drawn at the floor with a '0' marker, never silently dropped
    assert any(a.get_text() == "0" for a in ax.texts)
    assert "osteoporosis: 0.001% to 0.04%" in desc and "oncology: 0% to 8%" in desc


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (figures.RangeRow("a", 2, 1, "oncology"), "low <= high"),
        (figures.RangeRow("a", 0, 0, "oncology"), "above 0"),
        (figures.RangeRow("a", 1, 2, "dental"), "group must be one of"),
    ],
)
def test_incidence_ranges_rejects_bad_rows(row: figures.RangeRow, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        figures.incidence_ranges([row])


def test_icon_arrays_fill_exactly_the_counts() -> None:
    fig, desc = figures.icon_arrays([("Osteoporosis", 0.01, 0.2), ("Cancer", 10, 70)])
    _assert_sound(fig, desc)
    dark = mcolors.to_hex(figures.OKABE_ITO["vermillion"])
    light = mcolors.to_hex(figures.OKABE_ITO["orange"])
    cancer = fig.axes[1].collections[0]
    hexes = [mcolors.to_hex(c, keep_alpha=False) for c in cancer.get_facecolors()]
    assert len(hexes) == 1000
    assert hexes.count(dark) == 10 and hexes.count(light) == 60
    assert "10 to 70 in 1000 people" in fig.axes[1].get_title()
    assert "Cancer: 10 to 70 affected" in desc
    assert "fewer than 1" in fig.axes[0].get_title() and "fewer than 1" not in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="low <= high <= 1000"):
        figures.icon_arrays([("x", 5, 2000)])


def test_forest_plot_from_the_extraction_meta_analysis() -> None:
    raw = knowledge.load("risk")["extraction"]["estimates"]
    ests = [figures.Estimate(e["measure"], e["point"], e["ci_low"], e["ci_high"], "ratio") for e in raw]
    fig, desc = figures.forest(ests)
    _assert_sound(fig, desc, xunit="log scale")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    lo, hi = ax.get_xlim()
    assert lo < 1 < hi and lo <= min(e.low for e in ests) and hi >= max(e.high for e in ests)
    assert any(list(line.get_xdata()) == [1, 1] for line in ax.get_lines()), "line of no effect at 1"
    for e in ests:
        assert f"{e.value:g}" in desc
    with pytest.raises(ValueError, match="does not contain"):
        figures.forest([figures.Estimate("x", 5, 1, 2)])
    with pytest.raises(ValueError, match="above 0"):
        figures.forest([figures.Estimate("x", 0)])


def test_bars_groups_log_scale_and_values_in_description() -> None:
    items = [("Zoledronate, osteoporosis", 5.0), ("Zoledronate, cancer", 65.2)]
    fig, desc = figures.bars(items, xlabel="Dose per year (mg, log scale)", log_x=True,
                             groups=["osteoporosis", "oncology"])
    _assert_sound(fig, desc, xunit="mg")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [p.get_width() for p in ax.patches] == [5.0, 65.2]
    assert "Zoledronate, cancer 65.2" in desc
    with pytest.raises(ValueError, match="one group per item"):
        figures.bars(items, xlabel="x (mg)", groups=["oncology"])
    with pytest.raises(ValueError, match="above 0 on a log scale"):
        figures.bars([("a", 0.0)], xlabel="x (mg)", log_x=True)


def test_evidence_grid_marks_and_counts() -> None:
    rows = ["Remodelling suppression", "Infection"]
    cols = ["Jaw, not long bones", "Bacteria in bone", "Denosumab cases"]
    marks = {("Remodelling suppression", "Jaw, not long bones"): "+",
             ("Remodelling suppression", "Denosumab cases"): "+",
             ("Infection", "Bacteria in bone"): "+",
             ("Infection", "Denosumab cases"): "?"}
    fig, desc = figures.evidence_grid(rows, cols, marks)
    _assert_sound(fig, desc)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Hypothesis"
    assert sorted(t.get_text() for t in ax.texts) == ["+", "+", "+", "?"]
    assert "Remodelling suppression explains 2 of 3" in desc and "Infection explains 1 of 3" in desc
    with pytest.raises(ValueError, match="unknown cell"):
        figures.evidence_grid(rows, cols, {("Genetics", "Bacteria in bone"): "+"})
    with pytest.raises(ValueError, match="must be"):
        figures.evidence_grid(rows, cols, {("Infection", "Bacteria in bone"): "yes"})


def test_show_releases_the_figure() -> None:
    fig, _ = figures.bars([("a", 1.0)], xlabel="x (mg)")
    assert plt.fignum_exists(fig.number)
    figures.show(fig)
    assert not plt.fignum_exists(fig.number)
