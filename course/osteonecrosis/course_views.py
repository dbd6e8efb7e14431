"""What the course notebooks 00-03 and 07 compute above their checks, kept here so that the notebooks show only
what the primer (notebook 00) teaches: names, lists, dictionaries, if/else, small functions, for loops.

Each function is pure (data in, data or Markdown text out) and tested in tests/osteonecrosis/test_course_views.py;
the one
widget, :func:`orn_dose_explorer`, is a thin view over :func:`osteonecrosis.other_staging.orn_dose_flags`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from . import figures, knowledge, risk, tables
from .cases import drug_catalogue
from .vocabulary import RISK_GROUPS, drug_names

DAYS_PER_YEAR_FOR_PLOTS = 365.25  # the time axis of figures.time_course (years <-> days); not a dose year


def by_id(entries: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Knowledge entries keyed by their id."""
    return {e["id"]: e for e in entries}


def regimens() -> dict[str, dict[str, Any]]:
    """Every regimen of the drug catalogue, keyed by its id ('zoledronate-op-yearly' ...)."""
    out: dict[str, dict[str, Any]] = {}
    for drug in drug_catalogue().values():
        out.update(by_id(drug.get("regimens", [])))
    return out


def span(values: Sequence[float], unit: str = "") -> str:
    """'0.7–6.9' (with a unit when given) for a pair or list of numbers."""
    text = "–".join(f"{x:g}" for x in values)
    return f"{text} {unit}".strip()


# ---- notebook 02: hypotheses against observations --------------------------------------------------------

def hypothesis_names() -> dict[str, str]:
    """Hypothesis id -> name (knowledge/pathophysiology.yaml)."""
    return {h["id"]: h["name"] for h in knowledge.load("pathophysiology")["hypotheses"]}


def hypothesis_options(marks: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(name, id) for each hypothesis of ``marks``, in order (options of a selection widget)."""
    names = hypothesis_names()
    return [(names[h], h) for h in marks]


def evidence_marks(marks: dict[str, dict[str, str]]) -> dict[tuple[str, str], str]:
    """{(hypothesis name, observation): mark} for figures.evidence_grid, from {hypothesis id: {observation: mark}}."""
    names = hypothesis_names()
    return {(names[h], obs): m for h, row in marks.items() for obs, m in row.items()}


def explained(marks: dict[str, dict[str, str]], observations: Sequence[str], chosen: Iterable[str]) -> list[str]:
    """The observations that at least one chosen hypothesis explains ('+')."""
    chosen = list(chosen)
    return [obs for obs in observations if any(marks[h].get(obs) == "+" for h in chosen)]


def combination_report(marks: dict[str, dict[str, str]], observations: Sequence[str], chosen: Sequence[str]) -> str:
    """Two lines: how many observations the chosen hypotheses account for, and which are left."""
    got = explained(marks, observations, chosen)
    left = [obs for obs in observations if obs not in got]
    noun = "hypothesis" if len(chosen) == 1 else "hypotheses"
    return (f"{len(chosen)} {noun} chosen: {len(got)} of {len(observations)} observations accounted for.\n"
            f"Still unexplained: {', '.join(left) if left else 'none'}")


def smallest_full_combination(marks: dict[str, dict[str, str]], observations: Sequence[str]) -> int | None:
    """The smallest number of hypotheses that together explain every observation (None when none do)."""
    for n in range(1, len(marks) + 1):
        for combo in itertools.combinations(marks, n):
            if len(explained(marks, observations, combo)) == len(observations):
                return n
    return None


# ---- notebook 03: risk ---------------------------------------------------------------------------------

GROUP_COLOURS = {"low_dose": "osteoporosis", "oncology": "oncology", "adjuvant": "oncology"}
GROUP_WORDS = {"low_dose": "osteoporosis / low dose", "oncology": "cancer", "adjuvant": "adjuvant", "any": "any"}


def estimate_label(e: dict[str, Any]) -> str:
    """'Zoledronic acid (cancer, IV) [aaoms2022]' for a risk estimate."""
    names = drug_names()
    drugs = e["drugs"]
    if drugs == "antiresorptive":
        who = "antiresorptives"
    elif len(drugs) > 2:
        who = "bisphosphonates"
    else:
        who = " + ".join(names[d] for d in drugs)
    where = {"low_dose": "osteoporosis", "oncology": "cancer", "adjuvant": "adjuvant"}.get(e["group"], "any use")
    route = f", {e['route'].upper()}" if e.get("route") else ""
    return f"{who} ({where}{route}) [{', '.join(knowledge.source_keys(e))}]"


def incidence_rows() -> list[figures.RangeRow]:
    """The incidence ranges of risk.yaml as rows for figures.incidence_ranges (osteoporosis first, then by top)."""
    data = knowledge.load("risk")
    estimates = [e for e in data["estimates"]
                 if e["low_percent"] is not None and e["high_percent"] and e["group"] in (*GROUP_COLOURS, "any")]
    estimates.sort(key=lambda e: (e["group"] != "low_dose", e["high_percent"]))
    return [figures.RangeRow(estimate_label(e), e["low_percent"], e["high_percent"],
                             GROUP_COLOURS.get(e["group"], "other")) for e in estimates]


ALL = "all"


def risk_range_options() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The choices of the risk-range filter: (label, drug id) and (label, group id), each led by ('all ...', 'all')."""
    names = drug_names()
    ranges = risk.all_ranges()
    drugs = sorted({r["drug"] for r in ranges}, key=lambda d: names[d])
    groups = [g for g in GROUP_WORDS if any(r["group"] == g for r in ranges)]
    return ([("all drugs", ALL)] + [(names[d], d) for d in drugs],
            [("all groups", ALL)] + [(GROUP_WORDS[g], g) for g in groups])


def risk_range_table(drug: str = ALL, group: str = ALL) -> str:
    """A Markdown table of risk.all_ranges() for one drug and/or one group ('all': every one): drug, group,
    per cent, per 1000, sources. ValueError (one line) for a drug or group id the course does not hold."""
    drug_ids = [d for _, d in risk_range_options()[0]]
    group_ids = [g for _, g in risk_range_options()[1]]
    if drug not in drug_ids:
        raise ValueError(f"unknown drug id {drug!r}; choose one of {drug_ids}")
    if group not in group_ids:
        raise ValueError(f"unknown risk group {group!r}; choose one of {group_ids}")
    names = drug_names()
    rows = [r for r in risk.all_ranges() if drug in (ALL, r["drug"]) and group in (ALL, r["group"])]
    if not rows:
        return "*No published range for this drug in this group.*"
    lines = ["| drug | group | % of patients | per 1000 | fallback | sources · evidence |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {names[r['drug']]} | {GROUP_WORDS[r['group']]} | {r['low_percent']:g}–{r['high_percent']:g} "
                     f"| {span(r['per_1000'])} | {'yes' if r['fallback'] else ''} | {', '.join(r['source'])} · "
                     f"{r['evidence']} |")
    return "\n".join(lines)


def _markdown_view(controls: list[Any], render: Any) -> Any:
    """Controls above a Markdown result that ``render(*values)`` redraws whenever a control changes."""
    import ipywidgets as widgets
    import mistune  # nbconvert's Markdown renderer

    out = widgets.HTML()

    def _update(change: object = None) -> None:
        out.value = mistune.html(render(*(c.value for c in controls)))

    for c in controls:
        c.observe(_update, names="value")
    _update()
    return widgets.VBox([*controls, out])


def risk_range_filter(drug: str = "alendronate", group: str = ALL) -> Any:
    """Two dropdowns (drug, group) over :func:`risk_range_table`: one drug's ranges at a time, not 21 rows."""
    import ipywidgets as widgets

    risk_range_table(drug, group)  # refuses unknown ids before any widget is made
    drugs, groups = risk_range_options()
    return _markdown_view([widgets.Dropdown(options=drugs, value=drug, description="Drug"),
                           widgets.Dropdown(options=groups, value=group, description="Group")], risk_range_table)


def cumulative_incidence_curves(group: str = "oncology") -> list[figures.Curve]:
    """The cumulative-incidence time courses of a group as figure curves (time in days, 0 at the start)."""
    curves = []
    for course in risk.time_courses(group):
        if course["measure"] != "cumulative_incidence":
            continue
        for who, points in course["points"].items():
            days = [0.0] + [p["years"] * DAYS_PER_YEAR_FOR_PLOTS for p in points]
            values = [0.0] + [p["percent"] for p in points]
            curves.append(figures.Curve(f"{who.replace('_', ' ')} [{', '.join(course['source'])}]", days, values))
    return curves


FACTOR_CHOICES = {"modifiable": "the dental team can work on them", "fixed": "cannot be changed", ALL: "all factors"}


def risk_factor_table(which: str = ALL) -> str:
    """A Markdown table of the risk factors ('modifiable', 'fixed' or 'all', modifiable first), with effect,
    text and sources. ValueError (one line) for another choice."""
    if which not in FACTOR_CHOICES:
        raise ValueError(f"unknown choice {which!r}; choose one of {list(FACTOR_CHOICES)}")
    lines = ["| factor | modifiable | effect | what the sources say | sources · evidence |", "|---|---|---|---|---|"]
    effects = risk.risk_factor_effects()
    for factor, e in sorted(effects.items(), key=lambda kv: (not kv[1]["modifiable"], kv[0])):
        if which != ALL and e["modifiable"] != (which == "modifiable"):
            continue
        size = (f"{e['effect']['measure']} {e['effect'].get('point', '')}".strip() if e["quantified"]
                else "not established")
        flag = " *(reported, unverified)*" if e["evidence"] == "unverified" else ""
        lines.append(f"| {factor.replace('_', ' ')} | {'yes' if e['modifiable'] else 'no'} | {size} | "
                     f"{e['text']}{flag} | {', '.join(e['source'])} · {e['evidence']} |")
    return "\n".join(lines)


def risk_factor_filter(which: str = "modifiable") -> Any:
    """Buttons (modifiable, fixed, all) over :func:`risk_factor_table`."""
    import ipywidgets as widgets

    risk_factor_table(which)  # refuses an unknown choice before any widget is made
    options = [(f"{k}: {v}" if k != ALL else v, k) for k, v in FACTOR_CHOICES.items()]
    return _markdown_view([widgets.ToggleButtons(options=options, value=which, description="Show")],
                          risk_factor_table)


def modifiable_factors() -> list[str]:
    """The risk factors the dental team can work on, in words ('ill fitting denture' ...), sorted."""
    return sorted(f.replace("_", " ") for f, e in risk.risk_factor_effects().items() if e["modifiable"])


MEASURE_ABBREVIATIONS = {"crude relative risk": "RR", "adjusted odds ratio": "OR", "adjusted hazard ratio": "HR"}


def extraction_estimates() -> list[figures.Estimate]:
    """The three pooled estimates of the extraction effect, for figures.forest."""
    return [figures.Estimate(e["measure"], e["point"], e["ci_low"], e["ci_high"],
                             measure=MEASURE_ABBREVIATIONS.get(e["measure"], "ratio"))
            for e in risk.extraction_effect()["estimates"]]


def icon_array_pairs(cases: Sequence[tuple[str, str, str]]) -> list[tuple[str, float, float]]:
    """(label, low per 1000, high per 1000) for (label, drug, indication) triples, for figures.icon_arrays."""
    out = []
    for label, drug, indication in cases:
        low, high = risk.baseline_range(drug, indication).per_1000()
        out.append((label, low, high))
    return out


def risk_group_name(group: str) -> str:
    """The display name of a risk group id (vocabulary.RISK_GROUPS)."""
    return RISK_GROUPS.get(group, group)


# ---- notebook 07: osteoradionecrosis dose thresholds ------------------------------------------------------

def orn_flags_markdown(dmax: float, dmean: float, v60: float) -> str:
    """The published ORN dose thresholds a mandible dose plan crosses, as Markdown (one line each)."""
    from .other_staging import orn_dose_flags

    flags = orn_dose_flags(dmax, dmean, v60)
    if not flags:
        return "No published threshold crossed (the risk is lower, not zero)."
    return "\n".join(f"- **{f['flag']}**: {f['text']} *Sources:* {tables.sources(f)}" for f in flags)


def orn_dose_explorer(dmax: float = 66, dmean: float = 40, v60: float = 10) -> Any:
    """Three sliders (Dmax, Dmean, V60) and the thresholds they cross: a view over :func:`orn_flags_markdown`."""
    import ipywidgets as widgets

    sliders = [widgets.FloatSlider(value=dmax, min=0, max=80, step=1, description="Dmax (Gy)"),
               widgets.FloatSlider(value=dmean, min=0, max=80, step=1, description="Dmean (Gy)"),
               widgets.FloatSlider(value=v60, min=0, max=100, step=1, description="V60 (%)")]
    out = widgets.HTML()

    def _update(change: object = None) -> None:
        import mistune  # nbconvert's Markdown renderer

        out.value = mistune.html(orn_flags_markdown(*(s.value for s in sliders)))

    for s in sliders:
        s.observe(_update, names="value")
    _update()
    return widgets.VBox([*sliders, out])
