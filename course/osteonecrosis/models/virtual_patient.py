"""Virtual patient: a seeded timeline simulator in weeks, with decisions, guideline advice and a debrief.

The student takes one decision at a time (screening, extractions before therapy, timing a procedure against
the dosing schedule, a drug holiday and who decides it, rinses, antibiotics, technique, HBO, surgery ...).
The simulator advances time, draws outcomes from cited probabilities with ``numpy.random.default_rng(seed)``
(the same seed and the same decisions give the same story), stages the patient with
:func:`osteonecrosis.staging.stage` after every step, and says what the guidelines advise about the decision
and which source says so (the advice is read from ``management.yaml`` and ``prevention.yaml``). Whether an
extraction on therapy is advised comes from the plan's own rule, :func:`osteonecrosis.rules.elective_surgery_rule`
(the verdict per advice: :data:`EXTRACTION_VERDICTS`), so the simulator and the plan never disagree.

Where the numbers come from (``simulation.yaml`` and ``risk.yaml``):

- chance of a lesion after an extraction on therapy: drawn once per patient, uniformly within the cited
  absolute risk after extraction for the patient's group (oncology 1.6-14.8%, osteoporosis 0-0.15%);
- background chance without an extraction: the cited cumulative incidence range for the drug and indication,
  spread evenly over 3 years as a constant weekly chance (teaching simplification);
- an extraction before the first dose carries no MRONJ risk (no drug exposure yet: case definition);
- cure with conservative care: the cited conservative-first cumulative cure curve (25.8/50.8/72.4% at
  12/36/60 months); teriparatide multiplies its odds by the Sim 2020 odds ratio (45.4% vs 33.3% at 52 weeks);
- surgery: an outcome is drawn only from a figure whose study matches the operation AND the stage: the
  stage-II surgical figure (89.3% 'success' at 6 months) for a debridement or sequestrectomy at stage 2.
  Everywhere else (stages 1 and 3, and every resection: the pooled 72% is 'improvement' over all stages)
  no dice is rolled and the advice says there are no outcome data; the two figures are never compared.
  'In line' follows the stage's AAOMS 2022 entry (resection only at stage 3). L-PRF multiplies the odds
  of a drawn outcome by the Ramos 2025 point estimates (92% vs 83%, not significant); HBO has no effect
  on healing (one RCT, no significant difference);
- rinses, prophylactic antibiotics, atraumatic technique, drug holidays and the 'Wonder' rinse change no
  probability: the course's evidence map holds no effect size for them, and the advice says so;
- teaching assumptions, flagged on screen: the chance of a hidden tooth problem, of symptoms at onset, and of
  progression of an untreated lesion every 8 weeks.

A teaching model, not a clinical predictor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from .. import knowledge, risk, rules, staging
from ..cases import Case, Findings, Medication, drug_catalogue
from .parameters import ModelInputError, all_parameters, param, value
from .pharmacokinetics import Regimen, regimens

HORIZON_WEEKS = 156
WEEKS_PER_MONTH = 52.0 / 12.0
STAGE_LEVELS: dict[str, float] = {
    "before_therapy": -1.0, "at_risk": 0.0, "0": 1.0, "not_mronj": 1.5, "1": 2.0, "2": 3.0, "3": 4.0,
}
STAGE_NAMES: dict[str, str] = {
    "before_therapy": "Before therapy", "at_risk": "At risk", "0": "Stage 0",
    "not_mronj": "Exposed bone, 8 weeks or less", "1": "Stage 1", "2": "Stage 2", "3": "Stage 3",
}
VERDICTS: dict[str, str] = {
    "in_line": "In line with the guidelines",
    "not_advised": "Not what the guidelines advise",
    "no_evidence": "No evidence either way (the guidelines say the evidence is insufficient)",
    "guidelines_differ": "The guidelines differ: see both positions",
    "seed_claim": "A seed-text claim that no MRONJ guideline supports",
    "neutral": "A reasonable step; no guideline speaks to it",
}


@dataclass(frozen=True)
class Advice:
    verdict: str
    says: list[str]
    sources: list[str]
    evidence: list[str]
    entries: list[str]

    def text(self) -> str:
        return " ".join(self.says)


@dataclass(frozen=True)
class Step:
    week: int
    action: str
    label: str
    outcome: str
    advice: Advice
    stage: str
    warnings: tuple[str, ...] = ()      # safety rules now (numb-chin work-up; treat complications now)


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    weeks: int
    phases: tuple[str, ...]


ACTIONS: dict[str, Action] = {a.id: a for a in (
    Action("screening", "Dental screening (clinical and radiographic)", 1, ("pre", "on")),
    Action("extract_before_therapy", "Extract the problem tooth before the first dose", 0, ("pre",)),
    Action("start_therapy", "Start the drug", 0, ("pre",)),
    Action("extract_now", "Extract the tooth now, on therapy", 2, ("on",)),
    Action("extract_timed", "Extract at the end of the dosing interval; delay the next dose until healed",
           2, ("on",)),
    Action("technique", "Plan an atraumatic extraction with primary closure", 0, ("on", "pre")),
    Action("antibiotic_prophylaxis", "Antibiotic cover for the extraction", 0, ("on",)),
    Action("chlorhexidine", "Antiseptic (chlorhexidine) rinse", 0, ("on", "lesion")),
    Action("holiday_prescriber", "Ask the prescriber to consider a drug holiday", 0, ("on", "lesion")),
    Action("holiday_dentist", "Stop the drug yourself (the dentist decides)", 0, ("on", "lesion")),
    Action("resume_therapy", "Resume the drug", 0, ("on", "lesion")),
    Action("wait", "Review in 8 weeks", 8, ("on", "lesion")),
    Action("conservative", "Conservative care: rinse, antibiotics if infected, pain control, 3-monthly review",
           12, ("lesion",)),
    Action("debridement", "Debridement", 12, ("lesion",)),
    Action("sequestrectomy", "Sequestrectomy", 12, ("lesion",)),
    Action("resection", "Resection (for example marginal mandibulectomy)", 12, ("lesion",)),
    Action("lprf", "Add L-PRF to the next operation", 0, ("lesion",)),
    Action("hbo", "Hyperbaric oxygen (40 sessions)", 4, ("lesion",)),
    Action("teriparatide", "Teriparatide 20 micrograms a day for 8 weeks", 8, ("lesion",)),
    Action("wonder_rinse", "'Wonder' rinse with tetracycline (seed text)", 0, ("lesion",)),
)}


def _entry(name: str, entry_id: str) -> dict[str, Any]:
    return knowledge.find(entry_id, name)


def _says(entry: dict[str, Any]) -> str:
    for key in ("action", "text", "guidelines", "audit"):
        if entry.get(key):
            return " ".join(str(entry[key]).split())
    return ""


def advice(verdict: str, *refs: tuple[str, str], extra: list[str] | None = None) -> Advice:
    """Build advice from knowledge entries (file, id): their text, sources and evidence."""
    says, sources, evidence, ids = [], [], [], []
    for name, entry_id in refs:
        e = _entry(name, entry_id)
        text = _says(e)
        guideline = e.get("guideline")
        if e.get("standing") == "superseded":
            text = f"History (superseded by {', '.join(knowledge.standing_detail(entry_id)['superseded_by'])}): {text}"
        elif e.get("standing") == "contested":
            text = f"Contested: {text}"
        says.append(f"{guideline.upper()}: {text}" if guideline else text)
        for k in knowledge.source_keys(e):
            if k not in sources:
                sources.append(k)
        evidence.append(str(e.get("evidence")))
        ids.append(entry_id)
    return Advice(verdict, [*says, *(extra or [])], sources, evidence, ids)


def _odds_multiply(p: float, ratio: float) -> float:
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    o = p / (1 - p) * ratio
    return o / (1 + o)


def _odds_ratio(entry_id: str) -> float:
    raw = param(entry_id).raw
    t, c = float(raw["treated"]), float(raw["control"])
    return (t / (1 - t)) / (c / (1 - c))


def _cure_cdf(months: float) -> float:
    pts = param("cohort-conservative-cure").raw["points"]
    xs = [0.0, *[p["months"] for p in pts]]
    ys = [0.0, *[p["percent"] / 100 for p in pts]]
    return float(np.interp(months, xs, ys))


def default_regimen(drug: str, indication: str) -> Regimen | None:
    """The catalogue regimen of a drug for an indication (None for drugs without a regimen list here)."""
    regs = regimens(drug)
    for r in regs:
        if r.indication == indication:
            return r
    return regs[0] if regs else None


@dataclass
class VirtualPatient:
    """One virtual patient. Build with :func:`from_case` or :func:`new_patient`; then call :meth:`decide`."""

    indication: str
    drug: str
    seed: int = 0
    weeks_on_drug: float = 0.0
    case_id: str | None = None
    planned_extraction: bool = False
    risk_factors: tuple[str, ...] = ()
    current: bool = True
    medical_history: tuple[str, ...] = ()
    jaw_radiotherapy: bool = False
    week: int = 0
    on_therapy: bool = False
    holiday: bool = False
    need: str = "none"          # none | hidden | known | treated
    findings: Findings = field(default_factory=Findings)
    care: str = "none"          # none | conservative
    care_weeks: float = 0.0
    teriparatide: bool = False
    lprf_next: bool = False
    technique_next: bool = False
    antibiotics_next: bool = False
    resolved: int = 0
    steps: list[Step] = field(default_factory=list)
    history: list[tuple[int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        cat = drug_catalogue()
        if self.drug not in cat:
            raise ModelInputError(f"drug: unknown drug {self.drug!r}")
        try:
            params = risk.cohort_parameters(self.drug, self.indication)
        except risk.RiskError as exc:
            raise ModelInputError(str(exc)) from None
        self.group = params["group"]
        self.regimen = default_regimen(self.drug, self.indication)
        self.rng = np.random.default_rng(self.seed)
        base = params["baseline_incidence"]
        after = params["after_extraction"] or {"low": base["low"], "high": base["high"]}
        self.p_background = float(self.rng.uniform(base["low"], base["high"]))
        self.p_extraction = float(self.rng.uniform(after["low"], after["high"]))
        weeks = value("vp-background-horizon") * 52.0
        self.weekly_hazard = 1.0 - (1.0 - self.p_background) ** (1.0 / weeks)
        hidden = self.rng.random() < value("vp-dental-need")
        if self.planned_extraction:
            self.need = "known"
        elif hidden:
            self.need = "hidden"
        self.on_therapy = self.weeks_on_drug > 0 and self.current
        self.history = [(0, self.stage_code())]

    # ------------------------------------------------------------------ state
    @property
    def lesion(self) -> bool:
        return self.findings.exposed_bone

    @property
    def phase(self) -> str:
        if not self.on_therapy and self.weeks_on_drug == 0:
            return "pre"
        return "lesion" if self.lesion else "on"

    @property
    def finished(self) -> bool:
        return self.week >= HORIZON_WEEKS

    def as_case(self) -> Case:
        """The patient now, as a case of the course contract (for staging and plans)."""
        meds: tuple[Medication, ...] = ()
        if self.weeks_on_drug > 0 or self.on_therapy:
            meds = (Medication(self.drug, months=self.weeks_on_drug / WEEKS_PER_MONTH,
                               current=self.on_therapy and not self.holiday),)
        return Case(indication=self.indication, medications=meds, findings=self.findings,
                    risk_factors=self.risk_factors, id=self.case_id, medical_history=self.medical_history,
                    jaw_radiotherapy=self.jaw_radiotherapy)

    def stage_result(self) -> staging.StageResult:
        return staging.stage(self.as_case())

    def stage_code(self) -> str:
        if self.weeks_on_drug == 0 and not self.on_therapy:
            return "before_therapy"
        return self.stage_result().stage

    def available_actions(self) -> list[str]:
        """Decisions the student may take now (none once the 3-year story has ended)."""
        if self.finished:
            return []
        out = []
        for a in ACTIONS.values():
            if self.phase not in a.phases:
                continue
            if a.id == "extract_before_therapy" and self.need != "known":
                continue
            if a.id in ("extract_now", "extract_timed") and (self.lesion or self.need == "treated"):
                continue
            if a.id == "extract_timed" and not (self.drug == "denosumab" and self.regimen
                                                and self.regimen.every_days >= 90):
                continue
            if a.id in ("holiday_prescriber", "holiday_dentist") and (self.holiday or not self.on_therapy):
                continue
            if a.id == "resume_therapy" and not self.holiday:
                continue
            if a.id == "screening" and self.need in ("known", "treated") and self.steps:
                continue
            out.append(a.id)
        return out

    # ------------------------------------------------------------------ time
    def _advance(self, weeks: int) -> list[str]:
        events: list[str] = []
        for _ in range(int(weeks)):
            if self.week >= HORIZON_WEEKS:
                break
            self.week += 1
            u = self.rng.random(3)
            if self.on_therapy and not self.holiday:
                self.weeks_on_drug += 1
            if self.weeks_on_drug > 0 and not self.lesion and u[0] < self.weekly_hazard:
                events.append(self._onset("a lesion appeared without any procedure"))
            elif self.lesion:
                f = self.findings
                self.findings = replace(f, weeks_persisting=f.weeks_persisting + 1)
                if self.care == "conservative":
                    self.care_weeks += 1
                    m0, m1 = (self.care_weeks - 1) / WEEKS_PER_MONTH, self.care_weeks / WEEKS_PER_MONTH
                    f0, f1 = _cure_cdf(m0), _cure_cdf(m1)
                    h = (f1 - f0) / max(1e-12, 1 - f0)
                    if self.teriparatide:
                        h = _odds_multiply(h, _odds_ratio("vp-teriparatide"))
                    if u[1] < h:
                        events.append(self._resolve("healed with conservative care"))
                elif self.findings.weeks_persisting % 8 == 0 and u[2] < value("vp-progression-untreated"):
                    events.append(self._progress())
            self.history.append((self.week, self.stage_code()))
        return events

    def _onset(self, why: str) -> str:
        symptomatic = self.rng.random() < value("vp-symptomatic-at-onset")
        self.findings = Findings(exposed_bone=True, weeks_persisting=0, pain=symptomatic, infection=symptomatic)
        self.care, self.care_weeks, self.teriparatide = "none", 0.0, False
        return f"Week {self.week}: exposed bone ({why})."

    def _resolve(self, why: str) -> str:
        self.findings = Findings()
        self.care, self.care_weeks, self.teriparatide = "none", 0.0, False
        self.resolved += 1
        return f"Week {self.week}: the mucosa has healed over the site ({why})."

    def _progress(self) -> str:
        f = self.findings
        if not (f.pain or f.infection):
            self.findings = replace(f, pain=True, infection=True)
            return f"Week {self.week}: the lesion became painful and infected (untreated)."
        if not f.beyond_alveolar_bone:
            self.findings = replace(f, beyond_alveolar_bone=True)
            return f"Week {self.week}: necrosis spread beyond the alveolar bone (untreated)."
        return f"Week {self.week}: the lesion persists (untreated)."

    # ------------------------------------------------------------------ decisions
    def decide(self, action: str) -> Step:
        """Take one decision: advance time, draw outcomes, stage, and return the step with its advice."""
        if action not in ACTIONS:
            raise ModelInputError(f"decision: unknown {action!r} (known: {', '.join(ACTIONS)})")
        if self.finished:
            raise ModelInputError("decision: the 3-year story has ended; read the debrief or start again")
        if action not in self.available_actions():
            raise ModelInputError(f"decision: '{ACTIONS[action].label}' is not possible now "
                                  f"(phase: {self.phase}, week {self.week})")
        stage_before = self.stage_code()
        handler = getattr(self, f"_do_{action}")
        adv, outcome = handler(stage_before)
        events = self._advance(ACTIONS[action].weeks)
        text = " ".join([outcome, *events]).strip()
        warnings = () if self.phase == "pre" else tuple(self.stage_result().warnings)
        step = Step(self.week, action, ACTIONS[action].label, text, adv, self.stage_code(), warnings)
        self.steps.append(step)
        return step

    def _group_is_oncology(self) -> bool:
        return self.group == "oncology"

    def _do_screening(self, stage: str) -> tuple[Advice, str]:
        found = self.need in ("hidden", "known")
        if self.need == "hidden":
            self.need = "known"
        outcome = ("Screening found a tooth with a poor prognosis that needs extracting." if found
                   else "Screening found no tooth that needs extracting.")
        ref = ("prevention", "pre-assessment") if self._group_is_oncology() else (
            "prevention", "pre-sdcep-dentally-fit")
        return advice("in_line", ref), outcome

    def _do_extract_before_therapy(self, stage: str) -> tuple[Advice, str]:
        self.need = "treated"
        heal = int(value("vp-mucosal-healing"))
        self._advance(heal)
        outcome = (f"Tooth extracted before any drug; first dose after {heal} weeks of healing. No MRONJ risk "
                   "from this extraction: there was no drug exposure yet.")
        ref = ("prevention", "pre-finish-necessary") if self._group_is_oncology() else (
            "prevention", "pre-sdcep-dentally-fit")
        return advice("in_line", ref, ("prevention", "pre-delay-start")), outcome

    def _do_start_therapy(self, stage: str) -> tuple[Advice, str]:
        self.on_therapy = True
        label = self.regimen.label() if self.regimen else drug_catalogue()[self.drug]["name"]
        if self.indication == "paget" and self.drug == "zoledronate":
            # Paget disease: usually one 5 mg infusion, not a yearly one (zoledronate-paget-single, reported).
            label = "Zoledronic acid 5 mg IV, a single infusion (Paget disease; repeated only on relapse)"
        outcome = f"{label}: therapy started."
        if self.need == "known":
            return advice("not_advised", ("prevention", "pre-finish-necessary"),
                          extra=["A tooth known to need extraction was left for later, when it carries the "
                                 "on-therapy risk."]), outcome
        if not any(s.action == "screening" for s in self.steps):
            return advice("not_advised", ("prevention", "pre-assessment"),
                          extra=["No screening before the first dose."]), outcome
        return advice("in_line", ("prevention", "pre-coordinated-plan")), outcome

    def _extract(self, timed: bool) -> tuple[Advice, str]:
        elective = self.need not in ("hidden", "known")
        decision = self.extraction_decision(necessary=not elective)     # judged before the socket's outcome
        self.need = "treated"
        extras = []
        if self.technique_next:
            extras.append("Atraumatic technique and primary closure were planned (no effect size in the "
                          "sources: the simulator leaves the risk unchanged).")
        if self.antibiotics_next:
            extras.append("Antibiotic cover given (contested: SDCEP finds the evidence insufficient, Italian and "
                          "German guidelines are reported to recommend it; no effect size, so the risk is unchanged).")
        self.technique_next = self.antibiotics_next = False
        drawn = self.rng.random() < self.p_extraction
        outcome = (f"Tooth extracted on therapy (this patient's chance of MRONJ after an extraction: "
                   f"{100 * self.p_extraction:.2g}%, drawn from the cited range for the group).")
        if drawn:
            outcome += " " + self._onset("the socket did not heal")
        else:
            outcome += " The socket healed."
        verdict = EXTRACTION_VERDICTS[decision.advice][0 if elective else 1]
        if decision.advice == "stopped" and elective and self._group_is_oncology():
            verdict = "not_advised"     # oncology: stopped or paused, the risk has not gone (the entry says so)
        refs: list[tuple[str, str]] = [("prevention", decision.entry_id)]
        if self.drug == "denosumab" and self.regimen and self.regimen.every_days >= 90:
            refs += [("prevention", "dmab-ects2022"), ("prevention", "dmab-sdcep2017")]
            if timed:
                verdict = "in_line" if verdict == "neutral" else verdict
            else:
                verdict = "not_advised" if verdict in ("in_line", "neutral") else verdict
                extras.append("On 6-monthly denosumab both ECTS and SDCEP time the procedure to the end "
                              "of the dosing interval.")
        return advice(verdict, *refs, extra=extras), outcome

    def extraction_decision(self, necessary: bool) -> rules.SurgeryDecision:
        """What the course's one elective-surgery rule (:func:`osteonecrosis.rules.elective_surgery_rule`, the
        rule the plan uses) says about an extraction for this patient now; ``necessary`` for a tooth that needs
        extracting (found at screening or hidden until it flares), not for an elective one."""
        case = replace(self.as_case(), planned_procedure="extraction")
        result = self.stage_result()
        return rules.elective_surgery_rule(case, result.stage, result.suspected, False,
                                           self._group_is_oncology(), necessary=necessary)

    def _do_extract_now(self, stage: str) -> tuple[Advice, str]:
        return self._extract(timed=False)

    def _do_extract_timed(self, stage: str) -> tuple[Advice, str]:
        return self._extract(timed=True)

    def _do_technique(self, stage: str) -> tuple[Advice, str]:
        self.technique_next = True
        return (advice("seed_claim", ("prevention", "surg-atraumatic"), ("prevention", "surg-primary-closure")),
                "Next extraction planned as atraumatic, with primary closure.")

    def _do_antibiotic_prophylaxis(self, stage: str) -> tuple[Advice, str]:
        self.antibiotics_next = True
        return (advice("guidelines_differ", ("prevention", "prev-prophylaxis-insufficient"),
                       extra=["No effect size in the sources: the simulator leaves the risk unchanged."]),
                "Antibiotic cover planned for the next extraction.")

    def _do_chlorhexidine(self, stage: str) -> tuple[Advice, str]:
        if self.lesion:
            return (advice("in_line", ("management", "adj-rinse")),
                    "Antibacterial rinse started (part of the AAOMS table for stages 1-3).")
        return (advice("no_evidence", ("prevention", "prev-prophylaxis-insufficient")),
                "Antiseptic rinse started (no lesion; insufficient evidence for prophylaxis).")

    def _holiday_refs(self) -> list[tuple[str, str]]:
        if self.drug == "denosumab":
            return [("prevention", "holiday-ects2022-dmab"), ("prevention", "holiday-sdcep2017")]
        return [("prevention", "holiday-sdcep2017"), ("prevention", "holiday-ects2022-bp"),
                ("prevention", "holiday-aaoms2022")]

    def _do_holiday_prescriber(self, stage: str) -> tuple[Advice, str]:
        self.holiday = True
        verdict = "not_advised" if self.drug == "denosumab" else "guidelines_differ"
        extra = ["Asking the prescriber is right: the decision is theirs."]
        if self.drug == "denosumab":
            extra.append("Stopping denosumab risks rebound bone loss (see the remodelling lab).")
        else:
            extra.append("No trial shows that a holiday lowers the risk (the evidence is missing, not negative); "
                         "a bisphosphonate also stays in bone for years, so a short pause barely lowers the "
                         "store (see the drug-level lab). The simulator leaves the risk unchanged.")
        return (advice(verdict, ("management", "drug-decision-prescriber"), *self._holiday_refs(), extra=extra),
                "The prescriber agreed to pause the drug.")

    def _do_holiday_dentist(self, stage: str) -> tuple[Advice, str]:
        self.holiday = True
        return (advice("not_advised", ("management", "drug-decision-prescriber"), *self._holiday_refs()),
                "The dentist told the patient to stop the drug.")

    def _do_resume_therapy(self, stage: str) -> tuple[Advice, str]:
        self.holiday = False
        return advice("neutral", ("management", "drug-decision-prescriber")), "The drug was resumed."

    def _do_wait(self, stage: str) -> tuple[Advice, str]:
        if self.lesion and self.care == "none":
            return (advice("not_advised", ("management", "aaoms2022-nonoperative"),
                           extra=["A lesion left without care: even nonoperative care means at least a rinse, "
                                  "antibiotics when infected, pain control and review."]),
                    "Review in 8 weeks, no care meanwhile.")
        if self.need == "known":
            return (advice("not_advised", ("prevention", "during-necessary-treatment")),
                    "Review in 8 weeks; the problem tooth is left untreated.")
        return advice("in_line", ("prevention", "during-recall")), "Routine review in 8 weeks."

    def _do_conservative(self, stage: str) -> tuple[Advice, str]:
        if self.care != "conservative":
            self.care, self.care_weeks = "conservative", 0.0
        from ..management import stage_actions
        code = stage if stage in ("1", "2", "3") else "1"
        ids = [a["id"] for a in stage_actions(code) if "nonoperative" in a["id"]]
        return (advice("in_line", *[("management", i) for i in ids]),
                "Conservative care: rinse, antibiotics when infected, pain control, review every 3 months.")

    def _surgery(self, kind: str, stage: str) -> tuple[Advice, str]:
        verdict, refs, extra = surgery_verdict(kind, stage)
        figure = outcome_figure(kind, stage)
        stage_name = STAGE_NAMES.get(stage, stage)
        shown = param("vp-resection-success" if kind == "resection" else "vp-surgery-success")
        shown_def = shown.raw.get("outcome", "as the study defined it")
        if figure is None:
            extra.append(f"No outcome data for {kind} at {stage_name.lower()}: no study in the course's evidence "
                         f"map reports this operation at this stage, so the simulator rolls no dice. The course "
                         f"holds {100 * float(shown.value):.1f}% = {shown_def} ({shown.label()}), which does not "
                         "match this stage and operation. The lesion is left as it was; conservative care "
                         "continues. The 89.3% (success, stage 2) and the 72% (improvement, pooled) measure "
                         "different outcomes in different patients: they cannot rank debridement above "
                         "resection.")
            if self.lprf_next:
                extra.append("L-PRF added; with no outcome figure to adjust, the simulator gives it no effect.")
                self.lprf_next = False
            ok = False
        else:
            p = float(figure.value)
            extra.append(f"Chance drawn: {100 * p:.1f}% = {figure.raw.get('outcome')} ({figure.label()}), a "
                         f"figure for {kind} at {stage_name.lower()}. The 89.3% (success, stage 2) and the 72% "
                         "(improvement, pooled) measure different outcomes in different patients: they cannot "
                         "rank debridement above resection.")
            if self.lprf_next:
                p = _odds_multiply(p, _odds_ratio("vp-lprf"))
                extra.append("L-PRF added (trial point estimates used; the difference was not significant).")
                self.lprf_next = False
            ok = self.rng.random() < p
        if kind == "sequestrectomy":
            refs.append(("management", "seed-scheme-stage2"))
        evidence_ref = "surgery-pooled-1137" if kind == "resection" else "surgery-stage2-success"
        refs += [("management", evidence_ref), ("management", "surgery-outcomes-not-comparable"),
                 ("simulation", "vp-surgery-outcome-data")]
        self.care, self.care_weeks = "conservative", 0.0
        outcome = f"{kind.capitalize()} done."
        if ok:
            outcome += " " + self._resolve(f"{kind} succeeded")
        elif figure is None:
            outcome += " No outcome drawn (no data for this operation at this stage); conservative care continues."
        else:
            outcome += " The lesion persists; conservative care continues."
        return advice(verdict, *refs, extra=extra), outcome

    def _do_debridement(self, stage: str) -> tuple[Advice, str]:
        return self._surgery("debridement", stage)

    def _do_sequestrectomy(self, stage: str) -> tuple[Advice, str]:
        return self._surgery("sequestrectomy", stage)

    def _do_resection(self, stage: str) -> tuple[Advice, str]:
        return self._surgery("resection", stage)

    def _do_lprf(self, stage: str) -> tuple[Advice, str]:
        self.lprf_next = True
        return (advice("no_evidence", ("management", "adj-lprf"),
                       extra=["One RCT: 92% vs 83% resolution at 6 months, not significant."]),
                "L-PRF planned for the next operation.")

    def _do_hbo(self, stage: str) -> tuple[Advice, str]:
        return (advice("no_evidence", ("management", "adj-hbo")),
                "Hyperbaric oxygen course given (the simulator gives it no effect on healing).")

    def _do_teriparatide(self, stage: str) -> tuple[Advice, str]:
        refs = [("management", "adj-teriparatide"), ("management", "teriparatide-sim2020"),
                ("management", "teriparatide-evidence-insufficient")]
        contraindications = rules.teriparatide_contraindications(self.as_case())
        if contraindications:
            labels = ", ".join(e["label"] for e in contraindications)
            refs += [("management", e["id"]) for e in contraindications]
            if any(e["condition"] == "skeletal_malignancy" for e in contraindications):
                refs.append(("management", "teriparatide-metastases-caution"))
            return (advice("not_advised", *refs,
                           extra=[f"Refused: teriparatide is contraindicated or warned against with {labels} "
                                  "(osteosarcoma risk); it was not given."]),
                    f"Teriparatide not given: contraindicated ({labels}).")
        self.teriparatide = True
        if self.care != "conservative":
            self.care, self.care_weeks = "conservative", 0.0
        return (advice("no_evidence", *refs,
                       extra=["No contraindication on record; the MRONJ guidelines rate the evidence "
                              "insufficient (one small randomised trial)."]),
                "Teriparatide course given with conservative care.")

    def _do_wonder_rinse(self, stage: str) -> tuple[Advice, str]:
        return (advice("seed_claim", ("management", "adj-wonder-rinse")),
                "'Wonder' rinse started (a mucositis rinse; the simulator gives it no effect).")

    # ------------------------------------------------------------------ results
    def timeline(self) -> tuple[np.ndarray, np.ndarray]:
        """(weeks, stage level) for a step plot; levels in :data:`STAGE_LEVELS`."""
        weeks = np.array([w for w, _ in self.history], dtype=float)
        levels = np.array([STAGE_LEVELS[s] for _, s in self.history])
        return weeks, levels

    def debrief(self) -> dict[str, Any]:
        """Every decision against the guidelines, with sources, and the story's outcome."""
        rows = [{"week": s.week, "decision": s.label, "verdict": s.advice.verdict,
                 "verdict_text": VERDICTS[s.advice.verdict], "guidelines": s.advice.text(),
                 "sources": s.advice.sources, "outcome": s.outcome, "warnings": list(s.warnings)}
                for s in self.steps]
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
        worst = max((STAGE_LEVELS[s] for _, s in self.history), default=0.0)
        worst_stage = next(k for k, v in STAGE_LEVELS.items() if v == worst)
        return {
            "rows": rows,
            "counts": counts,
            "weeks": self.week,
            "worst_stage": STAGE_NAMES[worst_stage],
            "final_stage": STAGE_NAMES[self.stage_code()],
            "healed_episodes": self.resolved,
            "note": ("Outcomes are random draws: a good decision can meet bad luck, and a poor one can go "
                     "unpunished. Judge the decisions by the guidelines, not by this one story."),
        }


def operative_options() -> dict[str, Any]:
    """The simulator's stage-by-stage table of operations rated in line (simulation.yaml, vp-operative-options)."""
    return param("vp-operative-options").raw


def outcome_figure(kind: str, stage: str) -> Any:
    """The parameter whose study matches both the operation and the stage, or None (then no dice is rolled)."""
    for p in all_parameters():
        if kind in (p.raw.get("interventions") or []) and stage in [str(s) for s in p.raw.get("stages") or []]:
            return p
    return None


# The simulator's verdict for an extraction, by the advice of the one elective-surgery rule:
# (elective extraction, necessary extraction).
EXTRACTION_VERDICTS: dict[str, tuple[str, str]] = {
    "avoid_elective": ("not_advised", "not_advised"),     # MASCC 2019: no elective surgery on oncologic doses
    "necessary": ("in_line", "in_line"),                  # necessary treatment, planned with the oncologist
    "specialist": ("not_advised", "not_advised"),         # suspected or staged MRONJ: the specialist team
    "no_verified_rule": ("not_advised", "in_line"),       # antiangiogenic alone: prevented the same way
    "proceed_with_precautions": ("neutral", "in_line"),   # osteoporosis doses: no guideline forbids it
    "stopped": ("neutral", "in_line"),                    # stopped (elective in oncology: not advised, below)
    "no_exposure": ("neutral", "in_line"),
    "routine": ("in_line", "in_line"),
    "before_therapy": ("in_line", "in_line"),
}


def surgery_verdict(kind: str, stage: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """(verdict, knowledge refs, extra lines) for an operation at a stage, read from vp-operative-options:
    'in line' only where the stage's current AAOMS 2022 entry names the operation."""
    opts = operative_options()
    row = opts["stages"].get(stage)
    extra: list[str] = []
    if row is None:
        return ("not_advised", [],
                ["Operating before the lesion meets the 8-week case definition is premature."])
    refs = [("management", row["table_entry"])]
    if opts["operation_class"][kind] in row["in_line"]:
        if kind == "resection" and stage in ("1", "2"):
            extra.append("History: the AAOMS 2009/2014 table kept resection for stage 3; AAOMS 2022 "
                         "superseded it.")
        return "in_line", refs, extra
    extra.append(f"At stage {stage} the AAOMS 2022 operative option the course holds is "
                 f"{' or '.join(row['in_line'])}; a {kind} does not treat a pathologic fracture, an extraoral "
                 "fistula or necrosis beyond the alveolar bone.")
    return "not_advised", refs, extra


def new_patient(drug: str, indication: str, months_on_drug: float = 0.0, seed: int = 0,
                planned_extraction: bool = False, case_id: str | None = None,
                risk_factors: tuple[str, ...] = (), current: bool = True,
                medical_history: tuple[str, ...] = ()) -> VirtualPatient:
    """A patient built from controls; ``months_on_drug`` 0 means the drug is about to start."""
    if not isinstance(months_on_drug, int | float) or isinstance(months_on_drug, bool) or \
            not math.isfinite(months_on_drug) or months_on_drug < 0:
        raise ModelInputError(f"months on the drug: must be 0 or more, got {months_on_drug!r}")
    from ..cases import MEDICAL_HISTORY
    for i, h in enumerate(medical_history):
        if h not in MEDICAL_HISTORY:
            raise ModelInputError(f"medical_history[{i}]: unknown {h!r} "
                                  f"(expected one of: {', '.join(MEDICAL_HISTORY)})")
    return VirtualPatient(indication=indication, drug=drug, seed=int(seed),
                          weeks_on_drug=float(months_on_drug) * WEEKS_PER_MONTH,
                          planned_extraction=planned_extraction, case_id=case_id, risk_factors=risk_factors,
                          current=current, medical_history=tuple(medical_history))


PLANNED_DRUG = {"bone_metastases": "zoledronate", "multiple_myeloma": "zoledronate",
                "osteoporosis": "alendronate", "paget": "zoledronate"}


@cache
def playable_cases() -> dict[str, Case]:
    """Library cases the virtual patient can play (each builds without error)."""
    from ..cases import library
    out = {}
    for cid, case in library().items():
        try:
            from_case(case)
        except ModelInputError:
            continue
        out[cid] = case
    return out


def from_case(case: Case, seed: int = 0) -> VirtualPatient:
    """A patient from a library case: its first antiresorptive/antiangiogenic drug, time on it, and its
    planned procedure. A case before therapy (no drug yet) gets the indication's usual first drug.
    Cases outside MRONJ (jaw radiotherapy, jaw metastasis) or outside the course's scope (a patient under 18:
    see docs/clinical_scope.md) are refused with a one-line reason."""
    from ..scope import out_of_scope
    reason = out_of_scope(case, "plan")
    if reason is not None:
        raise ModelInputError(f"case {case.id}: {reason}")
    if case.jaw_radiotherapy:
        raise ModelInputError(f"case {case.id}: radiotherapy to the jaws is outside MRONJ (think of "
                              "osteoradionecrosis); the virtual patient simulates MRONJ only")
    if case.jaw_metastasis:
        raise ModelInputError(f"case {case.id}: metastasis to the jaws is outside MRONJ; the virtual patient "
                              "simulates MRONJ only")
    meds = [m for m in case.medications if m.current] or list(case.medications)
    current = True
    if meds:
        drug, months, current = meds[0].drug, meds[0].months, meds[0].current
    else:
        if case.indication not in PLANNED_DRUG:
            raise ModelInputError(f"case {case.id}: no drug and no usual first drug for '{case.indication}'")
        drug, months = PLANNED_DRUG[case.indication], 0.0
    if rules.has_lesion(case.findings):
        patient = new_patient(drug, case.indication, max(months, 1.0), seed, False, case.id, case.risk_factors,
                              current, case.medical_history)
        patient.findings = replace(case.findings, exposed_bone=True)
        patient.history = [(0, patient.stage_code())]
        return patient
    return new_patient(drug, case.indication, months, seed, case.planned_procedure == "extraction", case.id,
                       case.risk_factors, current, case.medical_history)
