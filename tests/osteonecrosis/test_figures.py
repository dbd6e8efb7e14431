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
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"Oncology (cancer)", "Osteoporosis"}
    # the adjuvant row starts at 0%: drawn at the floor with a left-pointing marker and a footnote saying
    # so, never silently dropped
    assert any(line.get_marker() == "<" for line in ax.get_lines())
    assert "starts at 0" in fig.get_supxlabel()
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


# ------------------------------------------------------------------------------------------------ for clinicians
REGISTRY_KEYS = set(knowledge.references())


def _visible_texts(fig: Figure) -> list:
    """Every text drawn (tick labels of ticks outside the axis limits are not drawn, so not counted)."""
    fig.canvas.draw()
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 * abs(hi) <= tick.get_loc() <= hi * (1 + 1e-9) + 1e-12:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _assert_for_clinicians(fig: Figure, *, percent_axis: str | None = None) -> None:
    """No registry key in an axis label, tick or legend (keys go to the footnote); no power-of-ten tick;
    percent ticks end in '%'; no text outside the figure (clipped); no legend over a value label."""
    texts = _visible_texts(fig)
    footnote = fig.get_supxlabel() if fig._supxlabel is not None else ""
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for t in texts:
        words = set(t.get_text().replace(",", " ").replace("[", " ").replace("]", " ").split())
        if t.get_text() != footnote:
            assert not words & REGISTRY_KEYS, f"registry key in a label: {t.get_text()!r}"
            assert "[" not in t.get_text(), f"bracketed source in a label: {t.get_text()!r}"
        assert "10^" not in t.get_text() and "e-0" not in t.get_text() and "e+0" not in t.get_text(), \
            f"scientific notation: {t.get_text()!r}"
        ext = t.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, \
            f"text clipped at the figure's edge: {t.get_text()!r}"
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        lbox = legend.get_window_extent(renderer)
        for t in ax.texts:
            assert not lbox.overlaps(t.get_window_extent(renderer)), f"legend covers {t.get_text()!r}"
    if percent_axis is not None:
        ax = fig.axes[0]
        ticks = ax.get_xticklabels() if percent_axis == "x" else ax.get_yticklabels()
        shown = [t.get_text() for t in ticks if t.get_text()]
        assert shown and all(s.endswith("%") for s in shown), shown


def _notebook_03_rows() -> list[figures.RangeRow]:
    """The risk chart's rows as notebook 03 builds them: each label ends with its registry keys."""
    rows = []
    for e in knowledge.load("risk")["estimates"]:
        if e["low_percent"] is None or not e["high_percent"]:
            continue
        group = {"low_dose": "osteoporosis", "oncology": "oncology", "adjuvant": "oncology"}.get(e["group"], "other")
        rows.append(figures.RangeRow(f"{e['id']} [{', '.join(knowledge.source_keys(e))}]", e["low_percent"],
                                     e["high_percent"], group))
    return rows


def test_risk_chart_reads_in_percent_and_per_1000_with_sources_in_a_footnote() -> None:
    rows = _notebook_03_rows()
    assert any(r.low_percent == 0 for r in rows), "the fixture must hold a range that starts at 0"
    fig, desc = figures.incidence_ranges(rows)
    _assert_for_clinicians(fig, percent_axis="x")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == rows[0].label.split(" [")[0]
    top = [a for a in ax.child_axes if a.get_xlabel()]
    assert top and "per 1000" in top[0].get_xlabel()
    keys = {k for r in rows for k in figures.split_sources(r.label)[1]}
    assert all(k in fig.get_supxlabel() for k in keys)
    assert "sources:" in desc


def test_split_sources() -> None:
    assert figures.split_sources("Denosumab (cancer) [mascc2019]") == ("Denosumab (cancer)", ["mascc2019"])
    assert figures.split_sources("x [a_b, c2]") == ("x", ["a_b", "c2"])
    assert figures.split_sources("Stage [no]t a key") == ("Stage [no]t a key", [])


def test_bar_legend_never_covers_a_value_label_and_counts_have_integer_ticks() -> None:
    items = [("Alendronate 70 mg oral every 7 d", 3652.0), ("Denosumab 60 mg SC every 182 d", 120.0),
             ("Zoledronic acid 4 mg IV every 28 d", 52.0), ("Denosumab 120 mg SC every 28 d", 1565.0)]
    fig, _ = figures.bars(items, xlabel="Amount given per year (mg per year, log scale)", log_x=True,
                          groups=["osteoporosis", "osteoporosis", "oncology", "oncology"],
                          value_format="{:.0f} mg")
    _assert_for_clinicians(fig)
    fig, _ = figures.bars([("Stage 1", 1), ("Stage 2", 3)], xlabel="Library cases (number of patients)",
                          groups=["oncology", "osteoporosis"])
    _assert_for_clinicians(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert all("." not in t for t in ticks), ticks


def test_forest_and_time_course_ticks_are_plain_numbers() -> None:
    fig, _ = figures.forest([figures.Estimate("crude relative risk", 4.28, 1.73, 10.58, "RR"),
                             figures.Estimate("adjusted odds ratio [diagnostics2024]", 26.9, 4.17, 174.2, "OR")])
    _assert_for_clinicians(fig)
    assert "1" in [t.get_text() for t in fig.axes[0].get_xticklabels()]
    fig, _ = figures.time_course([figures.Curve("zoledronate [mascc2019]", [0, 365, 730], [0.01, 1.0, 2.0])],
                                 ylabel="Cumulative MRONJ incidence (% of patients)", log_y=True)
    _assert_for_clinicians(fig)
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "zoledronate"
    assert "mascc2019" in fig.get_supxlabel()


def test_percent_bars_tick_in_percent_and_stop_at_100() -> None:
    fig, _ = figures.bars([("Stage 2, surgery: success", 89.3), ("Conservative-first cohort: cured", 45.7)],
                          xlabel="Patients with the outcome named in each label (%)", value_format="{:g}%")
    _assert_for_clinicians(fig, percent_axis="x")
    ticks = [float(t.get_text().rstrip("%")) for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert max(ticks) == 100 and min(ticks) == 0
