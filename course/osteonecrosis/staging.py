"""MRONJ case definition and AAOMS 2022 staging, made exact for teaching (docs/case_contract.md).

The thresholds, the stage-3 features and the nonspecific signs come from ``knowledge/staging.yaml``
through :mod:`osteonecrosis.rules` (the one home of each rule); the order of the rules is the one
``docs/case_contract.md`` gives: exclusions first, then exposed bone, then the stage-3 features, then symptoms.
A result's ``warnings`` carry the safety rules (numb-chin work-up; the 8-week window never defers treating a
fracture, fistula or infection); they never change the stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import rules
from .cases import Case

STAGES: tuple[str, ...] = ("not_mronj", "at_risk", "0", "1", "2", "3")
STAGE_LABELS = {
    "not_mronj": "Not MRONJ",
    "at_risk": "At risk",
    "0": "Stage 0",
    "1": "Stage 1",
    "2": "Stage 2",
    "3": "Stage 3",
}
SUSPECTED_LABEL = "Suspected MRONJ (does not yet meet the 8-week definition)"


@dataclass(frozen=True)
class StageResult:
    stage: str
    reasons: list[str]
    source: list[str] = field(default_factory=list)
    evidence: str = "guideline"
    re_evaluate_after_weeks: float | None = None
    warnings: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    stage_if_antiangiogenic_counts: str | None = None

    @property
    def suspected(self) -> bool:
        """Exposed bone or a probing fistula inside the 8-week window (and no other exclusion): suspected MRONJ."""
        return self.exclusions == ["short_exposure"]

    @property
    def label(self) -> str:
        return SUSPECTED_LABEL if self.suspected else STAGE_LABELS[self.stage]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "label": self.label,
            "reasons": list(self.reasons),
            "source": list(self.source),
            "evidence": self.evidence,
            "warnings": list(self.warnings),
        }
        if self.exclusions:
            out["exclusions"] = list(self.exclusions)
        if self.re_evaluate_after_weeks is not None:
            out["re_evaluate_after_weeks"] = self.re_evaluate_after_weeks
        if self.suspected:
            out["suspected"] = True
        if self.stage_if_antiangiogenic_counts is not None:
            out["stage_if_antiangiogenic_counts"] = self.stage_if_antiangiogenic_counts
        return out


def stage(case: Case, antiangiogenic_counts: bool = False) -> StageResult:
    """Stage a case by the AAOMS 2022 case definition and stages; the reasons name what decided, the
    warnings the safety rules that apply (numb-chin work-up, complications the 8-week window never defers).

    ``antiangiogenic_counts=True`` reads criterion 1 as AAOMS 2014 and MASCC/ISOO/ASCO 2019 word it (an
    antiangiogenic drug alone counts); an antiangiogenic-only case staged by AAOMS 2022 carries that reading's
    stage in ``stage_if_antiangiogenic_counts``."""
    weeks = rules.persisting_weeks_threshold()
    f = case.findings
    src = ["aaoms2022"]
    warnings: list[str] = []
    numb = rules.numb_chin(case)
    if numb:
        warnings.append(numb)
        src_numb = ["laurencet2000"]
    else:
        src_numb = []

    # 1. Exclusions: each one alone means the case definition is not met.
    excluded = rules.exclusions(case)
    if antiangiogenic_counts:
        excluded = [e for e in excluded if e.code != "antiangiogenic_only"]
    if excluded:
        sources = list(dict.fromkeys(k for e in excluded for k in e.source))
        older = None
        if [e.code for e in excluded] == ["antiangiogenic_only"]:
            older = stage(case, antiangiogenic_counts=True).stage
        reasons = [e.reason for e in excluded]
        if older is not None:
            reasons.append(f"under the AAOMS 2014 and MASCC/ISOO/ASCO 2019 wording this case would be "
                           f"{STAGE_LABELS[older] if older != 'not_mronj' else 'not yet MRONJ'}; it is managed "
                           "and prevented as MRONJ either way")
        return StageResult("not_mronj", reasons, [*sources, *src_numb],
                           warnings=warnings, exclusions=[e.code for e in excluded],
                           stage_if_antiangiogenic_counts=older)

    drugs = ", ".join(sorted({m.drug for m in rules.drugs_given(case)}))
    exposure_reason = f"exposure to {drugs}"
    lesion = rules.has_lesion(f)
    what = rules.lesion_kind(f)
    if lesion and f.weeks_persisting <= weeks:
        return StageResult(
            "not_mronj",
            [
                f"suspected MRONJ: {what} for {f.weeks_persisting:g} weeks, not more than {weeks:g}: it does not "
                f"yet meet the 8-week definition; treat infection and pain now, refer, and re-examine "
                f"(re-evaluate after {weeks:g} weeks)",
                "the 8-week window never defers treating a fracture, fistula or infection",
            ],
            [*src, "course_teaching_rule", *src_numb],
            evidence="teaching_rule",
            re_evaluate_after_weeks=weeks,
            warnings=[*warnings, rules.window_warning(f)],
            exclusions=["short_exposure"],
        )

    if not lesion:
        signs = rules.nonexposed_findings(f)
        if signs:
            reasons = [exposure_reason, "no exposed bone or probing fistula",
                       "nonspecific symptom(s) or clinical or radiographic finding(s): " + "; ".join(signs)]
            if numb:
                reasons.append("altered sensation with a known cancer: metastasis work-up (imaging) before "
                               "calling it stage 0")
            treat_now = rules.stage0_warning(f)
            extra = [treat_now] if treat_now else []
            return StageResult("0", reasons, [*src, "ects2022", *src_numb], warnings=[*warnings, *extra])
        return StageResult(
            "at_risk",
            [exposure_reason, "no exposed bone or probing fistula",
             "no nonspecific symptom and no clinical or radiographic finding"],
            [*src, "ects2022"],
            warnings=warnings,
        )

    base = [exposure_reason, f"{what} for {f.weeks_persisting:g} weeks (more than {weeks:g})"]
    features = rules.stage3_features(f)
    if features:
        if f.pain and f.infection:
            wording = ("with pain and infection plus a stage-3 feature: stage 3 exactly as AAOMS words it")
            extra_src: list[str] = []
        else:
            wording = ("AAOMS words stage 3 as exposed bone with pain and infection plus a stage-3 feature; here "
                       "pain and infection are not both present, so stage 3 comes from the course's teaching "
                       "rule that a stage-3 feature decides whatever the symptoms")
            extra_src = ["course_teaching_rule"]
        return StageResult("3", [*base, "stage-3 feature(s): " + "; ".join(features), wording],
                           [*src, "aaoms2014", *extra_src, *src_numb], warnings=warnings)
    if f.pain or f.infection:
        symptoms = [s for s, on in (("pain", f.pain), ("infection", f.infection)) if on]
        return StageResult("2", [*base, " and ".join(symptoms) + ", no stage-3 feature"], [*src, *src_numb],
                           warnings=warnings)
    return StageResult("1", [*base, "no pain, no infection, no stage-3 feature"], [*src, *src_numb],
                       warnings=warnings)


def stage_order(stage_code: str) -> int:
    """Position of a stage in severity order (not_mronj lowest)."""
    return STAGES.index(stage_code)
