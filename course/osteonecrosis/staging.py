"""MRONJ case definition and AAOMS 2022 staging, made exact for teaching (DESIGN.md section 4).

The thresholds and the lists of stage-3 features and nonspecific signs come from
``knowledge/staging.yaml``; the order of the rules is the one DESIGN.md gives:
exclusions first, then exposed bone, then the stage-3 features, then symptoms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import knowledge
from .cases import Case, exposure

STAGES: tuple[str, ...] = ("not_mronj", "at_risk", "0", "1", "2", "3")
STAGE_LABELS = {
    "not_mronj": "Not MRONJ",
    "at_risk": "At risk",
    "0": "Stage 0",
    "1": "Stage 1",
    "2": "Stage 2",
    "3": "Stage 3",
}


@dataclass(frozen=True)
class StageResult:
    stage: str
    reasons: list[str]
    source: list[str] = field(default_factory=list)
    evidence: str = "guideline"
    re_evaluate_after_weeks: float | None = None

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "label": self.label,
            "reasons": list(self.reasons),
            "source": list(self.source),
            "evidence": self.evidence,
        }
        if self.re_evaluate_after_weeks is not None:
            out["re_evaluate_after_weeks"] = self.re_evaluate_after_weeks
        return out


def _rules() -> dict[str, Any]:
    data = knowledge.load("staging")
    aaoms = data["aaoms2022"]
    return {
        "weeks": float(data["case_definition"]["persisting_more_than_weeks"]),
        "stage3": {f["finding"]: f["label"] for f in aaoms["stage3_features"]},
        "nonspecific": {s["sign"]: s["label"] for s in aaoms["nonspecific_signs"]},
    }


def stage(case: Case) -> StageResult:
    """Stage a case by the AAOMS 2022 case definition and stages; the reasons name what decided."""
    rules = _rules()
    weeks = rules["weeks"]
    f = case.findings
    src = ["aaoms2022"]
    exp = exposure(case)

    # 1. Exclusions: each one alone means the case definition is not met.
    exclusions = []
    if not (exp["antiresorptive"] or exp["antiangiogenic"]):
        exclusions.append("no antiresorptive or antiangiogenic drug, ever: the first criterion is not met")
    if case.jaw_radiotherapy:
        exclusions.append(
            "radiotherapy to the jaws: excluded from MRONJ (consider osteoradionecrosis)"
        )
    if case.jaw_metastasis:
        exclusions.append("metastatic disease to the jaws: excluded from MRONJ (consider metastasis)")
    if exclusions:
        return StageResult("not_mronj", exclusions, src)

    drugs = ", ".join(sorted({m.drug for m in case.medications if m.months > 0 or m.current}))
    exposure_reason = f"exposure to {drugs}"
    lesion = f.exposed_bone or f.fistula_probes_to_bone
    if lesion and f.weeks_persisting <= weeks:
        what = "exposed bone" if f.exposed_bone else "a fistula that probes to bone"
        return StageResult(
            "not_mronj",
            [
                f"{what} for {f.weeks_persisting:g} weeks, not more than {weeks:g}: the case definition is not "
                f"met yet; re-evaluate after {weeks:g} weeks"
            ],
            [*src, "course_teaching_rule"],
            evidence="teaching_rule",
            re_evaluate_after_weeks=weeks,
        )

    if not lesion:
        signs = [label for sign, label in rules["nonspecific"].items() if sign in f.nonspecific]
        if signs:
            return StageResult(
                "0",
                [exposure_reason, "no exposed bone or probing fistula",
                 "nonspecific sign(s): " + "; ".join(signs)],
                [*src, "ects2022"],
            )
        return StageResult(
            "at_risk",
            [exposure_reason, "no exposed bone or probing fistula", "no nonspecific sign"],
            [*src, "ects2022"],
        )

    what = "exposed bone" if f.exposed_bone else "a fistula that probes to bone"
    base = [exposure_reason, f"{what} for {f.weeks_persisting:g} weeks (more than {weeks:g})"]
    features = [label for key, label in rules["stage3"].items() if getattr(f, key)]
    if features:
        return StageResult("3", [*base, "stage-3 feature(s): " + "; ".join(features)], [*src, "aaoms2014"])
    if f.pain or f.infection:
        symptoms = [s for s, on in (("pain", f.pain), ("infection", f.infection)) if on]
        return StageResult("2", [*base, " and ".join(symptoms) + ", no stage-3 feature"], src)
    return StageResult("1", [*base, "no pain, no infection, no stage-3 feature"], src)


def stage_order(stage_code: str) -> int:
    """Position of a stage in severity order (not_mronj lowest)."""
    return STAGES.index(stage_code)
