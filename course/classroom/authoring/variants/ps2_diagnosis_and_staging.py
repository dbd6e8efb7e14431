"""Variants of ps2 (diagnosis and staging): the patients, their drugs, doses, durations and findings, the order
of the staging vignettes, and the form of the staging function's arguments are drawn per class.

What is taught never changes: Patient A is checked criterion by criterion; Part B always holds the same eight
teaching situations (a treated healthy mouth, a nonspecific sign without exposed bone, a fistula probing to bone,
a stopped drug, exposure of 8 weeks or less, an irradiated jaw, a stage-3 feature, an antiangiogenic drug alone),
in a drawn order, with drawn case numbers (the answer's keys) and drawn details; Part C asks for the same rules as
a function whose arguments take one of 64 forms of the case contract (weeks or days; exclusions and symptoms
combined or one argument each, as the case file records them; exposure, stage-3 features and nonspecific signs as
True/False or as lists of the catalogue's ids and the contract's codes), the default's form never drawn.

What cannot vary: the rules themselves (AAOMS 2022, the course's reference standard), the stage codes, the eight
situations and Patient A's three criteria (what ps2 teaches), and the hand-graded questions' reasoning (Question 3
keeps its irradiated mandible; only its patient's number, drug and weeks follow the draw).

A draw depends on the secret and on this repository's knowledge base and case library: regenerate a class's
variant from the same version of the course, or its patients change.

Every patient is a case of the case contract (``osteonecrosis.cases.case_from_dict``: drugs and regimens from the
drug catalogue) and every expected value is computed by the course's engine (``osteonecrosis.staging.stage``,
``osteonecrosis.rules``); a situation whose engine result is not the one its messages teach stops the draw with
one line (:class:`~classroom.authoring.variants.VariantError`), never a silent wrong key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from osteonecrosis.cases import STAGE3_FINDINGS, Case, case_from_dict, drug_catalogue, library
from osteonecrosis.exercises import staging_arguments
from osteonecrosis.knowledge import answer_key_problems
from osteonecrosis.rules import drugs_given, has_lesion, persisting_weeks_threshold
from osteonecrosis.staging import StageResult, stage

from classroom.authoring.variants import Swap, VariantError

ASSIGNMENT = "ps2_diagnosis_and_staging"
VISIT = "2026-06-01"  # every drawn case is judged on this day (nothing depends on when the draw runs)
POINTER = "(notebook 04, 'AAOMS stages')"

# ---- the default variant's literals (the committed solution notebook holds them) -------------------------------

DEFAULT_PATIENT_A = (
    "**Patient A.** A 59-year-old woman with breast cancer on denosumab 120 mg monthly has a non-healing area of "
    "exposed bone in the mandible for 10 weeks. A biopsy shows metastatic carcinoma in the jaw.")
DEFAULT_Q1_ANSWER = ('    "drug_exposure": True,\n    "exposed_bone_over_8_weeks": True,\n'
                     '    "jaw_radiotherapy_or_metastasis": True,\n')
DEFAULT_Q1_DRUG_CHECK = ("assert criteria_patient_a['drug_exposure'] is True, \"Q1: denosumab is an antiresorptive "
                         "(notebook 04, 'The case definition')\"")
DEFAULT_Q1_EXCLUSION_CHECK = ("assert criteria_patient_a['jaw_radiotherapy_or_metastasis'] is True, \"Q1: the biopsy "
                              "found a jaw metastasis (notebook 04, 'differential diagnosis')\"")
DEFAULT_Q1_BONE_CHECK = "assert criteria_patient_a['exposed_bone_over_8_weeks'] is True,"

DEFAULT_VIGNETTES = (
    "A 68-year-old woman has taken alendronate 70 mg once a week for postmenopausal osteoporosis for 3 years. She "
    "attends for a routine check-up. Her mouth is healthy, she has no symptoms, and the radiographs show nothing "
    "unusual.",
    "A 79-year-old woman has had three yearly infusions of zoledronic acid 5 mg for osteoporosis. For two months "
    "she has had a dull ache in the left mandible that no tooth explains. There is no exposed bone and no fistula; "
    "a radiograph shows an extraction socket from a year ago that has not remodelled.",
    "A 61-year-old woman with breast cancer has had zoledronic acid 4 mg monthly for 2 years. A small fistula in "
    "the buccal gingiva of the lower left molar region probes to bone. It has been there for 3 months, she has no "
    "pain, and there is no redness, swelling or pus.",
    "A 77-year-old man took risedronate 35 mg weekly for 6 years and stopped 2 years ago. After an extraction 10 "
    "weeks ago the socket has not healed: bone is exposed, the gum around it is red and swollen, pus drains, and "
    "it hurts when he eats.",
    "A 70-year-old woman on alendronate for 4 years had a lower molar extracted 6 weeks ago. A small area of bone "
    "is still exposed in the socket; it is not painful and not infected.",
    "A 64-year-old man treated 2 years ago with radiotherapy for an oropharyngeal cancer (the mandible was in the "
    "field) has had zoledronic acid for bone metastases for 6 months. Bone has been exposed in the irradiated "
    "posterior mandible for 14 weeks.",
    "A 70-year-old man with renal cell carcinoma was treated with zoledronic acid and sunitinib. Exposed bone in "
    "the posterior maxilla has persisted for 20 weeks. He says it does not hurt and there is no pus, but water "
    "comes out of his nose when he drinks: there is an oral-antral communication.",
    "A 57-year-old woman with colorectal cancer receives bevacizumab; she has never had a bisphosphonate or "
    "denosumab. Exposed bone on the mylohyoid ridge has persisted for 9 weeks without pain or infection.",
)
# The teaching situation of each default patient, in the default order (Patient 1 ... Patient 8).
DEFAULT_KINDS = ("at_risk", "stage0", "fistula", "stopped", "short", "radiotherapy", "stage3", "antiangiogenic")
DEFAULT_STAGES = ("at_risk", "0", "1", "2", "not_mronj", "not_mronj", "3", "not_mronj")
DEFAULT_CONTESTED_NOTE = "Patient 8 takes an antiangiogenic drug alone"
DEFAULT_KEYS_NOTE = 'the key being the label (`"Patient 1"` ... `"Patient 8"`)'
DEFAULT_EXAMPLE = "{'Patient 1': 'at_risk', ...}"
DEFAULT_Q3_PROMPT = "Patient 6 takes zoledronic acid and has exposed bone for 14 weeks."
DEFAULT_Q3_WEEKS = "the 14 weeks do not override it"
DEFAULT_Q3_PRONOUN = "metastasis of\nhis cancer"


# The knowledge entries every staging key of ps2 rests on (the default notebook's cell metadata); a variant's key
# also rests on the catalogue entry of each drug its patient takes (antiresorptive or not).
STAGING_KNOWLEDGE = ("staging.yaml#mronj-case-definition", "staging.yaml#crit-exposure",
                     "staging.yaml#crit-exposed-bone", "staging.yaml#crit-no-radiation-no-metastasis",
                     "staging.yaml#aaoms2022-staging")


def knowledge_of(case: Case) -> tuple[str, ...]:
    """The knowledge entries a key about this case rests on: the staging rules and each of its drugs."""
    return STAGING_KNOWLEDGE + tuple(f"drugs.yaml#{d}" for d in sorted({m.drug for m in case.medications}))


# ---- Part B: the eight teaching situations ----------------------------------------------------------------------

@dataclass(frozen=True)
class Patient:
    """One drawn patient: a case of the contract, its vignette, and the checks that teach its situation."""

    kind: str
    case: Case
    vignette: str
    result: StageResult
    visible: tuple[str, ...]     # the stages the visible check rules out (never the answer)
    visible_msg: str
    hidden_msg: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> tuple[str, ...]:
        """The stage codes the hidden test accepts: AAOMS 2022's, and for an antiangiogenic drug alone also the
        AAOMS 2014 / MASCC/ISOO/ASCO 2019 reading (both are taught)."""
        older = self.result.stage_if_antiangiogenic_counts
        return (self.result.stage,) if older is None else (self.result.stage, older)

    @property
    def answer(self) -> str:
        """The model answer: the AAOMS 2022 stage (the course's reference standard)."""
        return self.result.stage


def _person(rng: random.Random, low: int, high: int) -> dict[str, Any]:
    sex, age = rng.choice(("female", "male")), rng.randint(low, high)
    noun = "woman" if sex == "female" else "man"
    return {"age": age, "sex": sex, "who": f"{'An' if 80 <= age <= 89 else 'A'} {age}-year-old {noun}",
            "she": "she" if sex == "female" else "he", "her": "her" if sex == "female" else "his",
            "She": "She" if sex == "female" else "He"}


def _drug_name(drug: str) -> str:
    return "zoledronic acid" if drug == "zoledronate" else drug_catalogue()[drug]["name"].lower()


_EVERY = {1: "daily", 7: "weekly", 28: "monthly", 30: "monthly", 84: "every 12 weeks", 90: "every 3 months",
          182: "every 6 months", 365: "yearly"}


@cache
def _regimens(indications: tuple[str, ...]) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(drug id, regimen) of the catalogue's antiresorptives given for these indications, with a label source."""
    out = []
    for drug, entry in sorted(drug_catalogue().items()):
        if not entry.get("antiresorptive") or answer_key_problems([drug]):
            continue
        for reg in entry.get("regimens", []):
            if (reg["indication"] in indications and reg.get("evidence") == "label" and reg["every_days"] in _EVERY
                    and not answer_key_problems([reg["id"]])):
                out.append((drug, reg))
    return tuple(out)


def _regimen(rng: random.Random, indications: tuple[str, ...]) -> tuple[str, dict[str, Any], str]:
    drug, reg = rng.choice(_regimens(indications))
    return drug, reg, f"{_drug_name(drug)} {reg['dose_mg']:g} mg {_EVERY[reg['every_days']]}"


def _years(n: int) -> str:
    return f"{n} year{'s' if n != 1 else ''}"


def _course(rng: random.Random, reg: dict[str, Any], low: int, high: int) -> tuple[int, str]:
    """How long the patient has had the regimen: (months, text); a regimen with a maximum number of doses
    (romosozumab: 12 monthly doses) is never drawn longer than that."""
    if reg.get("max_doses"):
        months = rng.randint(3, int(reg["max_doses"] * reg["every_days"] // 30))
        return months, f"{months} months"
    years = rng.randint(low, high)
    return 12 * years, _years(years)


def _medication(drug: str, reg: dict[str, Any] | None, months: int, current: bool = True) -> dict[str, Any]:
    med: dict[str, Any] = {"drug": drug, "months": months, "current": current}
    if reg is not None:
        med.update(dose_mg=reg["dose_mg"], every_days=reg["every_days"], route=reg["route"])
    return med


# Cancers each antiangiogenic drug of the catalogue is given for (so that no vignette pairs them oddly).
ANTIANGIOGENIC_CANCERS = {"bevacizumab": ("colorectal cancer", "lung cancer", "ovarian cancer"),
                          "sunitinib": ("renal cell carcinoma",), "cabozantinib": ("renal cell carcinoma",),
                          "aflibercept": ("colorectal cancer",)}


@cache
def _antiangiogenics() -> tuple[str, ...]:
    return tuple(sorted(d for d, e in drug_catalogue().items() if e.get("antiangiogenic")
                        and not e.get("antiresorptive") and not answer_key_problems([d])))


def _antiangiogenic(rng: random.Random) -> tuple[str, str]:
    """(drug id, cancer) of an antiangiogenic drug of the catalogue that is no antiresorptive."""
    drug = rng.choice(_antiangiogenics())
    return drug, rng.choice(ANTIANGIOGENIC_CANCERS.get(drug, ("a solid cancer",)))


CANCERS = (("breast cancer", "bone_metastases"), ("prostate cancer", "bone_metastases"),
           ("lung cancer", "bone_metastases"), ("renal cell carcinoma", "bone_metastases"),
           ("multiple myeloma", "multiple_myeloma"))
HEAD_NECK = ("an oropharyngeal cancer", "a cancer of the tongue", "a cancer of the floor of the mouth")
OSTEOPOROSIS_REASON = ("osteoporosis", "postmenopausal osteoporosis")


def _case(data: dict[str, Any]) -> Case:
    return case_from_dict({"assessed_on": VISIT, **data})


def _symptoms(rng: random.Random, allow_none: bool = True) -> tuple[bool, bool]:
    options = [(True, True), (True, False), (False, True)] + ([(False, False)] if allow_none else [])
    return rng.choice(options)


def _symptom_text(p: dict[str, Any], pain: bool, infection: bool) -> str:
    if pain and infection:
        return f"the gum around it is red and swollen, pus drains, and it hurts when {p['she']} eats"
    if infection:
        return f"the gum around it is red and swollen and pus drains, but {p['she']} feels no pain"
    if pain:
        return "it aches all day, though there is no redness, swelling or pus"
    return f"{p['she']} has no pain, and there is no redness, swelling or pus"


def _at_risk(rng: random.Random) -> Patient:
    p = _person(rng, 55, 85)
    if rng.random() < 0.5:
        drug, reg, text = _regimen(rng, ("osteoporosis",))
        months, how_long = _course(rng, reg, 1, 8)
        history = f"has taken {text} for {rng.choice(OSTEOPOROSIS_REASON)} for {how_long}"
        indication = "osteoporosis"
    else:
        cancer, indication = rng.choice(CANCERS)
        drug, reg, text = _regimen(rng, (indication,))
        months, how_long = _course(rng, reg, 1, 3)
        history = f"with {cancer} has had {text} for {how_long}"
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": indication,
                  "medications": [_medication(drug, reg, months)]})
    vignette = (f"{p['who']} {history}. {p['She']} attends for a routine check-up. "
                f"{p['her'].capitalize()} mouth is healthy, {p['she']} has no symptoms, and the radiographs show "
                f"nothing unusual.")
    return Patient("at_risk", case, vignette, stage(case), ("1", "2", "3"), "no exposed bone, so not stages 1-3",
                   "no exposed bone, no sign: what is a treated, healthy mouth?")


STAGE0_SIGNS = {
    "jaw_pain": "For {n} weeks {she} has had a dull ache in the {side} {jaw} that no tooth explains.",
    "odontalgia_without_cause": "For {n} weeks {she} has had toothache in the {side} {jaw}, yet every tooth there "
                                "tests healthy.",
    "tooth_mobility": "A molar in the {side} {jaw} has become loose, and there is no periodontitis to explain it.",
    "radiographic_change": "A radiograph of the {side} {jaw} shows an extraction socket from a year ago that has "
                           "not remodelled.",
    "sinus_pain": "For {n} weeks {she} has had pain over the {side} maxillary sinus that no tooth explains.",
}


def _stage0(rng: random.Random) -> Patient:
    p = _person(rng, 55, 85)
    sign = rng.choice(sorted(STAGE0_SIGNS))
    if rng.random() < 0.5:
        drug, reg, text = _regimen(rng, ("osteoporosis",))
        indication, history = "osteoporosis", f"has had {text} for osteoporosis"
    else:
        cancer, indication = rng.choice(CANCERS)
        drug, reg, text = _regimen(rng, (indication,))
        history = f"with {cancer} has had {text}"
    months, how_long = _course(rng, reg, 2, 6)
    jaw = "maxilla" if sign == "sinus_pain" else rng.choice(("mandible", "maxilla"))
    finding = STAGE0_SIGNS[sign].format(n=rng.randint(3, 10), she=p["she"], side=rng.choice(("left", "right")),
                                        jaw=jaw)
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": indication,
                  "medications": [_medication(drug, reg, months)],
                  "findings": {"nonspecific": [sign]}})
    vignette = (f"{p['who']} {history} for {how_long}. {finding} There is no exposed "
                f"bone and no fistula probing to bone.")
    return Patient("stage0", case, vignette, stage(case), ("1", "2", "3"), "no exposed bone, so not stages 1-3",
                   "no exposed bone, but a nonspecific sign")


def _fistula(rng: random.Random) -> Patient:
    p = _person(rng, 50, 80)
    cancer, indication = rng.choice(CANCERS)
    drug, reg, text = _regimen(rng, (indication,))
    (months, how_long), weeks = _course(rng, reg, 1, 4), rng.randint(9, 20)
    pain, infection = rng.choice(((False, False), (True, False)))
    side = rng.choice(("lower left", "lower right", "upper left", "upper right"))
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": indication,
                  "medications": [_medication(drug, reg, months)],
                  "findings": {"fistula_probes_to_bone": True, "weeks_persisting": weeks, "pain": pain,
                               "infection": infection}})
    feel = (f"{p['she']} has no pain, and there is no redness, swelling or pus" if not pain else
            f"it aches when {p['she']} chews, though there is no redness, swelling or pus")
    vignette = (f"{p['who']} with {cancer} has had {text} for {how_long}. A small fistula "
                f"in the {rng.choice(('buccal', 'lingual' if side.startswith('lower') else 'palatal'))} gingiva of "
                f"the {side} molar region probes to bone. It has been there for {weeks} weeks, {feel}.")
    return Patient("fistula", case, vignette, stage(case), ("at_risk", "0", "not_mronj"),
                   "a fistula probing to bone is exposed bone",
                   "a fistula that probes to bone counts as exposed bone")


def _stopped(rng: random.Random) -> Patient:
    p = _person(rng, 60, 88)
    drug, reg, text = _regimen(rng, ("osteoporosis",))
    (months, how_long), stopped, weeks = _course(rng, reg, 3, 10), rng.randint(1, 4), rng.randint(9, 16)
    pain, infection = _symptoms(rng)
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": "osteoporosis",
                  "medications": [_medication(drug, reg, months, current=False)],
                  "findings": {"exposed_bone": True, "weeks_persisting": weeks, "pain": pain,
                               "infection": infection}})
    vignette = (f"{p['who']} took {text} for {how_long} and stopped {_years(stopped)} ago. After an "
                f"extraction {weeks} weeks ago the socket has not healed: bone is exposed, "
                f"{_symptom_text(p, pain, infection)}.")
    if pain and infection:
        visible, msg = ("not_mronj", "1"), "a stopped drug counts; pain and pus are infection"
    elif pain or infection:
        visible, msg = ("not_mronj", "1"), "a stopped drug counts; pain alone, or infection alone, is enough"
    else:
        visible, msg = ("not_mronj", "at_risk", "0"), "a stopped drug counts; the bone is exposed"
    return Patient("stopped", case, vignette, stage(case), visible, msg,
                   "criterion 1 counts PREVIOUS treatment too")


def _short(rng: random.Random) -> Patient:
    p = _person(rng, 55, 85)
    drug, reg, text = _regimen(rng, ("osteoporosis",))
    (months, how_long), weeks = _course(rng, reg, 2, 8), rng.randint(3, 8)
    pain = rng.random() < 0.5
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": "osteoporosis",
                  "medications": [_medication(drug, reg, months)],
                  "findings": {"exposed_bone": True, "weeks_persisting": weeks, "pain": pain}})
    feel = "it is sore but not infected" if pain else "it is not painful and not infected"
    vignette = (f"{p['who']} on {text} for {how_long} had {rng.choice(('a lower', 'an upper'))} molar extracted "
                f"{weeks} weeks ago. A small area of bone is still exposed in the socket; {feel}.")
    return Patient("short", case, vignette, stage(case), ("1", "2", "3"),
                   f"exposed for {weeks} weeks: the 8-week rule first", "8 weeks or less is not MRONJ yet",
                   {"weeks": weeks})


def _radiotherapy(rng: random.Random) -> Patient:
    p = _person(rng, 50, 78)
    drug, reg, text = _regimen(rng, ("bone_metastases",))
    rt_years, months, weeks = rng.randint(1, 5), rng.randint(4, 18), rng.randint(10, 20)
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": "bone_metastases",
                  "medications": [_medication(drug, reg, months)], "jaw_radiotherapy": True,
                  "findings": {"exposed_bone": True, "weeks_persisting": weeks}})
    vignette = (f"{p['who']} treated {_years(rt_years)} ago with "
                f"radiotherapy for {rng.choice(HEAD_NECK)} (the mandible was in the field) has had {text} for bone "
                f"metastases for {months} months. Bone has been exposed in the irradiated posterior mandible for "
                f"{weeks} weeks.")
    return Patient("radiotherapy", case, vignette, stage(case), ("1", "2", "3"),
                   "check the exclusions first (criterion 3)", "radiotherapy to the jaws excludes MRONJ",
                   {"drug": _drug_name(drug), "weeks": weeks, "her": p["her"]})


STAGE3_SIGNS = {
    "oral_antral_or_nasal_communication": ("maxilla", "water comes out of {her} nose when {she} drinks: there is an "
                                           "oral-antral communication", "an oral-antral communication"),
    "pathologic_fracture": ("mandible", "a radiograph shows a fracture through the affected mandible",
                            "a pathologic fracture"),
    "extraoral_fistula": ("mandible", "a fistula opens on the skin under the jaw", "an extraoral fistula"),
    "osteolysis_to_border": ("mandible", "a radiograph shows osteolysis reaching the lower border of the mandible",
                             "osteolysis to the lower border"),
    "beyond_alveolar_bone": ("mandible", "a CT shows necrosis extending from the alveolar bone into the ramus",
                             "necrosis beyond the alveolar bone"),
}


def _stage3(rng: random.Random) -> Patient:
    p = _person(rng, 50, 80)
    cancer, indication = rng.choice(CANCERS)
    drug, reg, text = _regimen(rng, (indication,))
    feature = rng.choice(sorted(STAGE3_SIGNS))
    jaw, sign, name = STAGE3_SIGNS[feature]
    months, weeks = rng.randint(12, 48), rng.randint(12, 30)
    pain = rng.random() < 0.5
    meds = [_medication(drug, reg, months)]
    cotherapy = ""
    partners = sorted(d for d, cancers in ANTIANGIOGENIC_CANCERS.items() if cancer in cancers)
    if partners and rng.random() < 0.5:
        other = rng.choice(partners)
        meds.append(_medication(other, None, months // 2))
        cotherapy = f" and {_drug_name(other)}"
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": indication, "medications": meds,
                  "findings": {"exposed_bone": True, "weeks_persisting": weeks, "pain": pain, feature: True}})
    feel = "It aches" if pain else f"{p['She']} says it does not hurt and there is no pus"
    vignette = (f"{p['who']} with {cancer} was treated with {text}{cotherapy}. Exposed bone "
                f"in the posterior {jaw} has persisted for {weeks} weeks. {feel}, but "
                f"{sign.format(her=p['her'], she=p['she'])}.")
    return Patient("stage3", case, vignette, stage(case), ("at_risk", "0", "1"),
                   "stage 3 features decide, pain or not", f"{name} is a stage-3 feature")


def _antiangiogenic_only(rng: random.Random) -> Patient:
    p = _person(rng, 45, 80)
    drug, cancer = _antiangiogenic(rng)
    weeks = rng.randint(9, 16)
    pain = rng.random() < 0.5
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": "other",
                  "medical_history": ["malignancy"], "medications": [_medication(drug, None, rng.randint(4, 18))],
                  "findings": {"exposed_bone": True, "weeks_persisting": weeks, "pain": pain}})
    feel = "it hurts, though it is not infected" if pain else "without pain or infection"
    vignette = (f"{p['who']} with {cancer} receives {_drug_name(drug)}; {p['she']} has never "
                f"had a bisphosphonate or denosumab. Exposed bone on the mylohyoid ridge has persisted for {weeks} "
                f"weeks{', and ' if pain else ' '}{feel}.")
    result = stage(case)
    older = result.stage_if_antiangiogenic_counts
    visible = tuple(s for s in ("2", "3", "1", "at_risk", "0") if s not in (result.stage, older))
    msg = ("no pain, no infection, no stage-3 feature" if not pain else "pain, but no stage-3 feature")
    return Patient("antiangiogenic", case, vignette, result, visible, msg, "which definition do you apply?",
                   {"weeks": weeks, "older": older, "pain": pain})


BUILDERS = {"at_risk": _at_risk, "stage0": _stage0, "fistula": _fistula, "stopped": _stopped, "short": _short,
            "radiotherapy": _radiotherapy, "stage3": _stage3, "antiangiogenic": _antiangiogenic_only}
# The stages each situation teaches: a drawn case whose engine stage is outside them stops the draw.
TEACHES = {"at_risk": {"at_risk"}, "stage0": {"0"}, "fistula": {"1", "2"}, "stopped": {"1", "2"},
           "short": {"not_mronj"}, "radiotherapy": {"not_mronj"}, "stage3": {"3"}, "antiangiogenic": {"not_mronj"}}


# The sealed check of a Part B cell: whether the stage is the graded one, without saying which (every label, up to
# "Patient 99", keeps the message's first line within 80 characters).
SEALED_MSG = "recheck this stage rule by rule"


def _head(label: str, visible: tuple[str, ...], visible_msg: str) -> str:
    """A Part B cell's visible lines from the key check on: the form, the stages ruled out, the sealed check."""
    return (f"assert '{label}' in stages, \"Q2: no stage for {label} (write the key '{label}')\"\n"
            f"given = as_stage(stages['{label}'], \"Q2 {label}\")\n"
            f"assert given not in {visible!r}, \"Q2 {label}: {visible_msg} {POINTER}\"\n"
            f"sealed_check(given, SEAL, \"Q2 {label}: {SEALED_MSG} {POINTER}\")\n"
            f"visible_checks_passed(\"Q2 {label}\")\n### BEGIN HIDDEN TESTS\n")


def _contested_tail(label: str, accepted: tuple[str, ...], weeks: Any, pain: str, older: str, msg: str) -> str:
    """The hidden test of the antiangiogenic patient: both readings accepted, and the seal accepts both."""
    return ("# AAOMS 2022 (criterion 1: an antiresorptive) gives 'not_mronj'; MASCC/ISOO/ASCO 2019 and AAOMS 2014 "
            "count an\n"
            f"# antiangiogenic alone, which makes {weeks} weeks of {pain} exposed bone stage {older}: both readings "
            "are accepted.\n"
            "from osteonecrosis.exercises import also_accept\n\n"
            f"also_accept(SEAL, {', '.join(repr(a) for a in accepted)})\n"
            f"assert given in {accepted!r}, \"Q2 {label}: {msg} {POINTER}\"\n"
            "### END HIDDEN TESTS")


def check_block(label: str, patient: Patient) -> str:
    """The lines of a Part B test cell from the key check on: the visible checks, the sealed check and the
    hidden test (the seal accepts exactly what the hidden test accepts)."""
    contested = patient.kind == "antiangiogenic"
    head = _head(label, patient.visible, patient.visible_msg)
    if contested:
        pain = "painful" if patient.details["pain"] else "painless"
        return head + _contested_tail(label, patient.accepted, patient.details["weeks"], pain,
                                      patient.details["older"], patient.hidden_msg)
    return head + (f"assert given == {patient.answer!r}, \"Q2 {label}: {patient.hidden_msg} {POINTER}\"\n"
                   "### END HIDDEN TESTS")


def default_check_block(k: int) -> str:
    """The default notebook's check lines of Patient k (1-based), as committed."""
    label = f"Patient {k}"
    visible, vmsg, hmsg = DEFAULT_CHECKS[k - 1]
    head = _head(label, visible, vmsg)
    if k == 8:
        return head + _contested_tail(label, ("not_mronj", "1"), 9, "painless", "1", hmsg)
    return head + f"assert given == {DEFAULT_STAGES[k - 1]!r}, \"Q2 {label}: {hmsg} {POINTER}\"\n### END HIDDEN TESTS"


DEFAULT_CHECKS = (
    (("1", "2", "3"), "no exposed bone, so not stages 1-3",
     "no exposed bone, no sign: what is a treated, healthy mouth?"),
    (("1", "2", "3"), "no exposed bone, so not stages 1-3", "no exposed bone, but a nonspecific sign"),
    (("at_risk", "0", "not_mronj"), "a fistula probing to bone is exposed bone",
     "a fistula that probes to bone counts as exposed bone"),
    (("not_mronj", "1"), "a stopped drug counts; pain and pus are infection",
     "criterion 1 counts PREVIOUS treatment too"),
    (("1", "2", "3"), "exposed for 6 weeks: the 8-week rule first", "8 weeks or less is not MRONJ yet"),
    (("1", "2", "3"), "check the exclusions first (criterion 3)", "radiotherapy to the jaws excludes MRONJ"),
    (("at_risk", "0", "1"), "stage 3 features decide, pain or not",
     "an oral-antral communication is a stage-3 feature"),
    (("2", "3", "at_risk", "0"), "no pain, no infection, no stage-3 feature", "which definition do you apply?"),
)


def draw_patients(rng: random.Random) -> list[Patient]:
    """The eight Part B patients in the order they are asked: one per teaching situation, in a drawn order."""
    patients = {kind: BUILDERS[kind](rng) for kind in DEFAULT_KINDS}
    for kind, patient in patients.items():
        if patient.result.stage not in TEACHES[kind]:
            raise VariantError(f"{ASSIGNMENT}: a drawn {kind!r} patient stages as {patient.result.stage!r}, not "
                               f"{sorted(TEACHES[kind])}: update its draw (classroom/authoring/variants/)")
    kinds = list(DEFAULT_KINDS)
    rng.shuffle(kinds)
    return [patients[kind] for kind in kinds]


def draw_labels(rng: random.Random) -> list[str]:
    """The patients' case numbers (Patient 10 ... Patient 99, in increasing order): the keys of the answer."""
    return [f"Patient {n}" for n in sorted(rng.sample(range(10, 100), len(DEFAULT_KINDS)))]


# ---- Part A: Patient A, criterion by criterion ------------------------------------------------------------------

@dataclass(frozen=True)
class PatientA:
    case: Case
    vignette: str
    criteria: dict[str, bool]
    drug_msg: str
    exclusion_msg: str


def draw_patient_a(rng: random.Random) -> PatientA:
    """Patient A fails criterion 1 or 2 (the default fails only the exclusions), with or without an exclusion;
    the three facts are computed from the case by the engine's rules."""
    drug_ok, bone_ok = rng.choice(((False, True), (False, False), (True, False)))
    exclusion = rng.choice(("metastasis", "radiotherapy", None))
    p = _person(rng, 45, 80)
    weeks = rng.randint(9, 20) if bone_ok else rng.randint(4, 8)
    jaw = rng.choice(("mandible", "maxilla"))
    if drug_ok:
        cancer, indication = rng.choice(CANCERS)
        drug, reg, text = _regimen(rng, (indication,))
        meds = [_medication(drug, reg, rng.randint(6, 36))]
        on = f"on {text}"
        drug_msg = f"Q1: {_drug_name(drug)} is an antiresorptive (notebook 04, 'The case definition')"
    else:
        (drug, cancer), indication = _antiangiogenic(rng), "other"
        meds = [_medication(drug, None, rng.randint(4, 18))]
        on = f"on {_drug_name(drug)} (never a bisphosphonate or denosumab)"
        drug_msg = (f"Q1: {_drug_name(drug)} is an antiangiogenic drug, not an antiresorptive "
                    "(notebook 04, 'The case definition')")
    if exclusion == "metastasis":
        extra = "A biopsy shows metastatic carcinoma in the jaw."
        ex_msg = "Q1: the biopsy found a jaw metastasis (notebook 04, 'differential diagnosis')"
    elif exclusion == "radiotherapy":
        extra = f"Three years ago the {jaw} was in the field of radiotherapy for {rng.choice(HEAD_NECK)}."
        ex_msg = "Q1: the jaw was irradiated (notebook 04, 'differential diagnosis')"
    else:
        extra = "A biopsy shows necrotic bone and no tumour, and the jaws were never irradiated."
        ex_msg = "Q1: no tumour in the jaw and no radiotherapy to it (notebook 04, 'differential diagnosis')"
    case = _case({"patient": {"age": p["age"], "sex": p["sex"]}, "indication": indication, "medications": meds,
                  "medical_history": ["malignancy"],
                  "jaw_radiotherapy": exclusion == "radiotherapy", "jaw_metastasis": exclusion == "metastasis",
                  "findings": {"exposed_bone": True, "weeks_persisting": weeks}})
    vignette = (f"{p['who']} with {cancer} {on} has a non-healing area of exposed bone in the "
                f"{jaw} for {weeks} weeks. {extra}")
    args = staging_arguments(case)
    criteria = {"drug_exposure": bool(args["drug_exposure"]),
                "exposed_bone_over_8_weeks": bool(has_lesion(case.findings)
                                                  and case.findings.weeks_persisting > persisting_weeks_threshold()),
                "jaw_radiotherapy_or_metastasis": bool(args["radiotherapy_or_metastasis"])}
    return PatientA(case, f"**Patient A.** {vignette}", criteria, drug_msg, ex_msg)


# ---- Part C: the form of the staging function's arguments --------------------------------------------------------

@dataclass(frozen=True)
class Contract:
    """Which form of the case contract the staging function's arguments take."""

    days: bool = False              # exposed_bone_days (more than 56) instead of exposed_bone_weeks (more than 8)
    split_exclusions: bool = False  # jaw_radiotherapy, jaw_metastasis instead of radiotherapy_or_metastasis
    split_symptoms: bool = False    # pain, infection instead of pain_or_infection
    stage3_list: bool = False       # stage3_features (list of codes) instead of stage3_feature (True/False)
    signs_list: bool = False        # nonspecific_signs (list of codes) instead of nonspecific_sign (True/False)
    drug_list: bool = False         # antiresorptive_drugs (list of catalogue ids) instead of drug_exposure

    @property
    def drug(self) -> str:
        return "antiresorptive_drugs" if self.drug_list else "drug_exposure"

    @property
    def duration(self) -> str:
        return "exposed_bone_days" if self.days else "exposed_bone_weeks"

    @property
    def stage3(self) -> str:
        return "stage3_features" if self.stage3_list else "stage3_feature"

    @property
    def signs(self) -> str:
        return "nonspecific_signs" if self.signs_list else "nonspecific_sign"

    def params(self) -> list[str]:
        return [self.drug,
                *(("jaw_radiotherapy", "jaw_metastasis") if self.split_exclusions else ("radiotherapy_or_metastasis",)),
                self.duration, *(("pain", "infection") if self.split_symptoms else ("pain_or_infection",)),
                self.stage3, self.signs]

    def threshold(self) -> str:
        weeks = persisting_weeks_threshold()
        return f"{weeks * 7:g}" if self.days else f"{weeks:g}"


DEFAULT_CONTRACT = Contract()
NUMBERS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight")


@dataclass(frozen=True)
class Facts:
    """A patient as the staging function sees it, in no particular form (the contract renders it)."""

    drug_exposure: bool = True
    jaw_radiotherapy: bool = False
    jaw_metastasis: bool = False
    weeks: float = 0
    pain: bool = False
    infection: bool = False
    stage3: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()     # the antiresorptives given (catalogue ids), for the list form

    @classmethod
    def of_case(cls, case: Case) -> Facts:
        f, args = case.findings, staging_arguments(case)
        drugs = tuple(sorted({m.drug for m in drugs_given(case) if drug_catalogue()[m.drug].get("antiresorptive")}))
        if bool(drugs) != bool(args["drug_exposure"]):
            raise VariantError(f"{ASSIGNMENT}: case {case.id}: the antiresorptives given {drugs} disagree with "
                               f"criterion 1 ({args['drug_exposure']})")
        return cls(bool(args["drug_exposure"]), case.jaw_radiotherapy, case.jaw_metastasis,
                   f.weeks_persisting if has_lesion(f) else 0, f.pain, f.infection,
                   tuple(code for code in STAGE3_FINDINGS if getattr(f, code)), tuple(f.nonspecific), drugs)

    def arguments(self, contract: Contract, only: tuple[str, ...] | None = None) -> list[tuple[str, Any]]:
        """(argument, value) in the contract's form; ``only``: the canonical facts to give (the others default)."""
        just_over = {8.5: 57}  # 'just over 8 weeks' in days is 57, not 59.5
        duration = just_over.get(self.weeks, self.weeks * 7) if contract.days else self.weeks
        if contract.drug_list and self.drug_exposure and not self.drugs:
            raise VariantError(f"{ASSIGNMENT}: a Part C example exposed to no named antiresorptive")
        drug = list(self.drugs) if self.drug_exposure else []
        values = {"drug_exposure": [(contract.drug, drug if contract.drug_list else self.drug_exposure)],
                  "exclusion": ([("jaw_radiotherapy", self.jaw_radiotherapy), ("jaw_metastasis", self.jaw_metastasis)]
                                if contract.split_exclusions else
                                [("radiotherapy_or_metastasis", self.jaw_radiotherapy or self.jaw_metastasis)]),
                  "weeks": [(contract.duration, duration)],
                  "symptoms": ([("pain", self.pain), ("infection", self.infection)] if contract.split_symptoms else
                               [("pain_or_infection", self.pain or self.infection)]),
                  "stage3": [(contract.stage3, list(self.stage3) if contract.stage3_list else bool(self.stage3))],
                  "signs": [(contract.signs, list(self.signs) if contract.signs_list else bool(self.signs))]}
        out: list[tuple[str, Any]] = []
        for key, pairs in values.items():
            if only is None or key in only:
                out += [(name, value) for name, value in pairs
                        if only is None or value not in (False, [], 0) or key in ("drug_exposure", "weeks")]
        return out


def _kwargs(pairs: list[tuple[str, Any]]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in pairs)


def _wrap(head: str, items: list[str], indent: int, width: int = 110, tail: str = ")") -> str:
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else tail)
        if len(line) + len(piece.rstrip()) > width and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = " " * indent
        line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


# The staging calls of the Part C test cells, as the default notebook writes them: canonical facts named by
# the default's arguments (parsed below); each is redrawn in the variant's form.
DEFAULT_CALLS = {
    "q4_basic_tests": ("exposed_bone_weeks=12", "exposed_bone_weeks=12, pain_or_infection=True",
                       "nonspecific_sign=True", "drug_exposure=False",
                       "exposed_bone_weeks=30, pain_or_infection=True, stage3_feature=True"),
    "q4_edge_tests": ("radiotherapy_or_metastasis=True, exposed_bone_weeks=20, pain_or_infection=True",
                      "exposed_bone_weeks=8", "pain_or_infection=True",
                      "exposed_bone_weeks=8, pain_or_infection=True, stage3_feature=True",
                      "exposed_bone_weeks=8.5", "exposed_bone_weeks=20, stage3_feature=True",
                      "exposed_bone_weeks=20, stage3_feature=True, radiotherapy_or_metastasis=True",
                      "drug_exposure=False, exposed_bone_weeks=20, pain_or_infection=True",
                      "exposed_bone_weeks=12, nonspecific_sign=True", "stage3_feature=True",
                      "drug_exposure=False, nonspecific_sign=True"),
}
# Messages of those cells that name weeks, and their wording when the function takes days.
DAYS_MESSAGES = (
    ("Q4: 12 weeks exposed, no pain, no infection: 1", "Q4: 84 days exposed, no pain, no infection: 1"),
    ("Q4: 8 weeks is not MORE than 8: not MRONJ yet", "Q4: 56 days (8 weeks) is not MORE than 8 weeks: not MRONJ yet"),
    ("Q4: at 8 weeks, not MRONJ yet, whatever else", "Q4: at 56 days (8 weeks), not MRONJ yet, whatever else"),
    ("Q4: 8.5 weeks is more than 8 weeks: '1'", "Q4: 57 days is more than 8 weeks (56 days): '1'"),
)
# Which Part C test cell holds each of those messages.
MESSAGE_CELLS = {old: ("q4_basic_tests" if old.startswith("Q4: 12") else "q4_edge_tests") for old, _ in DAYS_MESSAGES}
DEFAULT_BASE = ("    base = dict(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=0,\n"
                "                pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)")
DEFAULT_SIGNATURE = ("def aaoms_stage(drug_exposure, radiotherapy_or_metastasis, exposed_bone_weeks, "
                     "pain_or_infection,\n                stage3_feature, nonspecific_sign):")
DEFAULT_TRY = ("aaoms_stage(drug_exposure=True, radiotherapy_or_metastasis=False, exposed_bone_weeks=12,\n"
               "            pain_or_infection=False, stage3_feature=False, nonspecific_sign=False)")
DEFAULT_ROWS = (
    "| `drug_exposure` | `True` if the patient ever had an antiresorptive drug (AAOMS 2022 criterion 1) |\n"
    "| `radiotherapy_or_metastasis` | `True` if the jaws were irradiated or hold a metastasis |\n"
    "| `exposed_bone_weeks` | weeks that exposed bone (or a fistula probing to bone) has persisted; `0` if none |\n"
    "| `pain_or_infection` | `True` if there is pain, or infection (redness, swelling, pus) |\n"
    "| `stage3_feature` | `True` if any stage-3 feature is present |\n"
    "| `nonspecific_sign` | `True` if any nonspecific sign (stage 0) is present |")
WORKED_EXAMPLE = "op-alendronate-stage1"
DEFAULT_WORKED_MESSAGE = "painless, exposed 12 weeks, under a denture: 1"


def _parse_call(text: str, rng: random.Random) -> tuple[Facts, tuple[str, ...]]:
    """A default call's facts (combined forms redrawn into one of their parts) and which facts it gives."""
    given: dict[str, Any] = {}
    for part in text.split(", "):
        name, value = part.split("=")
        given[name] = eval(value, {"__builtins__": {}}, {})  # noqa: S307 - the module's own literals
    kw: dict[str, Any] = {"drugs": (_antiresorptive(rng),)}
    keys = []
    if "drug_exposure" in given:
        kw["drug_exposure"], _ = given["drug_exposure"], keys.append("drug_exposure")
    if given.get("radiotherapy_or_metastasis"):
        which = rng.choice(("jaw_radiotherapy", "jaw_metastasis"))
        kw[which] = True
        keys.append("exclusion")
    if "exposed_bone_weeks" in given:
        kw["weeks"] = given["exposed_bone_weeks"]
        keys.append("weeks")
    if given.get("pain_or_infection"):
        kw.update(dict(zip(("pain", "infection"), _symptoms(rng, allow_none=False), strict=True)))
        keys.append("symptoms")
    if given.get("stage3_feature"):
        kw["stage3"] = (rng.choice(("pathologic_fracture", "osteolysis_to_border")),)
        keys.append("stage3")
    if given.get("nonspecific_sign"):
        kw["signs"] = (rng.choice(sorted(STAGE0_SIGNS)),)
        keys.append("signs")
    return Facts(**kw), tuple(keys)


def _antiresorptive(rng: random.Random) -> str:
    return rng.choice(sorted({drug for drug, _reg in _regimens(("osteoporosis", "bone_metastases"))}))


@cache
def library_tests(contract: Contract, case_ids: tuple[str, ...] | None = None) -> str:
    """The hidden library dict of q4_library_tests: the library's cases (all of them, or ``case_ids``) in the
    contract's form, each with the stage the engine gives it (AAOMS 2022)."""
    cases = library()
    ids = tuple(sorted(cases)) if case_ids is None else case_ids
    items = {f"library patient {i}": (dict(Facts.of_case(cases[cid]).arguments(contract)), stage(cases[cid]).stage)
             for i, cid in enumerate(ids, start=1)}
    return repr(items)


@cache
def library_inputs(contract: Contract, case_ids: tuple[str, ...] | None = None) -> str:
    """The visible inputs of q4_library_tests' sealed check: the same patients as :func:`library_tests`, in the
    same order and form, without the stages (the seal holds those)."""
    cases = library()
    ids = tuple(sorted(cases)) if case_ids is None else case_ids
    return repr({f"library patient {i}": dict(Facts.of_case(cases[cid]).arguments(contract))
                 for i, cid in enumerate(ids, start=1)})


# The library cases the committed notebook's table holds (a variant stages every case the library holds now).
DEFAULT_LIBRARY = (
    "no-drug-exposed-bone", "onc-bevacizumab-stage1", "onc-denosumab-stage0", "onc-denosumab-stage2",
    "onc-jaw-metastasis", "onc-radiotherapy-orn", "onc-stage3-oroantral-no-pain", "onc-zoledronate-at-risk",
    "onc-zoledronate-before-therapy", "onc-zoledronate-stage1-fistula", "onc-zoledronate-stage3-fracture",
    "op-alendronate-at-risk", "op-alendronate-extraction", "op-alendronate-stage1", "op-denosumab-implant",
    "op-romosozumab-stage2-fistula", "op-short-exposure", "op-stopped-bp-stage2", "op-zoledronate-stage0",
    "paget-stopped-stage3")


@cache
def worked_example(contract: Contract) -> str:
    return "facts = " + repr(dict(Facts.of_case(library()[WORKED_EXAMPLE]).arguments(contract)))


def solution_body(contract: Contract) -> str:
    excl = "jaw_radiotherapy or jaw_metastasis" if contract.split_exclusions else "radiotherapy_or_metastasis"
    symptoms = "pain or infection" if contract.split_symptoms else "pain_or_infection"
    d = contract.duration
    return (f"    if not {contract.drug} or {excl}:\n        return \"not_mronj\"\n"
            f"    if {d} == 0:\n"
            f"        return \"0\" if {contract.signs} or {symptoms} or {contract.stage3} else \"at_risk\"\n"
            f"    if {d} <= {contract.threshold()}:\n        return \"not_mronj\"\n"
            f"    if {contract.stage3}:\n        return \"3\"\n    if {symptoms}:\n        return \"2\"\n"
            "    return \"1\"")


def table_rows(contract: Contract) -> str:
    rows = [("| `antiresorptive_drugs` | the antiresorptive drugs the patient ever had, as the drug catalogue's "
             "ids such as `['alendronate']`; `[]` if none (AAOMS 2022 criterion 1) |") if contract.drug_list else
            "| `drug_exposure` | `True` if the patient ever had an antiresorptive drug (AAOMS 2022 criterion 1) |"]
    if contract.split_exclusions:
        rows += ["| `jaw_radiotherapy` | `True` if radiotherapy reached the jaws |",
                 "| `jaw_metastasis` | `True` if a metastasis has been found in the jaws |"]
    else:
        rows.append("| `radiotherapy_or_metastasis` | `True` if the jaws were irradiated or hold a metastasis |")
    unit = "days" if contract.days else "weeks"
    rows.append(f"| `{contract.duration}` | {unit} that exposed bone (or a fistula probing to bone) has persisted; "
                f"`0` if none |")
    if contract.split_symptoms:
        rows += ["| `pain` | `True` if there is pain |",
                 "| `infection` | `True` if there is infection (redness, swelling, pus) |"]
    else:
        rows.append("| `pain_or_infection` | `True` if there is pain, or infection (redness, swelling, pus) |")
    rows.append("| `stage3_features` | the stage-3 features present, as a list of the case file's codes such as "
                "`['pathologic_fracture']`; `[]` if none |" if contract.stage3_list else
                "| `stage3_feature` | `True` if any stage-3 feature is present |")
    rows.append("| `nonspecific_signs` | the nonspecific signs (stage 0) present, as a list of the case file's codes "
                "such as `['jaw_pain']`; `[]` if none |" if contract.signs_list else
                "| `nonspecific_sign` | `True` if any nonspecific sign (stage 0) is present |")
    return "\n".join(rows)


def draw_contract(rng: random.Random) -> Contract:
    """One of the 63 argument forms other than the default's."""
    while True:
        contract = Contract(*(rng.random() < 0.5 for _ in range(6)))
        if contract != DEFAULT_CONTRACT:
            return contract


def contract_swaps(contract: Contract, rng: random.Random) -> list[Swap]:
    """Part C in the contract's form: question table, signature, model answer, try-it cell and every test."""
    params = contract.params()
    try_it = Facts(weeks=12, drugs=(_antiresorptive(rng),))
    swaps = [
        Swap("receives six facts", f"receives {NUMBERS[len(params)]} facts", ("cell-21",)),
        Swap(DEFAULT_ROWS, table_rows(contract), ("cell-21",)),
        Swap(DEFAULT_SIGNATURE, _wrap("def aaoms_stage(", params, 16, tail="):"), ("q4_function",)),
        Swap(solution_body(DEFAULT_CONTRACT), solution_body(contract), ("q4_function",)),
        Swap(DEFAULT_TRY, _wrap("aaoms_stage(", [f"{n}={v!r}" for n, v in try_it.arguments(contract)], 12),
             ("cell-23",)),
        Swap(worked_example(DEFAULT_CONTRACT), worked_example(contract), ("q4_library_tests",)),
        Swap(library_tests(DEFAULT_CONTRACT, DEFAULT_LIBRARY), library_tests(contract), ("q4_library_tests",)),
        Swap(library_inputs(DEFAULT_CONTRACT, DEFAULT_LIBRARY), library_inputs(contract), ("q4_library_tests",)),
    ]
    base = [f"{n}={v!r}" for n, v in Facts(drugs=(_antiresorptive(rng),)).arguments(contract)]
    for cell, calls in DEFAULT_CALLS.items():
        swaps.append(Swap(DEFAULT_BASE, _wrap("    base = dict(", base, 16), (cell,)))
        for text in calls:
            facts, keys = _parse_call(text, rng)
            swaps.append(Swap(f"_s({text})", f"_s({_kwargs(facts.arguments(contract, keys))})", (cell,)))
    if contract.days:
        swaps += [Swap(old, new, (MESSAGE_CELLS[old],)) for old, new in DAYS_MESSAGES]
        swaps.append(Swap(DEFAULT_WORKED_MESSAGE, DEFAULT_WORKED_MESSAGE.replace("12 weeks", "84 days"),
                          ("q4_library_tests",)))
    return swaps


# ---- the draw ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """Everything one draw decided: the swaps follow from it, and the tests compare it with the engine."""

    patient_a: PatientA
    patients: list[Patient]
    labels: list[str]
    contract: Contract
    swaps: list[Swap]


def variant(rng: random.Random) -> Variant:
    """Draw ps2's variant: Patient A, the eight Part B patients in order with their case numbers, and the staging
    function's form."""
    a = draw_patient_a(rng)
    patients = draw_patients(rng)
    labels = draw_labels(rng)
    contract = draw_contract(rng)
    swaps = [Swap(DEFAULT_PATIENT_A, a.vignette, ("cell-04",)),
             Swap(DEFAULT_Q1_ANSWER, "".join(f"    \"{k}\": {a.criteria[k]!r},\n" for k in
                                             ("drug_exposure", "exposed_bone_over_8_weeks",
                                              "jaw_radiotherapy_or_metastasis")), ("q1_criteria",)),
             Swap(DEFAULT_Q1_DRUG_CHECK, f"assert criteria_patient_a['drug_exposure'] is "
                                         f"{a.criteria['drug_exposure']!r}, \"{a.drug_msg}\"", ("q1_drug_exposure",),
                  knowledge_of(a.case)),
             Swap(DEFAULT_Q1_EXCLUSION_CHECK,
                  f"assert criteria_patient_a['jaw_radiotherapy_or_metastasis'] is "
                  f"{a.criteria['jaw_radiotherapy_or_metastasis']!r}, \"{a.exclusion_msg}\"",
                  ("q1_jaw_radiotherapy_or_metastasis",)),
             Swap(DEFAULT_Q1_BONE_CHECK, f"assert criteria_patient_a['exposed_bone_over_8_weeks'] is "
                                         f"{a.criteria['exposed_bone_over_8_weeks']!r},",
                  ("q1_exposed_bone_over_8_weeks",))]
    q2_cells = tuple(f"q2_patient{k}_tests" for k in range(1, len(labels) + 1))
    example = rng.choice([s for s in ("1", "2", "at_risk", "0", "3") if s not in patients[0].accepted])
    swaps += [Swap(DEFAULT_KEYS_NOTE, f'the key being the label (`"{labels[0]}"` ... `"{labels[-1]}"`)',
                   ("cell-09",)),
              Swap(DEFAULT_EXAMPLE, f"{{'{labels[0]}': '{example}', ...}}", q2_cells)]
    for k, (label, patient, old) in enumerate(zip(labels, patients, DEFAULT_VIGNETTES, strict=True), start=1):
        swaps.append(Swap(f"**Patient {k}.** {old}", f"**{label}.** {patient.vignette}", ("cell-09",)))
        swaps.append(Swap(f"\"Patient {k}\": \"{DEFAULT_STAGES[k - 1]}\",", f"\"{label}\": \"{patient.answer}\",",
                          ("q2_stages",)))
        swaps.append(Swap(default_check_block(k), check_block(label, patient), (f"q2_patient{k}_tests",),
                          knowledge_of(patient.case)))
    contested = next(label for label, p in zip(labels, patients, strict=True) if p.kind == "antiangiogenic")
    swaps.append(Swap(DEFAULT_CONTESTED_NOTE, f"{contested} takes an antiangiogenic drug alone", ("cell-09",)))
    r, rt = next((label, p.details) for label, p in zip(labels, patients, strict=True) if p.kind == "radiotherapy")
    swaps += [Swap(DEFAULT_Q3_PROMPT, f"{r} takes {rt['drug']} and has exposed bone for {rt['weeks']} weeks.",
                   ("cell-19",)),
              Swap(DEFAULT_Q3_WEEKS, f"the {rt['weeks']} weeks do not override it", ("q3_written",)),
              Swap(DEFAULT_Q3_PRONOUN, f"metastasis of\n{rt['her']} cancer", ("q3_written",))]
    swaps += contract_swaps(contract, rng)
    return Variant(a, patients, labels, contract, swaps)


def draw(rng: random.Random) -> list[Swap]:
    """The swaps of one ps2 variant (``classroom.authoring.variants.draw`` calls this with the class's seed)."""
    return variant(rng).swaps


__all__ = ["Contract", "Facts", "Patient", "PatientA", "Variant", "draw", "variant"]
