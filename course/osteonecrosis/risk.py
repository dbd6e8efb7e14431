"""MRONJ risk: cited ranges by drug and indication, risk factors, procedures, and a case assessment.

All numbers come from ``knowledge/risk.yaml``. A range is the envelope (lowest low, highest high) of the
published estimates its entry lists, so every figure lives in one place. Ranges teach an order of magnitude;
they are never a prediction for one person.

Choices documented here (and taught in the course):

- Indications map to three risk groups: ``low_dose`` (osteoporosis, Paget), ``oncology`` (bone metastases,
  multiple myeloma) and ``adjuvant`` (adjuvant breast-cancer regimens). ``other`` has no group: for a case,
  the group is inferred from the dose and interval of the medication when given (matching the drug
  catalogue's regimens); otherwise the case's range spans the drug's low-dose and oncology ranges.
- :func:`baseline_range` never invents a number. Where no drug-specific figure is verified, it returns a
  documented class or population range marked ``fallback`` (its basis says so); where there is none at all
  (for example sunitinib alone: case reports only) it raises :class:`RiskError` (a ``ValueError``) that names
  the problem.
- For a case, the overall range is the range of the highest-risk exposure (highest upper bound, then
  highest lower bound). Ranges of several drugs are not added: the sources do not say how risks combine,
  except for the combinations they report (bevacizumab with a bisphosphonate; sunitinib with zoledronate).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from . import DISCLAIMER, knowledge, rules, scope
from .cases import INDICATIONS, PROCEDURES, RISK_FACTORS, ROUTES, Case, Medication, drug_catalogue
from .results import Result

GROUPS: tuple[str, ...] = ("low_dose", "oncology", "adjuvant")
GROUP_LABELS = {
    "low_dose": "osteoporosis or other low-dose use",
    "oncology": "cancer (oncologic doses)",
    "adjuvant": "adjuvant breast-cancer therapy",
    "general_population": "no antiresorptive or antiangiogenic drug",
    "any": "any indication",
}
BISPHOSPHONATE_CLASSES = ("nitrogen_bisphosphonate", "non_nitrogen_bisphosphonate")


class RiskError(ValueError):
    """No cited risk figure for what was asked; the message is one line naming the problem."""


@dataclass(frozen=True)
class RiskRange:
    """A cited risk range in percent of patients (over the treatment periods studied, not per year)."""

    low_percent: float
    high_percent: float
    source: list[str]
    evidence: str
    basis: str
    id: str = ""
    fallback: bool = False

    def per_1000(self) -> tuple[float, float]:
        """The range as patients per 1000 (low, high)."""
        return (round(self.low_percent * 10, 6), round(self.high_percent * 10, 6))

    def as_fractions(self) -> tuple[float, float]:
        """The range as fractions of 1 (low, high)."""
        return (self.low_percent / 100, self.high_percent / 100)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "low_percent": self.low_percent,
            "high_percent": self.high_percent,
            "per_1000": list(self.per_1000()),
            "basis": self.basis,
            "fallback": self.fallback,
            "source": list(self.source),
            "evidence": self.evidence,
        }


# --------------------------------------------------------------------------------------------- data access
def _data() -> dict[str, Any]:
    return knowledge.load("risk")


@cache
def _estimates() -> dict[str, dict[str, Any]]:
    data = _data()
    return {e["id"]: e for e in [*data["estimates"], *data["combinations"]]}


def _keys(entry: dict[str, Any]) -> list[str]:
    return knowledge.source_keys(entry)


def _merge(*lists: list[str]) -> list[str]:
    return list(dict.fromkeys(k for lst in lists for k in lst))


def _drug_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _range_from_entry(entry: dict[str, Any]) -> RiskRange:
    est = _estimates()
    parts = [est[i] for i in entry["from"]]
    lows = [p["low_percent"] for p in parts]
    highs = [p["high_percent"] for p in parts]
    return RiskRange(
        low_percent=float(min(lows)),
        high_percent=float(max(highs)),
        source=_keys(entry),
        evidence=entry["evidence"],
        basis=" ".join(entry["basis"].split()),
        id=entry["id"],
        fallback=bool(entry.get("fallback", False)),
    )


def indication_group(indication: str) -> str:
    """The risk group of an indication: 'low_dose', 'oncology' or 'adjuvant'; RiskError otherwise."""
    mapping = _data()["indication_groups"]["map"]
    if indication in GROUPS:
        return indication
    if indication in mapping:
        return mapping[indication]
    if indication == "other":
        raise RiskError(
            "indication 'other' has no risk group: say osteoporosis, paget, bone_metastases, "
            "multiple_myeloma or adjuvant"
        )
    known = ", ".join([*INDICATIONS, *GROUPS])
    raise RiskError(f"unknown indication {indication!r} (known: {known})")


def _check_drug(drug: str) -> dict[str, Any]:
    cat = drug_catalogue()
    if drug not in cat:
        raise RiskError(f"unknown drug {drug!r} (known: {', '.join(sorted(cat))})")
    return cat[drug]


def baseline_range(drug: str, indication: str, route: str | None = None) -> RiskRange:
    """The course's cited MRONJ risk range for one drug in one indication (see the module docstring).

    ``indication`` is an indication of the case contract (``other`` excepted) or a group name
    (``oncology``, ``adjuvant``). ``route`` is checked against the drug catalogue when given.
    Raises :class:`RiskError` naming the problem for an unknown drug, indication or route, or when no
    figure is established for the combination asked.
    """
    info = _check_drug(drug)
    group = indication_group(indication)
    if route is not None:
        if route not in ROUTES:
            raise RiskError(f"unknown route {route!r} (known: {', '.join(ROUTES)})")
        routes = {r["route"] for r in info.get("regimens", [])}
        if routes and route not in routes:
            raise RiskError(
                f"{drug} is not given by the {route} route in the drug catalogue "
                f"(catalogue routes: {', '.join(sorted(routes))})"
            )
    for entry in _data()["ranges"]:
        if drug in _drug_list(entry["drugs"]) and entry["group"] in (group, "any"):
            return _range_from_entry(entry)
    # No range: explain why, from the estimates (e.g. case reports only).
    for est in _data()["estimates"]:
        if drug in _drug_list(est["drugs"]) and est["group"] in (group, "any") and est["low_percent"] is None:
            note = " ".join(est["note"].split())
            raise RiskError(f"no MRONJ risk figure for {drug} in {indication}: {note}")
    raise RiskError(f"no cited MRONJ risk figure for {drug} in {indication} ({GROUP_LABELS[group]})")


def no_exposure_range() -> RiskRange:
    """The range for people never exposed to an antiresorptive or antiangiogenic drug."""
    for entry in _data()["ranges"]:
        if entry["group"] == "general_population":
            return _range_from_entry(entry)
    raise RiskError("risk.yaml has no general-population range")  # pragma: no cover - data guard


def all_ranges() -> list[dict[str, Any]]:
    """Every (drug, group) pair with a range, for tables and widgets."""
    out = []
    for entry in _data()["ranges"]:
        if entry["group"] == "general_population":
            continue
        rng = _range_from_entry(entry)
        for drug in _drug_list(entry["drugs"]):
            out.append({"drug": drug, "group": entry["group"], **rng.to_dict()})
    return out


# ---------------------------------------------------------------------------------- effects and factors
def extraction_effect() -> dict[str, Any]:
    """The cited relative effect of a tooth extraction (three pooled estimates with 95% CIs), the
    counterpoint, and the absolute risk after extraction by group."""
    ext = _data()["extraction"]
    estimates = [
        {
            "id": e["id"],
            "measure": e["measure"],
            "point": e["point"],
            "ci_low": e["ci_low"],
            "ci_high": e["ci_high"],
            "source": _keys(e),
            "evidence": e["evidence"],
        }
        for e in ext["estimates"]
    ]
    counter = ext["counterpoint"]
    after = {
        e["group"]: {
            "id": e["id"],
            "low_percent": e["low_percent"],
            "high_percent": e["high_percent"],
            "per_1000": [e["low_percent"] * 10, e["high_percent"] * 10],
            "text": e["text"],
            "source": _keys(e),
            "evidence": e["evidence"],
        }
        for e in _data()["after_extraction"]
    }
    return {
        "text": " ".join(ext["text"].split()),
        "estimates": estimates,
        "simulation_estimate": ext["simulation_estimate"],
        "counterpoint": {"text": " ".join(counter["text"].split()), "source": _keys(counter),
                         "evidence": counter["evidence"]},
        "absolute_after_extraction": after,
        "source": _merge(_keys(ext), *[e["source"] for e in estimates], _keys(counter),
                         *[a["source"] for a in after.values()]),
        "evidence": ext["evidence"],
    }


def risk_factor_effects() -> dict[str, dict[str, Any]]:
    """For every risk factor name of the case contract: its effect (quantified or not) with sources."""
    out: dict[str, dict[str, Any]] = {}
    for e in _data()["risk_factors"]:
        item = {
            "id": e["id"],
            "quantified": bool(e["quantified"]),
            "text": " ".join(e["text"].split()),
            "modifiable": bool(e.get("modifiable", False)),
            "source": _keys(e),
            "evidence": e["evidence"],
        }
        if e.get("effect"):
            item["effect"] = dict(e["effect"])
        out[e["factor"]] = item
    missing = [f for f in RISK_FACTORS if f not in out]
    if missing:  # pragma: no cover - guarded by the tests
        raise RiskError(f"risk.yaml has no entry for risk factor(s): {', '.join(missing)}")
    return out


def procedure_effect(procedure: str | None) -> dict[str, Any] | None:
    """How a planned procedure relates to risk (None when no procedure is planned)."""
    if procedure is None:
        return None
    if procedure not in PROCEDURES:
        raise RiskError(f"unknown procedure {procedure!r} (known: {', '.join(PROCEDURES)})")
    for e in _data()["procedures"]:
        if e["procedure"] == procedure:
            out = {
                "procedure": procedure,
                "invasive": bool(e["invasive"]),
                "text": " ".join(e["text"].split()),
                "source": _keys(e),
                "evidence": e["evidence"],
            }
            if e.get("effect") == "extraction":
                out["relative_effect"] = extraction_effect()
            return out
    raise RiskError(f"risk.yaml has no entry for procedure {procedure!r}")  # pragma: no cover


def time_courses(group: str = "oncology") -> list[dict[str, Any]]:
    """Published cumulative incidence by years on treatment for a group."""
    return [
        {
            "id": t["id"],
            "text": " ".join(t["text"].split()),
            "measure": t.get("measure", "cumulative_incidence"),
            "points": t["points"],
            "source": _keys(t),
            "evidence": t["evidence"],
        }
        for t in _data()["time_courses"]
        if t["group"] == group
    ]


def side_by_side(group: str) -> list[dict[str, Any]]:
    """Ranges that disagree for a group ('low_dose' or 'oncology'), side by side: each comparison with its
    rows, every row labelled with its period (per year, cumulative or not stated) and its evidence; the
    unverified AAOMS 2022 rows say 'reported'. Never one of them as the answer."""
    estimates = {**_estimates(), **{e["id"]: e for e in _data()["unverified_estimates"]}}
    out = []
    for comp in _data()["comparisons"]:
        if comp["group"] != group:
            continue
        rows = []
        for rid in comp["rows"]:
            e = estimates[rid]
            rows.append({
                "id": rid,
                "low_percent": e["low_percent"],
                "high_percent": e["high_percent"],
                "measure": e.get("measure", "reported"),
                "period": " ".join(str(e.get("period", "not stated")).split()),
                "source": _keys(e),
                "evidence": e["evidence"],
                "reported_only": e["evidence"] == "unverified",
            })
        out.append({"id": comp["id"], "text": " ".join(comp["text"].split()), "rows": rows,
                    "standing": comp.get("standing", "current"), "source": _keys(comp),
                    "evidence": comp["evidence"]})
    return out


def unverified_estimates() -> list[dict[str, Any]]:
    """Figures recalled from AAOMS 2022 but not verified: shown as 'reported', never used in a range."""
    return [dict(e) for e in _data()["unverified_estimates"]]


# -------------------------------------------------------------------------------------- cohort parameters
def cohort_parameters(drug: str, indication: str) -> dict[str, Any]:
    """What a cohort simulation needs for one drug and indication: the baseline incidence range and the
    extraction relative effect, as fractions and ratios, with sources."""
    rng = baseline_range(drug, indication)
    group = indication_group(indication)
    ext = _data()["extraction"]
    sim = next(e for e in ext["estimates"] if e["id"] == ext["simulation_estimate"])
    after = next((e for e in _data()["after_extraction"] if e["group"] == group), None)
    return {
        "drug": drug,
        "indication": indication,
        "group": group,
        "baseline_incidence": {
            "low": rng.low_percent / 100,
            "high": rng.high_percent / 100,
            "period": "over the treatment periods studied (mostly 1 to 3+ years); not a yearly rate",
            "basis": rng.basis,
            "fallback": rng.fallback,
            "source": rng.source,
            "evidence": rng.evidence,
        },
        "extraction_relative_effect": {
            "measure": sim["measure"],
            "point": sim["point"],
            "low": sim["ci_low"],
            "high": sim["ci_high"],
            "note": (
                "95% confidence interval of the pooled crude relative risk; adjusted estimates are larger "
                "and even less precise, and one cohort found infected teeth, not extraction, to be the risk."
            ),
            "source": _keys(sim),
            "evidence": sim["evidence"],
        },
        "after_extraction": None if after is None else {
            "low": after["low_percent"] / 100,
            "high": after["high_percent"] / 100,
            "source": _keys(after),
            "evidence": after["evidence"],
        },
        "time_courses": time_courses(group) if group == "oncology" else [],
    }


# ----------------------------------------------------------------------------------------- case assessment
def _is_oral_bisphosphonate(med: Medication) -> bool:
    """A bisphosphonate taken by mouth (route: :func:`osteonecrosis.rules.route_of`)."""
    return drug_catalogue()[med.drug]["class"] in BISPHOSPHONATE_CLASSES and rules.route_of(med) == "oral"


def _given(case: Case) -> list[Medication]:
    return rules.drugs_given(case)


def _exposure_range(med: Medication, case: Case) -> tuple[RiskRange | None, str, str]:
    """(range or None, group used, note) for one medication of a case."""
    if case.indication != "other":
        group = indication_group(case.indication)
        try:
            return baseline_range(med.drug, group), group, ""
        except RiskError as exc:
            return None, group, str(exc)
    inferred = rules.risk_regimen_group(med)
    if inferred:
        try:
            rng = baseline_range(med.drug, inferred)
        except RiskError as exc:
            return None, inferred, str(exc)
        return rng, inferred, f"indication 'other': group inferred from the dose ({med.dose_mg:g} mg)"
    found = []
    for group in GROUPS:
        try:
            found.append(baseline_range(med.drug, group))
        except RiskError:
            continue
    if not found:
        return None, "unknown", f"no cited MRONJ risk figure for {med.drug} with indication 'other'"
    if med.dose_mg is None:
        why = "indication 'other' and no dose given"
    else:
        every = f" every {med.every_days:g} days" if med.every_days is not None else ""
        why = (f"indication 'other' and the dose given ({med.dose_mg:g} mg{every}) matches no regimen of the "
               "drug catalogue")
    span = RiskRange(
        low_percent=min(r.low_percent for r in found),
        high_percent=max(r.high_percent for r in found),
        source=_merge(*[r.source for r in found]),
        evidence=min((r.evidence for r in found), key=_evidence_rank),
        basis=f"{why}: the range spans every group's range for "
              f"{med.drug} ({'; '.join(r.id for r in found)})",
        id="span-" + med.drug,
        fallback=True,
    )
    return span, "unknown", f"{why}: range spans low-dose to oncology use"


_EVIDENCE_ORDER = ("unverified", "seed_claim", "case_report", "teaching_rule", "expert_opinion", "series",
                   "cohort", "label", "trial", "meta_analysis", "guideline")


def _evidence_rank(evidence: str) -> int:
    return _EVIDENCE_ORDER.index(evidence) if evidence in _EVIDENCE_ORDER else 0


def _combinations(given: list[Medication]) -> list[dict[str, Any]]:
    cat = drug_catalogue()
    names = {m.drug for m in given}
    classes = {cat[d]["class"] for d in names}
    out = []
    for c in _data()["combinations"]:
        if not set(c["drugs"]) & names:
            continue
        partners = set(c.get("with_drugs", [])) & names
        class_hit = set(c.get("with_class", [])) & classes
        if not (partners or class_hit):
            continue
        rng = RiskRange(
            low_percent=float(c["low_percent"]),
            high_percent=float(c["high_percent"]),
            source=_keys(c),
            evidence=c["evidence"],
            basis=" ".join(c["note"].split()),
            id=c["id"],
        )
        with_what = sorted(partners) or sorted(d for d in names if cat[d]["class"] in class_hit)
        out.append({"drugs": sorted(set(c["drugs"]) & names) + with_what, "range": rng})
    return out


def _denominator(high_percent: float) -> int:
    for denom in (100, 1000, 10_000, 100_000):
        if high_percent / 100 * denom >= 1:
            return denom
    return 1_000_000


def _count(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.2g}"


def patient_sentence(rng: RiskRange, who: str) -> str:
    """A plain-language sentence a patient could understand."""
    denom = _denominator(rng.high_percent)
    lo = rng.low_percent / 100 * denom
    hi = rng.high_percent / 100 * denom
    if rng.high_percent == 0:
        return (f"For {who}, the studies found no case of this jaw problem; that does not prove the risk is "
                "zero, so good dental care still matters.")
    span = f"about {_count(hi)}" if lo == hi else f"between {_count(lo)} and {_count(hi)}"
    return (f"Out of {denom:,} people {who}, {span} may develop an area of exposed, dying jawbone "
            "(osteonecrosis of the jaw). Most people never get it, and good dental care lowers the risk.")


def _who(case: Case, drug: str | None, group: str) -> str:
    if drug is None:
        return "who have never taken these medicines"
    name = drug_catalogue()[drug]["name"].lower()
    if group in ("any", "unknown"):
        return f"taking {name}"
    return f"taking {name} for {GROUP_LABELS[group]}"


@dataclass(frozen=True)
class RiskAssessment(Result):
    """The risk picture of a case, read by attribute (``a.overall``, ``a.patient_sentence``); ``to_dict()`` for
    JSON."""

    case: str | None
    indication: str
    group: str
    exposures: list[dict[str, Any]]
    combinations: list[dict[str, Any]]
    overall: dict[str, Any] | None
    overall_explanation: str
    per_1000: list[float] | None
    not_yet_given: list[dict[str, Any]]
    risk_factors: list[dict[str, Any]]
    planned_procedure: dict[str, Any] | None
    dose_and_duration: dict[str, Any]
    notes: list[str]
    side_by_side: list[dict[str, Any]]
    patient_sentence: str
    source: list[str]
    evidence: str | None
    disclaimer: str
    in_scope: bool = True
    out_of_scope: str | None = None


def _out_of_scope(case: Case, reason: str) -> RiskAssessment:
    """A case outside the engine's scope (osteonecrosis.scope): the one-line reason and no figure at all."""
    return RiskAssessment(
        case=case.id, indication=case.indication, group="out_of_scope",
        exposures=[{"drug": m.drug, "months": m.months, "current": m.current, "range": None}
                   for m in case.medications],
        combinations=[], overall=None, overall_explanation=reason, per_1000=None, not_yet_given=[],
        risk_factors=[], planned_procedure=None,
        dose_and_duration={"text": "Not assessed: outside the course's scope.", "source": list(scope.SOURCES),
                           "evidence": "teaching_rule"},
        notes=[reason], side_by_side=[],
        patient_sentence=("The course has no risk figure for this patient: its figures come from adults "
                          "treated for osteoporosis or cancer. Ask the specialist team that knows the patient."),
        source=list(scope.SOURCES), evidence=None, disclaimer=DISCLAIMER, in_scope=False, out_of_scope=reason,
    )


def assess(case: Case) -> RiskAssessment:
    """The risk picture of a case as JSON-able data: per-drug ranges, the overall range (highest-risk
    exposure), risk factors, the planned procedure, numbers per 1000, sources, evidence, a patient
    sentence and the disclaimer. A case outside the declared scope (:func:`osteonecrosis.scope.out_of_scope`:
    a child, an irradiated jaw, exposed bone without any drug) gets the one-line reason and no figure."""
    reason = scope.out_of_scope(case, "risk")
    if reason is not None:
        return _out_of_scope(case, reason)
    given = _given(case)
    cat = drug_catalogue()
    exposures = []
    candidates: list[tuple[RiskRange, str | None, str]] = []
    notes: list[str] = []
    for med in given:
        rng, group, note = _exposure_range(med, case)
        item: dict[str, Any] = {
            "drug": med.drug,
            "months": med.months,
            "current": med.current,
            "group": group,
            "range": None if rng is None else rng.to_dict(),
        }
        if note:
            item["note"] = note
        if not med.current and cat[med.drug]["class"] in BISPHOSPHONATE_CLASSES:
            item["stopped"] = "stopped, but bisphosphonates stay in bone for years: the exposure still counts"
        elif not med.current and med.drug == "denosumab":
            item["stopped"] = "stopped; denosumab's effect wears off within months of the last dose"
        exposures.append(item)
        if rng is not None:
            candidates.append((rng, med.drug, group))
    combos = _combinations(given)
    for c in combos:
        candidates.append((c["range"], " with ".join(c["drugs"]), "any"))
    groups_seen = {e["group"] for e in exposures if e["group"] not in ("any", "unknown")}
    if case.indication != "other":
        case_group = indication_group(case.indication)
    else:
        case_group = groups_seen.pop() if len(groups_seen) == 1 else "unknown"

    if not given:
        overall = no_exposure_range()
        overall_from = None
        group_used = "general_population"
        explanation = "No antiresorptive or antiangiogenic drug: the general-population figure applies."
    elif candidates:
        overall, overall_from, group_used = max(
            candidates, key=lambda c: (c[0].high_percent, c[0].low_percent)
        )
        if group_used == "any":
            group_used = case_group
        explanation = (
            f"The overall range is that of the highest-risk exposure ({overall_from}). Ranges of several "
            "drugs are not added: the sources do not say how they combine, except for the combinations "
            "they report."
        )
    else:
        overall = None
        overall_from = None
        group_used = "unknown"
        explanation = ("No cited rate exists for this exposure (case reports only): the risk is real but its "
                       "size is not established.")
    if case.jaw_radiotherapy:
        notes.append("Radiotherapy to the jaws: the main concern is osteoradionecrosis, which has its own "
                     "risk figures (see other_osteonecrosis).")

    factors = risk_factor_effects()
    present = [{"factor": f, **factors[f]} for f in case.risk_factors]
    procedure = procedure_effect(case.planned_procedure)
    if procedure is not None and "relative_effect" in procedure:
        after = procedure["relative_effect"]["absolute_after_extraction"].get(group_used)
        if after is not None:
            procedure["absolute_for_this_case"] = after
    planned = []
    for med in case.medications:
        if med.months == 0 and not med.current:
            rng, group, note = _exposure_range(med, case)
            planned.append({"drug": med.drug, "status": "listed but not yet given",
                            "range_once_started": None if rng is None else rng.to_dict(),
                            **({"note": note} if note else {})})
    exposure_facts = {e["id"]: e for e in _data()["exposure_factors"]}
    duration = exposure_facts["cumulative-dose-duration"]
    duration_item = {
        "text": " ".join(duration["text"].split()),
        "months_total": sum(m.months for m in given),
        "source": _keys(duration),
        "evidence": duration["evidence"],
    }
    if group_used == "oncology":
        duration_item["time_courses"] = time_courses("oncology")
    gradient = exposure_facts["oral-bp-duration"]
    oral_bp_months = sum(m.months for m in given if _is_oral_bisphosphonate(m))
    if oral_bp_months > 0:
        years = oral_bp_months / 12
        duration_item["oral_bisphosphonate_years"] = round(years, 2)
        duration_item["beyond_threshold"] = years >= gradient["threshold_years"]
        duration_item["gradient"] = {
            "text": " ".join(gradient["text"].split()),
            "threshold_years": gradient["threshold_years"],
            "source": _keys(gradient),
            "evidence": gradient["evidence"],
        }
        duration_item["source"] = _merge(duration_item["source"], _keys(gradient))

    drug_for_sentence = None
    if overall_from and overall_from in cat:
        drug_for_sentence = overall_from
    if overall is not None:
        who = _who(case, drug_for_sentence, group_used) if (drug_for_sentence or not given) else (
            f"taking {overall_from}")
        sentence = patient_sentence(overall, who)
    else:
        sentence = ("Your medicine has been linked with this jaw problem in a few reports, but how often it "
                    "happens is not known. Good dental care lowers the risk.")

    sources = _merge(
        *[e["range"]["source"] for e in exposures if e["range"]],
        *[c["range"].source for c in combos],
        *[p["range_once_started"]["source"] for p in planned if p["range_once_started"]],
        [] if overall is None else overall.source,
        *[p["source"] for p in present],
        [] if procedure is None else procedure["source"],
        duration_item["source"],
        ["rheumatologist_review", "antiangiogenic_reports"] if overall is None else [],
    )
    return RiskAssessment(**{
        "case": case.id,
        "indication": case.indication,
        "group": group_used,
        "exposures": exposures,
        "combinations": [{"drugs": c["drugs"], "range": c["range"].to_dict()} for c in combos],
        "overall": None if overall is None else {**overall.to_dict(), "from": overall_from,
                                                 "explanation": explanation},
        "overall_explanation": explanation,
        "per_1000": None if overall is None else list(overall.per_1000()),
        "not_yet_given": planned,
        "risk_factors": present,
        "planned_procedure": procedure,
        "dose_and_duration": duration_item,
        "notes": notes,
        "side_by_side": side_by_side(group_used) if group_used in ("low_dose", "oncology") else [],
        "patient_sentence": sentence,
        "source": sources,
        "evidence": None if overall is None else overall.evidence,
        "disclaimer": DISCLAIMER,
    })
