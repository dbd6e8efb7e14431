"""The per-class variant of problem set 5 (the capstone): which patients are staged, which menu the plan is
chosen from, which cohorts are run, the rate unit of the prevention function and which model inputs are judged.

Every case is built in the case contract (``osteonecrosis.case_from_dict``) from the drug catalogue's regimens and
staged by the course's engine; every count and number needed to treat comes from ``osteonecrosis.models.cohort``;
every menu and input list from the knowledge base. The blocks the notebook holds are rendered here by the same
functions for the default variant (what ``solutions/ps5_capstone`` holds) and for a drawn one, so a swap replaces
exactly the text the default wrote. Question 3 (the virtual patient's first decisions) varies its story (the
default's known hopeless teeth, or a tooth the seeded screening finds) but not its answer: screen, extract, start
(:data:`FIXED` names its cells; a story whose screening finds nothing would turn a wrong-submission fixture into
the key).
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from classroom.authoring.variants import Swap

ASSIGNMENT = "ps5_capstone"
FIXED = ("ps5_q3_order", "ps5_q3_extract_first", "ps5_q3_in_line")

# ---- Question 1: three patients to stage ------------------------------------------------------------------------

Q1_CELLS = ("ps5_q1_denosumab", "ps5_q1_paget", "ps5_q1_short")
DEFAULT_CASES = ("onc-denosumab-stage2", "paget-stopped-stage3", "op-short-exposure")
STAGING = [f"staging.yaml#{e}" for e in ("mronj-case-definition", "crit-exposure", "crit-exposed-bone",
                                           "crit-no-radiation-no-metastasis", "aaoms2022-staging")]


@dataclass(frozen=True)
class Kind:
    """What a Question 1 patient teaches: the stage the engine must give, the common wrong form the visible check
    refuses, the hint of that check and the knowledge entries the key rests on besides the case definition."""

    name: str
    stage: str
    wrong: str
    hint: str
    knowledge: tuple[str, ...] = ()


KINDS = {
    "symptoms1": Kind("symptoms1", "1", "2", "which symptoms does the vignette describe? (notebook 04, 'AAOMS stages')",
                      ("staging.yaml#aaoms-stage-1",)),
    "symptoms2": Kind("symptoms2", "2", "1", "pain, redness or pus count (notebook 04, 'AAOMS stages')",
                      ("staging.yaml#aaoms-stage-2",)),
    "feature3": Kind("feature3", "3", "1", "look for a stage-3 feature before the symptoms "
                     "(notebook 04, 'AAOMS stages')", ("staging.yaml#aaoms-stage-3",)),
    "short": Kind("short", "not_mronj", "1", "count the weeks (notebook 04, 'The case definition')",
                  ("staging.yaml#rule-short-exposure",)),
    "stage0": Kind("stage0", "0", "1", "is bone exposed? (notebook 04, 'AAOMS stages')",
                   ("staging.yaml#rule-nonexposed", "staging.yaml#aaoms-stage-0")),
    "radiotherapy": Kind("radiotherapy", "not_mronj", "1", "check the exclusions first "
                         "(notebook 04, 'The case definition')"),
}
# The default's three patients, as the notebook words their checks.
DEFAULT_Q1 = (
    ("2", "1", "pain, redness, pus: infection, not 1 (notebook 04, 'AAOMS stages')",
     "time, symptoms, stage-3 features (notebook 04, 'AAOMS stages')", ()),
    ("3", "1", "a stopped drug still counts, and a skin fistula is a stage-3 feature (notebook 04, 'AAOMS stages')",
     "stage-3 feature decides, pain or not (notebook 04, 'AAOMS stages')", ()),
    ("not_mronj", "1", "count the weeks (notebook 04, 'The case definition')",
     "before 8 weeks, no MRONJ yet (notebook 04, 'The case definition')", ("staging.yaml#rule-short-exposure",)),
)

# Regimens of the drug catalogue (knowledge/drugs.yaml) as a vignette words them: drug, dose_mg, every_days, route.
REGIMENS = {
    "osteoporosis": [("alendronate", 70, 7, "oral", "alendronate 70 mg once a week"),
                     ("risedronate", 35, 7, "oral", "risedronate 35 mg once a week"),
                     ("ibandronate", 150, 30, "oral", "ibandronate 150 mg once a month"),
                     ("zoledronate", 5, 365, "iv", "a yearly infusion of zoledronate 5 mg"),
                     ("denosumab", 60, 182, "sc", "denosumab 60 mg every 6 months")],
    "bone_metastases": [("zoledronate", 4, 28, "iv", "zoledronate 4 mg every 4 weeks"),
                        ("denosumab", 120, 28, "sc", "denosumab 120 mg every 4 weeks"),
                        ("pamidronate", 90, 28, "iv", "pamidronate 90 mg every 4 weeks")],
    "multiple_myeloma": [("zoledronate", 4, 28, "iv", "zoledronate 4 mg every 4 weeks"),
                         ("denosumab", 120, 28, "sc", "denosumab 120 mg every 4 weeks"),
                         ("pamidronate", 90, 28, "iv", "pamidronate 90 mg every 4 weeks")],
}
CONTEXT = {"osteoporosis": "with osteoporosis", "multiple_myeloma": "with multiple myeloma",
           "bone_metastases": "with {cancer} cancer and bone metastases"}
CANCERS = ("breast", "prostate", "lung", "kidney")
SITES = {"mandible": ("posterior mandible", "anterior mandible", "lower molar region"),
         "maxilla": ("posterior maxilla", "upper premolar region")}
FEATURE_NAMES = {"extraoral_fistula": "an extraoral fistula", "pathologic_fracture": "a pathologic fracture",
                 "osteolysis_to_border": "osteolysis to the border of the jaw",
                 "beyond_alveolar_bone": "necrosis beyond the alveolar bone",
                 "oral_antral_or_nasal_communication": "an oral-antral communication"}
FEATURES = {
    "mandible": [("extraoral_fistula", "A tract now opens on the skin of the {place}: an extraoral fistula."),
                 ("pathologic_fracture", "A radiograph shows a pathologic fracture through the necrotic bone."),
                 ("osteolysis_to_border", "Imaging shows osteolysis reaching the inferior border of the mandible."),
                 ("beyond_alveolar_bone", "Imaging shows the necrosis extends into the ramus.")],
    "maxilla": [("oral_antral_or_nasal_communication", "Drinks now pass into the nose: an oral-antral "
                 "communication."),
                ("beyond_alveolar_bone", "Imaging shows the necrosis extends into the maxillary sinus."),
                ("osteolysis_to_border", "Imaging shows osteolysis reaching the floor of the maxillary sinus.")],
}
SIGNS = [("jaw_pain", "a dull ache in the jaw"),
         ("odontalgia_without_cause", "toothache for which no dental cause is found"),
         ("radiographic_change", "dense, sclerotic bone around the roots on a radiograph"),
         ("tooth_mobility", "a loosening tooth without periodontal disease")]


def _duration(months: int) -> str:
    return f"{months // 12} years" if months % 12 == 0 and months >= 24 else f"{months} months"


@dataclass(frozen=True)
class Patient:
    kind: Kind
    case: dict[str, Any]
    vignette: str
    drug_phrase: str      # "is on denosumab" / "received zoledronate"
    pronoun: str          # him / her
    feature: str | None   # the stage-3 finding's words, for Question 2's model answer


def _patient(kind: Kind, rng: random.Random) -> Patient:
    """One patient of ``kind``: a contract case and its vignette, written from the same drawn fields."""
    male = rng.random() < 0.5
    age = rng.randint(56, 86)
    person = f"{'An' if age in (80, 81, 82, 83, 84, 85, 86) else 'A'} {age}-year-old {'man' if male else 'woman'}"
    indication = rng.choice(sorted(REGIMENS))
    drug, dose, every, route, words = rng.choice(REGIMENS[indication])
    context = CONTEXT[indication].format(cancer=rng.choice(tuple(c for c in CANCERS if c != ("breast" if male
                                                                                                 else "prostate"))))
    months = rng.choice((6, 9, 14, 18, 20, 26, 30) if indication != "osteoporosis" else (24, 36, 48, 60, 72, 96))
    jaw = "mandible" if kind.name == "radiotherapy" else rng.choice(sorted(SITES))  # a head-and-neck field
    site = rng.choice(SITES[jaw])
    current = not (kind.name == "feature3" and rng.random() < 0.4)
    med = {"drug": drug, "months": months, "current": current, "dose_mg": dose, "every_days": every, "route": route}
    findings: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    feature_words = None
    if current:
        drug_text = f"on {words} for {_duration(months)}"
        drug_phrase = f"is on {drug}"
    else:
        stopped = rng.choice((6, 10, 14))
        drug_text = f"who took {words} for {_duration(months)} and stopped it {stopped} months ago"
        drug_phrase = f"received {drug} (stopped {stopped} months ago)"
    lesion = rng.choice(("exposed bone", "a fistula that probes to bone"))
    lesion_key = "exposed_bone" if lesion == "exposed bone" else "fistula_probes_to_bone"
    if kind.name in ("symptoms1", "symptoms2", "feature3", "radiotherapy"):
        weeks = rng.choice((10, 12, 14, 16, 20, 26, 30))
        findings = {lesion_key: True, "weeks_persisting": weeks}
        text = f"{person} {context}, {drug_text}, has had {lesion} in the {site} for {weeks} weeks."
        if kind.name == "symptoms1" or kind.name == "radiotherapy":
            text += " It is not painful and shows no sign of infection."
        else:
            pain, infection = rng.choice(((True, False), (False, True), (True, True)))
            if kind.name == "feature3" and rng.random() < 0.3:
                pain, infection = False, False
            findings.update(pain=pain, infection=infection)
            text += " " + {(True, False): "It is painful, without redness or pus.",
                           (False, True): "It does not hurt, but the mucosa is red and swollen and pus drains.",
                           (True, True): "The area is painful, the mucosa is red and swollen, and pus drains.",
                           (False, False): "It hardly hurts and shows no redness or pus."}[(pain, infection)]
        if kind.name == "feature3":
            key, words3 = rng.choice(FEATURES[jaw])
            findings[key] = True
            text += " " + words3.format(place="chin" if "anterior" in site else "neck")
            feature_words = FEATURE_NAMES[key]
        elif kind.name in ("symptoms1", "symptoms2"):
            text += " Imaging shows the necrosis is confined to the alveolar bone."
        if kind.name == "radiotherapy":
            years = rng.choice(("Three", "Five", "Eight"))
            extra["jaw_radiotherapy"] = True
            text += (f" {years} years ago {'he' if male else 'she'} had radiotherapy for a cancer of the "
                     f"{rng.choice(('tongue', 'tonsil', 'floor of the mouth'))}, and the field included this "
                     f"part of the jaw.")
    elif kind.name == "short":
        weeks = rng.choice((4, 5, 6, 7, 8))
        tooth = "lower molar" if jaw == "mandible" else "upper premolar"
        findings = {"exposed_bone": True, "weeks_persisting": weeks}
        symptoms = rng.choice(((False, False), (True, False), (False, True)))
        findings.update(pain=symptoms[0], infection=symptoms[1])
        text = (f"{person} {context}, {drug_text}, had a {tooth} extracted {weeks} weeks ago. Bone is still "
                f"exposed in the socket; " + {(False, False): "it is not painful and not infected.",
                                               (True, False): "it is sore, but not infected.",
                                               (False, True): "the gum around it is red, with a little pus."}[symptoms])
    else:  # stage0
        signs = rng.sample(SIGNS, rng.choice((1, 2)))
        weeks = rng.choice((6, 10, 12, 16))
        findings = {"nonspecific": [s for s, _ in signs]}
        felt = [w for s, w in signs if s != "radiographic_change"]
        text = (f"{person} {context}, {drug_text}, has had {' and '.join(felt)} for {weeks} weeks." if felt else
                f"{person} {context}, {drug_text}, has no complaint.")
        if any(s == "radiographic_change" for s, _ in signs):
            text += " A radiograph shows dense, sclerotic bone around the roots."
        text += " No bone is exposed and no fistula probes to bone."
    case = {"indication": indication, "medications": [med], "findings": findings,
            "patient": {"age": age, "sex": "male" if male else "female"}, **extra}
    return Patient(kind, case, text, drug_phrase, "him" if male else "her", feature_words)


def engine_stage(case: dict[str, Any]) -> str:
    """The stage the course's engine gives a contract case."""
    from osteonecrosis import case_from_dict
    from osteonecrosis.staging import stage
    return stage(case_from_dict(case)).stage


def draw_patients(rng: random.Random) -> tuple[Patient, ...]:
    """Three patients, one per label, each of a different kind and none with the default's stage at its label;
    at least one at stage 1 or 3 (Question 2 plans for that one)."""
    while True:
        names: list[str] = []
        for default_stage, *_rest in DEFAULT_Q1:
            # the stage first (each other stage equally likely), then a kind that teaches it
            stage = rng.choice(sorted({kind.stage for n, kind in KINDS.items()
                                       if kind.stage != default_stage and n not in names}))
            names.append(rng.choice(sorted(n for n, kind in KINDS.items() if kind.stage == stage and n not in names)))
        if any(KINDS[n].stage in ("1", "3") for n in names):
            break
    patients = tuple(_patient(KINDS[n], rng) for n in names)
    for p in patients:
        got = engine_stage(p.case)
        if got != p.kind.stage:  # the drawn fields must teach what the kind says
            raise AssertionError(f"ps5 variant: a {p.kind.name} case staged {got!r}: {p.case}")
    return patients


def q1_visible(k: int, wrong: str, hint: str) -> str:
    return f'assert stage_{k} not in ("at_risk", "{wrong}"), "Q1 Patient {k}: {hint}"'


def q1_hidden(k: int, stage: str, hint: str) -> str:
    return f'assert stage_{k} == {stage!r}, "Q1 Patient {k}: {hint}"'


# ---- Question 2: the plan menu -----------------------------------------------------------------------------------

DEFAULT_MENU = ["aaoms2022-nonoperative-2", "aaoms2022-stage2-either", "aaoms2022-stage3-resection",
                "seed-scheme-stage2", "adj-wonder-rinse", "hbo-seed-60"]
DEFAULT_SEEDS = ["seed-scheme-stage2", "adj-wonder-rinse", "hbo-seed-60"]
DEFAULT_PLAN = ["aaoms2022-nonoperative-2", "aaoms2022-stage2-either"]
SEED_POOL = ("adj-wonder-rinse", "hbo-seed-30", "hbo-seed-60")


def q2_intro(k: int, drug_phrase: str, pronoun: str) -> str:
    return (f"Patient {k} {drug_phrase}. The menu below mixes AAOMS 2022 items (which accept operative and "
            f"nonoperative care\nat every stage, chosen with the patient) with claims of the seed texts, which the "
            f"course teaches beside their\naudit. Write `stage_plan`, a list of menu ids: the items you would "
            f"discuss with {pronoun}, "
            f"chosen from guideline items only (1 point,\nautograded: *checked now:* ids from the menu, and whether "
            f"they are right (sealed); *checked at\ngrading:* no seed claim).\nThen, in the text cell after the test, "
            f"say in two or three sentences "
            f"whether you would offer {pronoun} surgery now,")


DEFAULT_Q2_INTRO = q2_intro(1, "is on denosumab", "him")
DEFAULT_Q2_MODEL = (
    "**Model answer.** His lesion is stage 2 (infected, confined to the alveolar bone). The 2009 AAOMS table, kept "
    "in\n2014, advised antibiotics, an antibacterial rinse, pain control and superficial debridement, keeping "
    "resection\nfor stage 3; AAOMS 2022 accepts operative care (debridement or resection) as well as nonoperative "
    "care at any\nstage, chosen with the patient, because comparative series report better healing after early "
    "surgery. I would\ncontrol infection and pain now and discuss surgery with him and his oncologist, weighing "
    "his prognosis.")


def q2_model(stage: str, pronoun: str, feature: str | None) -> str:
    his = "his" if pronoun == "him" else "her"
    if stage == "1":
        return ("**Model answer.** The lesion is stage 1 (exposed bone or a probing fistula for more than 8 weeks, "
                "without pain or\ninfection). The 2009 AAOMS table, kept in 2014, advised an antibacterial rinse, "
                "follow-up every 3 months,\neducation and a review of the drug, and no surgery at this stage; AAOMS "
                "2022 accepts operative care\n(debridement or resection with primary closure) as an equally "
                "acceptable choice at stages 1 and 2, chosen with\nthe patient. I would start nonoperative care now "
                f"and discuss surgery with {pronoun} and {his} prescriber, weighing {his}\ngeneral health and "
                "wishes.")
    return ("**Model answer.** The lesion is stage 3 (" + (feature or "a stage-3 feature")
            + "). The 2009 AAOMS table, kept in\n2014, advised an antibacterial rinse, antibiotics and pain "
            "control, and surgical debridement or resection\nfor longer-term palliation; AAOMS 2022 offers "
            "resection, and keeps nonoperative care acceptable, above all when\nthe patient cannot or will not "
            f"undergo surgery. I would control infection and pain now and discuss resection\nwith {pronoun} and "
            f"{his} doctors, weighing {his} prognosis and wishes.")


Q2_KNOWLEDGE = {"1": ("management.yaml#aaoms2022-nonoperative", "management.yaml#aaoms2022-stage12-either"),
                "3": ("management.yaml#aaoms2022-nonoperative-3", "management.yaml#aaoms2022-stage3-resection")}


def draw_menu(stage: str, rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """(menu, the seed claims in it, a model plan) for a stage-1 or stage-3 patient: one or both AAOMS 2022 items
    of the stage, one AAOMS 2022 item of another stage (never stage 2, the default's) and three seed claims; which
    is a seed claim is the knowledge base's evidence field."""
    from osteonecrosis import knowledge
    management = knowledge.load("management")
    table = management["aaoms2022_management"]["stages"]
    mine = [e["id"] for e in table[stage]]
    plan = sorted(rng.sample(mine, rng.choice((1, 2))))
    others = [e["id"] for s, entries in table.items() if s not in (stage, "2") for e in entries]
    menu = [*plan, rng.choice(others), management["seed_scheme"]["stages"][stage]["id"], *rng.sample(SEED_POOL, 2)]
    rng.shuffle(menu)
    seeds = sorted(i for i in menu if knowledge.find(i, "management")["evidence"] == "seed_claim")
    return menu, seeds, plan


# ---- Part B, Question 3: the virtual patient's first decisions -------------------------------------------------

VP_LIBRARY_CASE = "onc-zoledronate-before-therapy"
VP_NEW_CASE = {"indication": "bone_metastases", "medications": [], "risk_factors": ["periodontitis", "chemotherapy"]}
STORY_DEPTH = 6


@dataclass(frozen=True)
class Story:
    """Part B's patient: ``known`` (the library case: two hopeless teeth) or ``found`` (no known dental problem;
    the seeded screening finds a tooth that needs extracting). A third scenario, a screening that finds nothing,
    would make the default's 'starts before extracting' wrong submission the right answer, so it is not drawn."""

    scenario: str
    seed: int
    age: int = 58


DEFAULT_STORY = Story("known", 5)


def vp_case(story: Story) -> Any:
    from osteonecrosis import case_from_dict, library_case
    if story.scenario == "known":
        return library_case(VP_LIBRARY_CASE)
    return case_from_dict({**VP_NEW_CASE, "patient": {"age": story.age, "sex": "female"},
                           "vignette": vp_vignette(story)})


def vp_vignette(story: Story) -> str:
    return (f"A {story.age}-year-old woman with breast cancer and bone metastases is referred before starting "
            f"zoledronic acid 4 mg every 4 weeks. She has generalised periodontitis, has not seen a dentist for two "
            f"years and knows of no tooth that needs treatment. She has not yet received any bone-modifying drug.")


def vp_need(story: Story) -> str:
    """What the seeded patient's mouth holds before any decision: 'known', 'hidden' or 'none' (the engine's)."""
    from osteonecrosis.models import virtual_patient as vp
    return vp.from_case(vp_case(story), seed=story.seed).need


@cache
def story_table(story: Story) -> dict[tuple[str, ...], tuple[list[str], str | None]]:
    """Every path of the seeded story up to the first dose (at most STORY_DEPTH decisions): prefix -> (the
    decisions possible next, the verdict of the prefix's last decision), played by the virtual-patient engine
    (each branch continues a copy of the patient, random state included)."""
    from osteonecrosis.models import virtual_patient as vp
    table: dict[tuple[str, ...], tuple[list[str], str | None]] = {}

    def visit(patient: Any, prefix: tuple[str, ...], verdict: str | None) -> None:
        table[prefix] = (patient.available_actions(), verdict)
        if (prefix and prefix[-1] == "start_therapy") or len(prefix) >= STORY_DEPTH:
            return
        for action in patient.available_actions():
            nxt = copy.deepcopy(patient)
            visit(nxt, (*prefix, action), nxt.decide(action).advice.verdict)

    visit(vp.from_case(vp_case(story), seed=story.seed), (), None)
    return table


def model_decisions(story: Story) -> list[str]:
    """The shortest in-line order: screen, extract what the screening (or the referral) names, then start."""
    table = story_table(story)
    for path in (["screening", "extract_before_therapy", "start_therapy"], ["screening", "start_therapy"]):
        if tuple(path) in table and all(tuple(path[:i]) in table and path[i - 1] in table[tuple(path[:i - 1])][0]
                                        for i in range(1, len(path) + 1)) and table[tuple(path)][1] == "in_line":
            return path
    raise AssertionError(f"ps5 variant: no in-line opening for {story}")


def vp_menu_lines(story: Story) -> str:
    if story.scenario == "known":
        head = f"VP_CASE = library_case({VP_LIBRARY_CASE!r})"
    else:
        data = {**VP_NEW_CASE, "patient": {"age": story.age, "sex": "female"}, "vignette": vp_vignette(story)}
        head = f"VP_CASE = case_from_dict({data!r})"
    return f"{head}\nVP_SEED = {story.seed}"


def part_b_text(story: Story) -> str:
    if story.scenario == "known":
        who = ("Your patient is the woman of problem set 4: breast cancer with bone metastases, generalised "
               "periodontitis and\ntwo teeth of hopeless prognosis, about to start zoledronic acid.")
    else:
        who = ("Your patient has breast cancer with bone metastases and generalised periodontitis, and is about "
               "to start\nzoledronic acid; no tooth is known to need treatment.")
    return (f"{who} Here are the decisions the simulator offers\nbefore the first dose (the seed is fixed at "
            f"{story.seed} for everyone).")


def q3_extract_visible(story: Story) -> str:
    if story.scenario == "known":
        return ('assert "extract_before_therapy" in decisions, (\n    "Q3: her hopeless teeth come out BEFORE the '
                'first infusion (notebook 06, \'Before therapy\')"\n)')
    return ('assert "screening" in decisions, (\n    "Q3: assess her mouth BEFORE the first infusion '
            '(notebook 06, \'Before therapy\')"\n)')


def q3_extract_hidden(story: Story) -> str:
    if "extract_before_therapy" in model_decisions(story):
        return ('assert "extract_before_therapy" in decisions, (\n    "Q3: a tooth that needs extracting comes out '
                'before the first infusion (notebook 06, \'Before therapy\')"\n)')
    return ('assert "extract_before_therapy" not in decisions, (\n    "Q3: the screening found no tooth to '
            'extract (notebook 06, \'Before therapy\')"\n)')


def q3_steps_visible(story: Story) -> str:
    if story.scenario == "known":
        return ('assert len(decisions) >= 3, (\n    "Q3: her first dose comes after more than one step '
                '(problem set 4, Question 1)")')
    return ('assert len(decisions) >= 2, (\n    "Q3: something comes before her first dose '
            '(problem set 4, Question 1)")')


def q3_story(story: Story) -> str:
    return f"_story = {story_table(story)!r}"


DEFAULT_Q4_PROMPT = ("why the\ntwo teeth come out **before** the first infusion, what she can do herself to keep "
                     "her risk low,")
DEFAULT_Q4_MODEL = (
    "The medicine you are about to start protects your bones from the cancer, but in a small\nnumber of people it "
    "stops the jawbone healing after a tooth is taken out. Your two loose teeth cannot be saved,\nso the safest "
    "time to remove them is now, before the first infusion, while your jaw heals normally; we will\nagree the date "
    "of your first infusion with your cancer doctor so that the gums have time to heal.")
DEFAULT_Q4_SCHEME = ("the reason for the timing in plain words (the drug can stop the jawbone healing after an "
                     "extraction;\n  before the first dose the jaw heals normally)")


def q4_prompt(story: Story) -> str:
    if story.scenario == "known":
        return DEFAULT_Q4_PROMPT
    return ("why her\nmouth is checked **before** the first infusion and what the check found means for her, what "
            "she can do herself to keep her risk low,")


def q4_model(story: Story) -> str:
    if story.scenario == "known":
        return DEFAULT_Q4_MODEL
    start = ("The medicine you are about to start protects your bones from the cancer, but in a small\nnumber of "
             "people it stops the jawbone healing after a tooth is taken out, so we check your mouth before the "
             "first\ninfusion, while your jaw still heals normally.")
    if "extract_before_therapy" in model_decisions(story):
        return start + (" The check found a tooth that cannot be saved: it comes out now, and\nwe will agree the "
                        "date of your first infusion with your cancer doctor so that the gum has time to heal.")
    return start + (" The check found no tooth that needs taking out, so you can start the\nmedicine as your "
                    "cancer doctor planned.")


def q4_scheme(story: Story) -> str:
    if story.scenario == "known":
        return DEFAULT_Q4_SCHEME
    return ("the reason for the check and its timing in plain words (the drug can stop the jawbone healing "
            "after an\n  extraction; before the first dose the jaw heals normally) and what the check found")


Q3_KNOWLEDGE = {True: ("prevention.yaml#pre-finish-necessary",),
                False: ("prevention.yaml#pre-assessment", "prevention.yaml#pre-finish-necessary")}


def draw_story(rng: random.Random) -> Story:
    """Half the classes: the default's known hopeless teeth (a seed of its own); half: no known tooth, and a
    seeded screening that finds one to extract (the engine's vp-dental-need draw decides which seeds do)."""
    scenario = "found" if rng.random() < 0.5 else "known"
    want = {"found": "hidden", "known": "known"}[scenario]
    age = rng.randint(52, 74)
    while True:
        story = Story(scenario, rng.randrange(1, 1000), 58 if scenario == "known" else age)
        if vp_need(story) == want:
            return story


# ---- Part C: the cohorts, the rate unit, the number needed to treat -----------------------------------------------

DRUG_WORDS = {"zoledronate": "zoledronic acid", "pamidronate": "pamidronate", "denosumab": "denosumab",
              "alendronate": "alendronate", "romosozumab": "romosozumab"}
ONCOLOGY = (("zoledronate", "bone_metastases"), ("pamidronate", "bone_metastases"), ("denosumab", "bone_metastases"),
            ("zoledronate", "multiple_myeloma"), ("pamidronate", "multiple_myeloma"), ("denosumab", "multiple_myeloma"))
OSTEOPOROSIS = (("alendronate", "osteoporosis"), ("denosumab", "osteoporosis"), ("romosozumab", "osteoporosis"))
INDICATION_WORDS = {"bone_metastases": "bone metastases", "multiple_myeloma": "multiple myeloma",
                    "osteoporosis": "osteoporosis"}
# Rate units of Question 6 (cases per PER patients): the per-1000 default, a percentage, per 10,000, per 100,000,
# or the risk as a proportion of patients.
UNITS = {1000: ("per_1000", "per 1000", "cases per 1000 patients"),
         100: ("percent", "per 100 (percent)", "cases per 100 patients (percent)"),
         10000: ("per_10000", "per 10,000", "cases per 10,000 patients"),
         100000: ("per_100000", "per 100,000", "cases per 100,000 patients"),
         1: ("risk", "risk (proportion)", "risks, as a proportion of patients (0 to 1)")}


@dataclass(frozen=True)
class Cohorts:
    oncology: tuple[str, str]
    osteoporosis: tuple[str, str]
    n: int
    seed: int
    per: int


DEFAULT_COHORTS = Cohorts(("zoledronate", "bone_metastases"), ("alendronate", "osteoporosis"), 20000, 2026, 1000)


@cache
def run(drug: str, indication: str, n: int, seed: int) -> Any:
    from osteonecrosis.models import cohort
    return cohort.simulate(drug, indication, n=n, seed=seed)


def nnt(result: Any) -> float:
    """The engine's patients-to-prevent-one from the analytic (expected) rates of a cohort result."""
    return 1000 / (result.without.expected_per_1000 - result.bundle.expected_per_1000)


def _rate(per_1000: float, per: int) -> float:
    return per_1000 * per / 1000


def _show(x: float) -> str:
    """A rate as the table shows it (5 significant digits)."""
    return f"{x:.5g}"


def part_c_text(c: Cohorts) -> str:
    onc, ost = c.oncology, c.osteoporosis
    return (f"runs it for {c.n:,} patients on oncologic-dose {DRUG_WORDS[onc[0]]} for "
            f"{INDICATION_WORDS[onc[1]]} and {c.n:,} on\n{DRUG_WORDS[ost[0]]} for osteoporosis, with the seed fixed "
            f"at {c.seed}.")


def cohort_lines(c: Cohorts) -> list[str]:
    """The lines of the locked cohort cell that the variant sets, rendered for ``c``."""
    return [
        f"COHORT_N, COHORT_SEED = {c.n}, {c.seed}",
        f'PER, PER_LABEL = {c.per}, "{UNITS[c.per][1]}"  # the unit of the rate columns',
        f'oncology = cohort.simulate("{c.oncology[0]}", "{c.oncology[1]}", n=COHORT_N, seed=COHORT_SEED)',
        f'osteoporosis = cohort.simulate("{c.osteoporosis[0]}", "osteoporosis", n=COHORT_N, seed=COHORT_SEED)',
        f'(("{c.oncology[0]}, {INDICATION_WORDS[c.oncology[1]]}", oncology), '
        f'("{c.osteoporosis[0]}, osteoporosis", osteoporosis))',
    ]


def q5_question(c: Cohorts) -> str:
    return f"In the seeded {c.oncology[0]} run, how many of the {c.n:,} patients developed MRONJ"


def q5_answer(c: Cohorts) -> str:
    return f'_run = cohort.simulate("{c.oncology[0]}", "{c.oncology[1]}", n={c.n}, seed={c.seed})'


def q5_hidden(c: Cohorts) -> str:
    r = run(*c.oncology, c.n, c.seed)
    return f"assert (without, with_bundle) == ({r.without.cases}, {r.bundle.cases}), ("


def q5_message(c: Cohorts) -> str:
    return f"read the 'cases' column of the {c.oncology[0]} rows above"


# Question 6's worked examples and hidden checks, as (without, with) pairs in the unit and the patients to reach.
@dataclass(frozen=True)
class Examples:
    per: int
    case: tuple[float, float]
    floaty: tuple[float, float]
    edge: tuple[float, float]
    small: tuple[float, float]


DEFAULT_EXAMPLES = Examples(1000, (45.0, 40.0), (10.0, 6.0), (2.0, 1.0), (0.105, 0.092))


def _pair(rng: random.Random, per: int, nnt_value: int, base_per_1000: float) -> tuple[float, float]:
    """A (without, with) pair in unit ``per`` whose difference prevents one case per ``nnt_value`` patients."""
    diff = per / nnt_value
    without = round(_rate(base_per_1000, per) + diff, 9)
    return without, round(without - diff, 9)


def draw_examples(rng: random.Random, per: int) -> Examples:
    case, floaty, edge = rng.sample((125, 160, 200, 250, 400, 500, 625, 800), 3)
    small = rng.choice((0.011, 0.013, 0.017, 0.019, 0.023))
    base = rng.choice((0.09, 0.092, 0.18, 0.05))
    return Examples(per, _pair(rng, per, case, rng.choice((30.0, 35.0, 40.0))),
                    _pair(rng, per, floaty, rng.choice((4.0, 5.0, 6.0))), _pair(rng, per, edge, rng.choice((1.0, 2.0))),
                    (round(_rate(base + small, per), 9), round(_rate(base, per), 9)))


def _num(x: float) -> str:
    return repr(float(x))


def q6_text(e: Examples) -> str:
    name, label, words = UNITS[e.per]
    w, b = f"without_{name}", f"with_{name}"
    unit = "" if e.per == 1 else f" {label}"
    (a1, b1), (a2, b2) = e.case, e.floaty
    return (f"How many patients must receive the bundle to prevent one case? If the bundle lowers the incidence from\n"
            f"`{w}` to `{b}` ({words}), it prevents `{w} - {b}`{unit}, so about\n"
            f"`{e.per} / ({w} - {b})` patients must receive it to prevent one. For example, from {a1:g} to "
            f"{b1:g}: {_per_text(e.per, a1, b1)}; from {a2:g} to {b2:g}: {_per_text(e.per, a2, b2)}.\n"
            f"Write that function. When the bundle prevents nothing (the difference is zero or negative), return\n"
            f"`math.inf` (infinity: no number of patients is enough).")


def _per_text(per: int, a: float, b: float) -> str:
    return f"{per} / {a - b:.6g} = {per / (a - b):.6g} patients"


def q6_answer(e: Examples) -> str:
    name = UNITS[e.per][0]
    return (f"def patients_to_prevent_one(without_{name}, with_{name}):\n"
            f'    """How many patients must receive the bundle to prevent one case (math.inf if it prevents none)."""\n'
            f"    ### BEGIN SOLUTION\n"
            f"    prevented = without_{name} - with_{name}\n"
            f"    if prevented <= 0:\n"
            f"        return math.inf\n"
            f"    return {e.per} / prevented\n"
            f"    ### END SOLUTION")


def q6_case(e: Examples) -> str:
    a, b = e.case
    want = e.per / (a - b)
    return (f"result = patients_to_prevent_one({_num(a)}, {_num(b)})\n"
            f"assert result is not None, \"Q6: end your function with return ... (notebook 00, 'Small functions')\"\n"
            f"assert abs(as_number(result, \"Q6 patients_to_prevent_one({_num(a)}, {_num(b)})\") - {want!r}) "
            f"<= 1e-6 * {want!r}, (\n"
            f"    f\"Q6: got {{result}}; {_per_text(e.per, a, b)} (Question 6 example)\"\n"
            f")")


def q6_float(e: Examples) -> str:
    a, b = e.floaty
    want = e.per / (a - b)
    return (f"result = patients_to_prevent_one({_num(a)}, {_num(b)})\n"
            f"assert isinstance(result, int | float) and not isinstance(result, bool), \"Q6: return a number, not "
            f"text (notebook 00, 'Small functions')\"\n"
            f"assert abs(result - {want!r}) <= 1e-6 * {want!r}, f\"Q6: got {{result}}; "
            f"{_per_text(e.per, a, b)} (Question 6 example)\"")


def q6_edges(e: Examples) -> str:
    a, b = e.edge
    want = e.per / (a - b)
    s_a, s_b = e.small
    small = e.per / (s_a - s_b)
    # the hidden tests' inputs, in their order: what the sealed check is given (the outputs stay hidden)
    graded = f"(({_num(s_b)}, {_num(s_b)}), ({_num(s_b)}, {_num(s_a)}), (0.0, 0.0), ({_num(s_a)}, {_num(s_b)}))"
    return (f"result = patients_to_prevent_one({_num(a)}, {_num(b)})\n"
            f"assert abs(as_number(result, \"Q6 patients_to_prevent_one({_num(a)}, {_num(b)})\") - {want!r}) "
            f"<= 1e-6 * {want!r}, f\"Q6: got {{result}}: {_per_text(e.per, a, b)}.\"\n"
            f"try:\n"
            f"    nothing = patients_to_prevent_one({_num(b)}, {_num(b)})\n"
            f"except ZeroDivisionError:\n"
            f"    raise AssertionError(\"Q6: when nothing is prevented, return math.inf; never divide by 0 "
            f"(Question 6)\") from None\n"
            f"assert nothing == math.inf, f\"Q6: when nothing is prevented, return math.inf, not {{nothing}} "
            f"(Question 6)\"\n"
            f"worse = patients_to_prevent_one({_num(b)}, {_num(a)})\n"
            f"assert worse == math.inf, f\"Q6: a bundle that adds cases prevents nothing: math.inf, not {{worse}} "
            f"(Question 6)\"\n"
            f"try:\n"
            f"    graded = [patients_to_prevent_one(_a, _b) for _a, _b in {graded}]\n"
            f"except ZeroDivisionError:\n"
            f"    raise AssertionError(\"Q6: when nothing is prevented, return math.inf; never divide by 0 "
            f"(Question 6)\") from None\n"
            f"assert all(isinstance(_r, int | float) and not isinstance(_r, bool) for _r in graded), (\n"
            f"    \"Q6: return a number (or math.inf) for every input (notebook 00, 'Small functions')\")\n"
            f"sealed_check(graded, SEAL, \"Q6: wrong on other inputs: no benefit or small gaps; never round \"\n"
            f"             \"(Question 6)\")\n"
            f"visible_checks_passed(\"Q6 (3 of 3)\")\n"
            f"### BEGIN HIDDEN TESTS\n"
            f"for _without, _with in (({_num(s_b)}, {_num(s_b)}), ({_num(s_b)}, {_num(s_a)}), (0.0, 0.0)):\n"
            f"    _r = patients_to_prevent_one(_without, _with)\n"
            f"    assert _r == math.inf, (\n"
            f"        f\"Q6: nothing prevented ({{_without}}, {{_with}}): return math.inf, not {{_r}}\"\n"
            f"    )\n"
            f"_r = patients_to_prevent_one({_num(s_a)}, {_num(s_b)})\n"
            f"assert f\"{{_r:.6g}}\" == f\"{{{small!r}:.6g}}\", (  # 6 significant digits, as the seal compares\n"
            f"    \"Q6: small differences need no rounding (Question 6)\")\n"
            f"### END HIDDEN TESTS")


def q7_column(per: int) -> str:
    return f"**expected {UNITS[per][1]}**"


def q7_answer(c: Cohorts) -> str:
    onc, ost = run(*c.oncology, c.n, c.seed), run(*c.osteoporosis, c.n, c.seed)
    values = [_show(_rate(x, c.per)) for x in (onc.without.expected_per_1000, onc.bundle.expected_per_1000,
                                                ost.without.expected_per_1000, ost.bundle.expected_per_1000)]
    return (f"# the 'expected {UNITS[c.per][1]}' column of the table above\n"
            f"nnt_oncology = patients_to_prevent_one({values[0]}, {values[1]})\n"
            f"nnt_osteoporosis = patients_to_prevent_one({values[2]}, {values[3]})")


def q7_hidden(result: Any, drug: str, per: int, first: bool) -> str:
    """Question 7's hidden test: the answer as whole patients (rounded to the nearest or up) from the model's exact
    rates or from the rates as the table shows them (5 significant digits), the same rule its seal holds."""
    shown = [_show(_rate(arm.expected_per_1000, per)) for arm in (result.without, result.bundle)]
    return (f"_reference = {nnt(result)!r}  # the model's exact rates\n"
            f"_shown = {per} / ({shown[0]} - {shown[1]})  # the rates as the table shows them\n"
            f"_accepted = {{round(_reference), math.ceil(_reference), round(_shown), math.ceil(_shown)}}\n"
            f"also_accept(SEAL, *_accepted)\n"
            f"assert round(value) in _accepted, (\n"
            f"    f\"Q7: got {{value:g}}; use the {drug} 'expected {UNITS[per][1]}' rows"
            + (", without minus with (Question 7)\"" if first else " (Question 7)\""))


def cohort_calls(c: Cohorts) -> str:
    return f'osteo_widgets.cohort_lab(drug="{c.oncology[0]}", indication="{c.oncology[1]}", n={c.n}, seed={c.seed})'


def quiz_text(c: Cohorts) -> str:
    return f"The {c.oncology[0]} cohort's 5th-95th percentile band"


def q9_text(c: Cohorts) -> str:
    far = nnt(run(*c.osteoporosis, c.n, c.seed))
    reach = "more than a hundred thousand" if far >= 100_000 else "tens of thousands"
    return (f"on {DRUG_WORDS[c.oncology[0]]}, so a few hundred patients must receive it to prevent one case, whereas "
            f"among osteoporosis\npatients on {DRUG_WORDS[c.osteoporosis[0]]} it must reach {reach}")


# ---- Question 8: which inputs are teaching assumptions -------------------------------------------------------------

DEFAULT_INPUTS = ["cohort-extraction-effect", "cohort-share-needing-extraction", "cohort-share-foreseeable",
                  "cohort-stage-at-diagnosis", "cohort-conservative-cure"]
INPUT_POOL = ("cohort-extraction-effect", "cohort-share-needing-extraction", "cohort-share-foreseeable",
              "cohort-stage-at-diagnosis", "cohort-conservative-cure", "vp-surgery-success", "vp-nonsurgical-success",
              "vp-teriparatide", "vp-lprf", "vp-hbo", "vp-progression-untreated", "vp-symptomatic-at-onset",
              "vp-background-horizon")


def assumptions(ids: list[str]) -> list[str]:
    """The teaching assumptions among ``ids``: entries of simulation.yaml whose evidence is a teaching rule."""
    from osteonecrosis import knowledge
    return sorted(i for i in ids if knowledge.find(i, "simulation")["evidence"] == "teaching_rule")


def draw_inputs(rng: random.Random) -> list[str]:
    while True:
        ids = rng.sample(INPUT_POOL, 5)
        k = len(assumptions(ids))
        # 3 or 4 of the five: a list of two (the wrong-submission fixture's) is always short
        # and never all three of the default's: its answer then names an id the list does not hold
        if 3 <= k <= 4 and not set(assumptions(DEFAULT_INPUTS)) <= set(ids):
            return ids


def q8_published_check(ids: list[str]) -> str:
    published = sorted(set(ids) - set(assumptions(ids)))[0]
    return (f'assert "{published}" not in chosen, (\n'
            f'    "Q8: {published} cites a study: a published figure (Question 8 list)"\n)')


def q8_count(ids: list[str]) -> str:
    k = len(assumptions(ids))
    return (f"assert len(chosen) == {k}, (\n"
            f"    f\"Q8: {k} of the five are teaching assumptions; you chose {{len(chosen)}}\")")


# ---- the draw -----------------------------------------------------------------------------------------------------

def default_vignettes() -> list[str]:
    from osteonecrosis import library_case
    return [" ".join(str(library_case(c).extra["vignette"]).split()) for c in DEFAULT_CASES]


def draw_cohorts(rng: random.Random) -> Cohorts:
    onc = rng.choice([o for o in ONCOLOGY if o[0] != DEFAULT_COHORTS.oncology[0]])
    ost = rng.choice([o for o in OSTEOPOROSIS if o != DEFAULT_COHORTS.osteoporosis])
    n = rng.choice(range(10000, 30001, 2000))
    seed = rng.randrange(1, 10_000)
    per = rng.choice([p for p in UNITS if p != DEFAULT_COHORTS.per])
    return Cohorts(onc, ost, n, seed, per)


def draw(rng: random.Random) -> list[Swap]:
    """The swaps of one class's variant of problem set 5."""
    patients = draw_patients(rng)
    q2_label = rng.choice([k + 1 for k, p in enumerate(patients) if p.kind.stage in ("1", "3")])
    q2 = patients[q2_label - 1]
    menu, seeds, plan = draw_menu(q2.kind.stage, rng)
    c = draw_cohorts(rng)
    examples = draw_examples(rng, c.per)
    inputs = draw_inputs(rng)
    story = draw_story(rng)
    return build(patients, q2_label, menu, seeds, plan, c, examples, inputs, story)


def build(patients: tuple[Patient, ...], q2_label: int, menu: list[str], seeds: list[str], plan: list[str],
          c: Cohorts, examples: Examples, inputs: list[str], story: Story = DEFAULT_STORY) -> list[Swap]:
    swaps: list[Swap] = []
    # Part B and Question 3 (first: its cells come before Part C's)
    b = DEFAULT_STORY
    swaps.append(Swap(vp_menu_lines(b), vp_menu_lines(story), ("ps5_vp_menu",)))
    swaps.append(Swap(part_b_text(b), part_b_text(story), ("cell-14",)))
    swaps.append(Swap(q3_extract_visible(b), q3_extract_visible(story), ("ps5_q3_extract_first",)))
    swaps.append(Swap(q3_extract_hidden(b), q3_extract_hidden(story), ("ps5_q3_extract_first",),
                      knowledge=Q3_KNOWLEDGE["extract_before_therapy" in model_decisions(story)]))
    swaps.append(Swap(q3_steps_visible(b), q3_steps_visible(story), ("ps5_q3_in_line",)))
    swaps.append(Swap(q3_story(b), q3_story(story), ("ps5_q3_in_line",),
                      knowledge=Q3_KNOWLEDGE["extract_before_therapy" in model_decisions(story)]))
    swaps.append(Swap(f"opening_decisions = {model_decisions(b)!r}".replace("'", '"'),
                      f"opening_decisions = {model_decisions(story)!r}".replace("'", '"'), ("ps5_q3_answer",)))
    swaps.append(Swap(q4_prompt(b), q4_prompt(story), ("ps5_q4_prompt",)))
    swaps.append(Swap(q4_model(b), q4_model(story), ("ps5_q4_written",)))
    swaps.append(Swap(q4_scheme(b), q4_scheme(story), ("ps5_q4_written",)))
    # Question 1
    for k, (old_text, p) in enumerate(zip(default_vignettes(), patients, strict=True), start=1):
        swaps.append(Swap(old_text, p.vignette, ("cell-03",)))
        d_stage, d_wrong, d_vis, d_hid, d_know = DEFAULT_Q1[k - 1]
        cell = Q1_CELLS[k - 1]
        swaps.append(Swap(q1_visible(k, d_wrong, d_vis), q1_visible(k, p.kind.wrong, p.kind.hint), (cell,)))
        swaps.append(Swap(q1_hidden(k, d_stage, d_hid),
                          q1_hidden(k, engine_stage(p.case), "time, symptoms, stage-3 features, exclusions "
                                    "(notebook 04, 'AAOMS stages')"),
                          (cell,), knowledge=(*STAGING, *p.kind.knowledge)))
    swaps.append(Swap('stages = {"Patient 1": "2", "Patient 2": "3", "Patient 3": "not_mronj"}',
                      "stages = {" + ", ".join(f'"Patient {k}": "{engine_stage(p.case)}"'
                                               for k, p in enumerate(patients, start=1)) + "}", ("ps5_q1_answer",)))
    # Question 2
    q2 = patients[q2_label - 1]
    swaps.append(Swap(DEFAULT_Q2_INTRO, q2_intro(q2_label, q2.drug_phrase, q2.pronoun), ("cell-09",)))
    swaps.append(Swap(repr(DEFAULT_MENU), repr(menu), ("ps5_menu", "ps5_q2_no_seed_claims")))
    swaps.append(Swap(repr(DEFAULT_SEEDS), repr(seeds), ("ps5_q2_no_seed_claims",)))
    swaps.append(Swap(f"stage_plan = {DEFAULT_PLAN!r}".replace("'", '"'), f"stage_plan = {plan!r}".replace("'", '"'),
                      ("ps5_q2_answer",)))
    swaps.append(Swap(DEFAULT_Q2_MODEL, q2_model(q2.kind.stage, q2.pronoun, q2.feature), ("ps5_q2_written",),
                      knowledge=Q2_KNOWLEDGE[q2.kind.stage]))
    # Part C: the cohorts (Questions 5 and 7), the unit (Questions 6 and 7)
    d = DEFAULT_COHORTS
    swaps.append(Swap(part_c_text(d), part_c_text(c), ("cell-27",)))
    for old, new in zip(cohort_lines(d), cohort_lines(c), strict=True):
        swaps.append(Swap(old, new, ("ps5_cohort_run",)))
    swaps.append(Swap(q5_question(d), q5_question(c), ("cell-29",)))
    swaps.append(Swap(q5_answer(d), q5_answer(c), ("ps5_q5_answer",)))
    swaps.append(Swap(q5_hidden(d), q5_hidden(c), ("ps5_q5_cases",)))
    swaps.append(Swap(q5_message(d), q5_message(c), ("ps5_q5_cases",)))
    de = DEFAULT_EXAMPLES
    swaps.append(Swap(q6_text(de), q6_text(examples), ("cell-32",)))
    swaps.append(Swap(q6_answer(de), q6_answer(examples), ("ps5_q6_answer",)))
    swaps.append(Swap(q6_case(de), q6_case(examples), ("ps5_q6_case",)))
    swaps.append(Swap(q6_float(de), q6_float(examples), ("ps5_q6_float",)))
    swaps.append(Swap(q6_edges(de), q6_edges(examples), ("ps5_q6_edges",)))
    swaps.append(Swap(q7_column(d.per), q7_column(c.per), ("cell-37",)))
    swaps.append(Swap(q7_answer(d), q7_answer(c), ("ps5_q7_answer",)))
    for cell, which, first in (("ps5_q7_oncology", "oncology", True), ("ps5_q7_osteoporosis", "osteoporosis", False)):
        old_r, new_r = run(*getattr(d, which), d.n, d.seed), run(*getattr(c, which), c.n, c.seed)
        swaps.append(Swap(q7_hidden(old_r, getattr(d, which)[0], d.per, first),
                          q7_hidden(new_r, getattr(c, which)[0], c.per, first), (cell,)))
    swaps.append(Swap(quiz_text(d), quiz_text(c), ("cell-42",)))
    swaps.append(Swap(cohort_calls(d), cohort_calls(c), ("cell-44",)))
    swaps.append(Swap(q9_text(d), q9_text(c), ("ps5_q9_written",)))
    # Question 8
    swaps.append(Swap(repr(DEFAULT_INPUTS), repr(inputs), ("ps5_inputs", "ps5_q8_visible")))
    swaps.append(Swap(q8_published_check(DEFAULT_INPUTS), q8_published_check(inputs), ("ps5_q8_visible",)))
    swaps.append(Swap(q8_count(DEFAULT_INPUTS), q8_count(inputs), ("ps5_q8_complete",)))
    swaps.append(Swap(repr(assumptions(DEFAULT_INPUTS)), repr(assumptions(inputs)), ("ps5_q8_complete",)))
    swaps.append(Swap(f"teaching_assumptions = {assumptions(DEFAULT_INPUTS)!r}".replace("'", '"'),
                      f"teaching_assumptions = {assumptions(inputs)!r}".replace("'", '"'), ("ps5_q8_answer",)))
    return swaps
