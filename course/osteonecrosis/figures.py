"""Plotting functions for the course notebooks.

Every function draws one figure with a colour-blind-safe palette (Okabe-Ito), labelled axes with units,
and returns ``(figure, description)``: the matplotlib Figure and a one-line text description of what it
shows, for screen readers and for reading without the plot (pass it to ``teaching.figure_description``).

The functions only draw: the numbers come from the knowledge base or the models, passed in by the caller.
Bad input raises ``ValueError`` with one line naming what is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter

# Okabe M, Ito K. Color Universal Design (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)
# Fixed colours (and marker shapes, so colour is never the only cue) for the two patient groups.
GROUP_STYLE: dict[str, tuple[str, str]] = {
    "osteoporosis": (OKABE_ITO["blue"], "o"),
    "oncology": (OKABE_ITO["vermillion"], "s"),
    "other": (OKABE_ITO["bluish_green"], "D"),
}
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")
# What the reader sees for each group (the keys stay the data's names).
GROUP_NAMES: dict[str, str] = {"osteoporosis": "Osteoporosis", "oncology": "Oncology (cancer)", "other": "Other"}
# Text sizes (points) a clinician can read on a projector: value labels, notes, titles.
VALUE_SIZE = 9
NOTE_SIZE = 9
TITLE_SIZE = 11
_SOURCES = re.compile(r"\s*\[([A-Za-z0-9_,\s-]+)\]\s*$")

FigureAndText = tuple[Figure, str]


@dataclass(frozen=True)
class Curve:
    """One line of a time-course plot: ``days`` on the x axis, ``values`` in the y unit of the plot."""

    label: str
    days: Sequence[float]
    values: Sequence[float]


@dataclass(frozen=True)
class RangeRow:
    """An incidence range in percent of patients, for one drug / indication / route."""

    label: str
    low_percent: float
    high_percent: float
    group: str = "other"  # osteoporosis | oncology | other
    note: str = ""


@dataclass(frozen=True)
class Estimate:
    """A ratio (relative risk, odds ratio, hazard ratio) with its 95% confidence interval."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    measure: str = "ratio"


def show(fig: Figure) -> None:
    """Display a figure here (in a notebook, above the description that follows) and release it."""
    from IPython.display import display

    display(fig)
    plt.close(fig)


def _new(width: float = 7.5, height: float = 4.0, ncols: int = 1, **kw) -> tuple[Figure, object]:
    fig, ax = plt.subplots(1, ncols, figsize=(width, height), layout="constrained", **kw)
    return fig, ax


def split_sources(label: str) -> tuple[str, list[str]]:
    """A label without a trailing registry-key group, and the keys: ``'Denosumab (cancer) [mascc2019]'`` ->
    ``('Denosumab (cancer)', ['mascc2019'])``. Figures show the plain label and put the keys in a footnote."""
    m = _SOURCES.search(label)
    if not m:
        return label, []
    return label[:m.start()].rstrip(), [k.strip() for k in m.group(1).split(",") if k.strip()]


def _plain_labels(labels: Sequence[str]) -> tuple[list[str], list[list[str]], list[str]]:
    """Plain labels, each label's keys, and all keys in order of first appearance."""
    plain, keys = [], []
    for label in labels:
        text, k = split_sources(label)
        plain.append(text)
        keys.append(k)
    return plain, keys, list(dict.fromkeys(k for ks in keys for k in ks))


def _footnote(fig: Figure, keys: Sequence[str], extra: Sequence[str] = ()) -> None:
    """Sources (registry keys, listed in the course bibliography) and notes under the figure."""
    lines = list(extra)
    if keys:
        lines.append("Sources (course bibliography): " + ", ".join(keys) + ".")
    if lines:
        fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize=NOTE_SIZE, color="#333333")


def _with_sources(text: str, keys: Sequence[str]) -> str:
    return f"{text} (source: {', '.join(keys)})" if keys else text


def _plain_number(x: float) -> str:
    """A tick value in plain decimals (0.001, 0.5, 20, 1000), never in powers of ten."""
    if x == 0:
        return "0"
    if abs(x) >= 1:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"
    digits = max(0, -math.floor(math.log10(abs(x))))
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")


def plain_log_axis(axis: object, unit: str = "") -> None:
    """Ticks of a log axis at 1, 2 and 5 times powers of ten, written as plain numbers with ``unit``
    (e.g. '%'), so that no tick reads 10^-3."""
    axis.set_major_locator(LogLocator(base=10, subs=(1.0,)))
    axis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: _plain_number(x) + unit))
    axis.set_minor_formatter(NullFormatter())


def _check_finite(values: Sequence[float], what: str) -> None:
    for v in values:
        if v is None or not math.isfinite(float(v)):
            raise ValueError(f"{what}: expected finite numbers, got {v!r}")


def time_course(curves: Sequence[Curve], *, ylabel: str, title: str = "", time_unit: str = "years",
                log_y: bool = False, events: Sequence[tuple[float, str]] = ()) -> FigureAndText:
    """Lines over time (x in ``years``, ``months`` or ``days``), e.g. skeletal bisphosphonate retention
    against denosumab serum level. ``events`` are (day, label) vertical markers, e.g. the last dose."""
    if not curves:
        raise ValueError("time_course: no curves given")
    scale = {"years": 365.25, "months": 365.25 / 12, "days": 1.0}.get(time_unit)
    if scale is None:
        raise ValueError(f"time_unit: expected years, months or days, got {time_unit!r}")
    fig, ax = _new()
    names, keys, all_keys = _plain_labels([c.label for c in curves])
    for i, c in enumerate(curves):
        if len(c.days) != len(c.values) or not len(c.days):
            raise ValueError(f"curve {c.label!r}: days and values must be non-empty and of equal length")
        _check_finite(c.values, f"curve {c.label!r}")
        ax.plot([d / scale for d in c.days], list(c.values), color=PALETTE[i % len(PALETTE)],
                linestyle=LINESTYLES[i % len(LINESTYLES)], linewidth=2.2, label=names[i])
    for day, text in events:
        ax.axvline(day / scale, color=OKABE_ITO["black"], linestyle=":", linewidth=1)
        ax.annotate(text, (day / scale, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    va="top", ha="right", fontsize=VALUE_SIZE)
    ax.set_xlabel(f"Time ({time_unit})")
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
        plain_log_axis(ax.yaxis, "%" if "%" in ylabel else "")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)
    _footnote(fig, all_keys)
    parts = []
    for c, name, k in zip(curves, names, keys, strict=True):
        values = [float(v) for v in c.values]
        peak = max(range(len(values)), key=values.__getitem__)
        parts.append(f"{_with_sources(name, k)} starts at {_num(values[0])}, peaks at {_num(values[peak])} "
                     f"at {c.days[peak] / scale:.2g} {time_unit} and ends at {_num(values[-1])} "
                     f"at {c.days[-1] / scale:.2g} {time_unit}")
    desc = f"Line chart of {ylabel} against time in {time_unit}: " + "; ".join(parts) + "."
    return fig, desc


def _num(x: float) -> str:
    """A value for a sentence: 3 significant figures, and 'almost 0' for tiny values."""
    return "almost 0" if abs(x) < 0.01 and x != 0 else f"{x:.3g}"


def incidence_ranges(rows: Sequence[RangeRow], *, title: str = "",
                     floor_percent: float = 0.001) -> FigureAndText:
    """Horizontal range bars of MRONJ incidence (percent of patients) on a log scale, one row per
    drug / indication / route, coloured and marked by group (osteoporosis vs oncology).

    A low bound of 0 cannot sit on a log axis: it is drawn at ``floor_percent`` with an arrow and the
    text '0' so that the reader is not misled."""
    if not rows:
        raise ValueError("incidence_ranges: no rows given")
    for r in rows:
        _check_finite([r.low_percent, r.high_percent], f"row {r.label!r}")
        if r.low_percent < 0 or r.high_percent < r.low_percent:
            raise ValueError(
                f"row {r.label!r}: expected 0 <= low <= high, got {r.low_percent}..{r.high_percent}")
        if r.high_percent <= 0:
            raise ValueError(f"row {r.label!r}: the high bound must be above 0 to sit on a log scale")
        if r.group not in GROUP_STYLE:
            raise ValueError(
                f"row {r.label!r}: group must be one of {', '.join(GROUP_STYLE)}, got {r.group!r}")
    labels, keys, all_keys = _plain_labels([r.label for r in rows])
    fig, ax = _new(8.0, 0.45 * len(rows) + 2.4)
    seen: set[str] = set()
    starts_at_zero = False
    for y, r in enumerate(reversed(rows)):
        colour, marker = GROUP_STYLE[r.group]
        low = max(r.low_percent, floor_percent)
        label = GROUP_NAMES[r.group] if r.group not in seen else None
        seen.add(r.group)
        ax.plot([low, r.high_percent], [y, y], color=colour, linewidth=6, alpha=0.55, solid_capstyle="butt")
        ax.plot([low, r.high_percent], [y, y], linestyle="none", marker=marker, color=colour, label=label)
        if r.low_percent < floor_percent:
            # 0 cannot sit on a log axis: a left-pointing triangle says 'the range goes on down to 0'.
            starts_at_zero = True
            ax.plot([floor_percent], [y], linestyle="none", marker="<", markersize=9, color=colour)
        text = (f"{r.low_percent:g}–{r.high_percent:g}%" if r.low_percent != r.high_percent
                else f"{r.high_percent:g}%")
        ax.annotate(text, (r.high_percent, y), xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize=VALUE_SIZE)
    ax.set_yticks(range(len(rows)), list(reversed(labels)))
    ax.set_xscale("log")
    hi = max(r.high_percent for r in rows)
    ax.set_xlim(floor_percent / 3, hi * 8)
    plain_log_axis(ax.xaxis, "%")
    ax.set_xlabel("MRONJ incidence (% of treated patients, log scale)")
    per_1000 = ax.secondary_xaxis("top", functions=(lambda p: p * 10, lambda k: k / 10))
    plain_log_axis(per_1000.xaxis)
    per_1000.set_xlabel("cases per 1000 treated patients")
    ax.grid(True, axis="x", which="major", alpha=0.3)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)
    _footnote(fig, all_keys, ["◀ the range starts at 0, which a log scale cannot show."] if starts_at_zero
              else [])
    by_group: dict[str, list[RangeRow]] = {}
    for r in rows:
        by_group.setdefault(r.group, []).append(r)
    parts = [f"{g}: {min(x.low_percent for x in rs):g}% to {max(x.high_percent for x in rs):g}% "
             f"({len(rs)} row{'s' if len(rs) > 1 else ''})" for g, rs in by_group.items()]
    if all_keys:
        parts.append("sources: " + "; ".join(f"{lab}: {', '.join(k)}" for lab, k in zip(labels, keys, strict=True)
                                            if k))
    desc = ("Range chart on a log scale of MRONJ incidence in percent of treated patients, by drug, "
            "indication and route; " + "; ".join(parts) + ".")
    return fig, desc


def icon_arrays(panels: Sequence[tuple[str, float, float]], *, total: int = 1000) -> FigureAndText:
    """Icon arrays for talking to patients: ``total`` people per panel, the low estimate filled dark and
    the rest of the range up to the high estimate filled light. Panels are (title, low, high) counted
    per ``total`` people."""
    if not panels:
        raise ValueError("icon_arrays: no panels given")
    if total <= 0:
        raise ValueError(f"total: expected a positive number of people, got {total!r}")
    for title, low, high in panels:
        _check_finite([low, high], f"panel {title!r}")
        if not 0 <= low <= high <= total:
            raise ValueError(f"panel {title!r}: expected 0 <= low <= high <= {total}, got {low}..{high}")
    cols = 40 if total >= 400 else 10
    rows = math.ceil(total / cols)
    fig, axes = _new(4.2 * len(panels), 3.4, ncols=len(panels), squeeze=False)
    dark, light, empty = OKABE_ITO["vermillion"], OKABE_ITO["orange"], "#D9D9D9"
    titles, _keys, all_keys = _plain_labels([t for t, _, _ in panels])
    for ax, title, (_t, low, high) in zip(axes[0], titles, panels, strict=True):
        n_low, n_high = round(low), round(high)
        xs, ys, colours = [], [], []
        for i in range(total):
            xs.append(i % cols)
            ys.append(rows - 1 - i // cols)
            colours.append(dark if i < n_low else light if i < n_high else empty)
        ax.scatter(xs, ys, c=colours, s=9, marker="s", linewidths=0)
        few = " (fewer than 1: no square filled)" if high < 1 else ""
        ax.set_title(f"{title}\n{_count_text(low, high)} in {total} people{few}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"each square = 1 person ({total} people)", fontsize=NOTE_SIZE)
        ax.set_aspect("equal")
        for side in ax.spines.values():
            side.set_visible(False)
    _footnote(fig, all_keys)
    desc = f"Icon arrays of {total} people each: " + "; ".join(
        f"{t}: {_count_text(lo, hi)} affected" for t, (_x, lo, hi) in zip(titles, panels, strict=True)) + "."
    return fig, desc


def _count_text(low: float, high: float) -> str:
    def fmt(x: float) -> str:
        return f"{x:.2g}" if x < 1 else f"{x:.3g}"
    return fmt(high) if low == high else f"{fmt(low)} to {fmt(high)}"


def forest(estimates: Sequence[Estimate], *, title: str = "", xlabel: str = "") -> FigureAndText:
    """A forest plot of ratios (RR, OR, HR) with 95% confidence intervals on a log scale, with the line
    of no effect at 1. Ratios above 1 mean more osteonecrosis with the exposure."""
    if not estimates:
        raise ValueError("forest: no estimates given")
    for e in estimates:
        _check_finite([e.value], f"estimate {e.label!r}")
        if e.value <= 0 or (e.low is not None and e.low <= 0) or (e.high is not None and e.high <= 0):
            raise ValueError(f"estimate {e.label!r}: ratios must be above 0 to sit on a log scale")
        if e.low is not None and e.high is not None and not e.low <= e.value <= e.high:
            raise ValueError(
                f"estimate {e.label!r}: the interval {e.low}..{e.high} does not contain {e.value}")
    labels, keys, all_keys = _plain_labels([e.label for e in estimates])
    fig, ax = _new(8.0, 0.55 * len(estimates) + 1.8)
    for y, e in enumerate(reversed(estimates)):
        colour = PALETTE[(len(estimates) - 1 - y) % len(PALETTE)]
        if e.low is not None and e.high is not None:
            ax.plot([e.low, e.high], [y, y], color=colour, linewidth=2)
        ax.plot([e.value], [y], marker="D", color=colour, markersize=7, linestyle="none")
        ci = f" ({e.low:g}–{e.high:g})" if e.low is not None and e.high is not None else ""
        ax.annotate(f"{e.measure} {e.value:g}{ci}", (e.high or e.value, y), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=VALUE_SIZE)
    ax.axvline(1, color=OKABE_ITO["black"], linewidth=1)
    ax.set_xscale("log")
    lows = [e.low or e.value for e in estimates]
    highs = [e.high or e.value for e in estimates]
    ax.set_xlim(min(min(lows), 1) / 2, max(max(highs), 1) * 8)
    plain_log_axis(ax.xaxis)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.set_yticks(range(len(estimates)), list(reversed(labels)))
    ax.set_xlabel(xlabel or "Ratio with 95% confidence interval (no unit; log scale; 1 = no difference)")
    ax.grid(True, axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)
    _footnote(fig, all_keys)
    desc = "Forest plot on a log scale, line of no effect at 1: " + "; ".join(
        f"{_with_sources(lab, k)}: {e.measure} {e.value:g}"
        + (f" (95% CI {e.low:g} to {e.high:g})" if e.low is not None and e.high is not None else "")
        for e, lab, k in zip(estimates, labels, keys, strict=True)) + "."
    return fig, desc


def bars(items: Sequence[tuple[str, float]], *, xlabel: str, title: str = "", log_x: bool = False,
         groups: Sequence[str] | None = None, value_format: str = "{:g}") -> FigureAndText:
    """Horizontal bars, one per (label, value); ``xlabel`` names the quantity and its unit. ``groups``
    (optional, one per item) colours the bars by group and adds a legend."""
    if not items:
        raise ValueError("bars: no items given")
    _check_finite([v for _, v in items], "bars")
    if log_x and any(v <= 0 for _, v in items):
        raise ValueError("bars: values must be above 0 on a log scale")
    if groups is not None and len(groups) != len(items):
        raise ValueError("bars: give one group per item")
    labels, keys, all_keys = _plain_labels([label for label, _ in items])
    fig, ax = _new(8.0, 0.42 * len(items) + 1.9)
    names = list(dict.fromkeys(groups)) if groups else []
    hatches = ("", "//", "..", "xx")
    seen: set[str] = set()
    for y, (i, (_label, value)) in zip(range(len(items) - 1, -1, -1), enumerate(items), strict=True):
        g = groups[i] if groups else None
        k = names.index(g) if g is not None else 0
        colour = GROUP_STYLE[g][0] if g in GROUP_STYLE else PALETTE[k % len(PALETTE)]
        ax.barh(y, value, color=colour, hatch=hatches[k % len(hatches)], edgecolor="white",
                label=GROUP_NAMES.get(g, g) if g is not None and g not in seen else None)
        if g is not None:
            seen.add(g)
        ax.annotate(value_format.format(value), (value, y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=VALUE_SIZE)
    ax.set_yticks(range(len(items)), list(reversed(labels)))
    values = [v for _, v in items]
    if log_x:
        ax.set_xscale("log")
        ax.set_xlim(min(values) / 2, max(values) * 8)
        plain_log_axis(ax.xaxis, "%" if "%" in xlabel else "")
    else:
        ax.set_xlim(0, max(max(values), 0) * 1.25 or 1)
        if "%" in xlabel and 0 <= min(values) and max(values) <= 100:
            # Shares of patients: ticks in percent and none beyond 100% (the room on the right is for labels).
            ax.xaxis.set_major_locator(FixedLocator([t for t in MaxNLocator(6).tick_values(0, 100) if t <= 100]))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:g}%"))
        elif all(float(v).is_integer() for v in values):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of patients: no 0.5 ticks
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="x", alpha=0.3)
    if groups:
        # Above the bars, where it can cover no bar and no value label.
        ax.legend(frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(names),
                  borderaxespad=0.2)
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE, pad=24 if groups else 6)
    _footnote(fig, all_keys)
    desc = (f"Bar chart of {xlabel}: "
            + "; ".join(f"{_with_sources(lab, k)} {value_format.format(v)}"
                        for lab, k, (_l, v) in zip(labels, keys, items, strict=True)) + ".")
    return fig, desc


def evidence_grid(rows: Sequence[str], columns: Sequence[str], marks: dict[tuple[str, str], str], *,
                  title: str = "", xlabel: str = "", ylabel: str = "") -> FigureAndText:
    """A grid of hypotheses (rows) against observations (columns). ``marks`` maps (row, column) to
    '+' (the observation supports the hypothesis), '-' (it argues against) or '?' (unclear); blank
    cells mean the hypothesis says nothing about it. Symbols are drawn as text, so colour is a second cue."""
    if not rows or not columns:
        raise ValueError("evidence_grid: give at least one row and one column")
    style = {"+": (OKABE_ITO["bluish_green"], "supports"), "-": (OKABE_ITO["vermillion"], "argues against"),
             "?": (OKABE_ITO["orange"], "unclear")}
    for (r, c), m in marks.items():
        if r not in rows or c not in columns:
            raise ValueError(f"evidence_grid: mark for unknown cell ({r!r}, {c!r})")
        if m not in style:
            raise ValueError(f"evidence_grid: mark for ({r!r}, {c!r}) must be '+', '-' or '?', got {m!r}")
    fig, ax = _new(1.3 * len(columns) + 3.2, 0.55 * len(rows) + 2.0)
    for (r, c), m in marks.items():
        x, y = list(columns).index(c), len(rows) - 1 - list(rows).index(r)
        colour, _ = style[m]
        ax.add_patch(plt.Rectangle((x - 0.45, y - 0.4), 0.9, 0.8, color=colour, alpha=0.35, linewidth=0))
        ax.text(x, y, "−" if m == "-" else m, ha="center", va="center", fontsize=14, fontweight="bold")
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.set_xticks(range(len(columns)), list(columns), rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), list(reversed(rows)))
    ax.set_xlabel(xlabel or "Observation (clinical or laboratory finding)")
    ax.set_ylabel(ylabel or "Hypothesis")
    handles = [plt.Rectangle((0, 0), 1, 1, color=col, alpha=0.35) for col, _ in style.values()]
    ax.legend(handles, [f"{k} {name}" for k, (_, name) in style.items()], frameon=False,
              loc="upper left", bbox_to_anchor=(1.01, 1))
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)
    per_row = []
    for r in rows:
        sup = sum(1 for c in columns if marks.get((r, c)) == "+")
        per_row.append(f"{r} explains {sup} of {len(columns)}")
    desc = ("Grid of hypotheses against observations (+ supports, − argues against, ? unclear): "
            + "; ".join(per_row) + ".")
    return fig, desc
