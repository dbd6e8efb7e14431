"""Variants of problem set 3 (management): which patients, schedules and labels a class's copy uses.

What varies (without changing what is taught):

- Patient 1 (Question 1): a new oncology patient with stage 2 MRONJ (cancer, drug and regimen from the drug
  catalogue, months on the drug, weeks of exposure, exposed bone or a probing fistula, pain and/or infection,
  site). The stage stays 2: the wrong-submission fixtures and the written part of Question 1 (the stage-2
  evidence of notebook 05) rest on it.
- Patients 2 and 3 (Questions 2-3): two patients who do not have MRONJ, in two different situations of the case
  definition (jaw radiotherapy, a jaw metastasis, exposure of 8 weeks or less, no drug ever, or no drug ever
  together with radiotherapy or a metastasis), never the default's situation for the same question; each plan is
  what ``osteonecrosis.plan.make_plan`` lists from the menu.
- Question 4: three of the five trial and protocol schedules (totals from ``management.hbo_sessions_total``).
- Question 5: the letters under which the schedules are listed (the unsupported one from
  ``management.unsupported_hbo_schedules``).
- Question 6: which split schedule a patient is on and how many sessions after surgery he has had.
- Question 8: the letters of the six options (the right one is the outcome of the ``ion-curettage`` entry).

What stays: Question 9 (the seed's scheme is credited to one paper, Díaz-Reverand 2018, 19 patients; Question
10's hand-graded discussion rests on it), the stage of Patient 1 (see above).

Every literal a swap replaces is built here from the same template as the default notebook's text, so an
instructor's edit of one of those lines is one clear VariantError naming the cell.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from typing import Any

from osteonecrosis import knowledge, management, staging
from osteonecrosis.cases import Case, case_from_dict, library_case
from osteonecrosis.plan import make_plan

from . import Swap

ASSIGNMENT = "ps3_management"

# ---- the menu of Part A (cell-03 of the notebook builds the same list) ------------------------------------

MENU_REASONS = ("jaw_radiotherapy", "jaw_metastasis", "short_exposure", "no_drug")
REASON_ENTRY = {"jaw_radiotherapy": "not-mronj-radiotherapy", "jaw_metastasis": "not-mronj-metastasis",
                "short_exposure": "not-mronj-short", "no_drug": "not-mronj-no-drug"}
DEFAULT_REASONS = {"q2": "jaw_radiotherapy", "q3": "short_exposure"}
DEFAULT_CASES = {"q1": "onc-denosumab-stage2", "q2": "onc-radiotherapy-orn", "q3": "op-short-exposure"}
# What a hidden test says when the plan is wrong (shown at grading only).
REASON_HINT = {
    "jaw_radiotherapy": "the case definition first",
    "jaw_metastasis": "the case definition first: what did the biopsy find?",
    "short_exposure": "8 weeks or less is not MRONJ yet: no AAOMS items",
    "no_drug": "the case definition first: which drugs, ever?",
}
CASE_DEFINITION = ("staging.yaml#mronj-case-definition", "staging.yaml#crit-exposure",
                   "staging.yaml#crit-exposed-bone", "staging.yaml#crit-no-radiation-no-metastasis",
                   "staging.yaml#aaoms2022-staging")


def field_of(obj: Any, name: str) -> Any:
    """A field of an engine result or knowledge item: attribute first (typed results), mapping otherwise."""
    if hasattr(obj, name) and not isinstance(obj, dict):
        return getattr(obj, name)
    return obj[name]


def menu_ids() -> list[str]:
    """The plan-item ids of Part A's menu: AAOMS 2022 items per stage and the not-MRONJ items."""
    items = [i for stage in management.STAGE_CODES for i in management.stage_actions(stage)]
    items += management.not_mronj_actions(list(MENU_REASONS))
    return sorted(field_of(i, "id") for i in items)


def menu_plan(case: Case) -> list[str]:
    """The menu items the course's plan gives a case (order of the plan)."""
    plan = make_plan(case, today=case.assessed_on)
    menu = set(menu_ids())
    return [field_of(i, "id") for i in field_of(plan, "management") if field_of(i, "id") in menu]


# ---- patients -----------------------------------------------------------------------------------------------

def _regimens(indication: str, oncologic: bool) -> list[tuple[str, dict[str, Any]]]:
    from osteonecrosis.cases import drug_catalogue

    out = []
    for drug, entry in sorted(drug_catalogue().items()):
        if not entry.get("antiresorptive"):
            continue
        for reg in entry.get("regimens") or []:
            if reg["indication"] == indication and (reg["risk_group"] == "oncologic") == oncologic \
                    and reg.get("dose_mg") and reg.get("every_days"):
                out.append((drug, reg))
    return out


DRUG_NAMES = {"zoledronate": "zoledronic acid"}
ROUTE_WORDS = {"iv": " intravenously", "sc": "", "oral": " by mouth"}
CANCERS = {"male": ["lung", "prostate", "kidney"], "female": ["breast", "lung", "kidney"]}
HEAD_NECK = ["oropharyngeal", "tongue", "tonsil", "floor-of-mouth"]


def _every(days: float) -> str:
    days = int(days)
    if days == 1:
        return "daily"
    if days == 7:
        return "once a week"
    if days % 7 == 0:
        return f"every {days // 7} weeks"
    if days in (30, 31):
        return "once a month"
    if days in (182, 183):
        return "every 6 months"
    if days == 365:
        return "once a year"
    return f"every {days} days"


def _duration(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years > 1 else ''}"
    return f"{months} months"


def _drug_text(drug: str, reg: dict[str, Any]) -> str:
    dose = f"{reg['dose_mg']:g} mg"
    return f"{DRUG_NAMES.get(drug, drug)} {dose}{ROUTE_WORDS.get(reg['route'], '')} {_every(reg['every_days'])}"


def _medication(drug: str, reg: dict[str, Any], months: int) -> dict[str, Any]:
    return {"drug": drug, "months": months, "current": True, "dose_mg": reg["dose_mg"],
            "every_days": reg["every_days"], "route": reg["route"]}


def _person(rng: random.Random, low: int, high: int) -> tuple[int, str]:
    return rng.randint(low, high), rng.choice(["male", "female"])


def _a(word: str) -> str:
    """'a' or 'an' before a word or number as it is said ('an 81-year-old', 'an oropharyngeal')."""
    said_with_vowel = word[0] in "aeiou" or word.startswith(("8", "11-", "18-"))
    return f"{'an' if said_with_vowel else 'a'} {word}"


def _noun(sex: str) -> str:
    return "man" if sex == "male" else "woman"


def _assessed_on(rng: random.Random) -> dt.date:
    return dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(0, 330))


def _case(data: dict[str, Any]) -> Case:
    """The case as the contract reads it (``data`` is kept beside it: contract-shaped, e.g. for the property
    suite)."""
    return case_from_dict(data)


def stage2_patient(rng: random.Random) -> dict[str, Any]:
    """Patient 1: an oncology patient with stage 2 MRONJ (pain and/or infection, alveolar bone only)."""
    age, sex = _person(rng, 48, 84)
    indication = rng.choice(["bone_metastases", "multiple_myeloma"])
    drug, reg = rng.choice(_regimens(indication, oncologic=True))
    months = rng.randint(9, 48)
    weeks = rng.randint(9, 30)
    lesion = rng.choice(["exposed", "fistula"])
    symptoms = rng.choice(["pain+infection", "pain", "infection"])
    site = rng.choice(["posterior mandible", "anterior mandible", "posterior maxilla", "premolar region of the "
                       "mandible"])
    pain, infection = "pain" in symptoms, "infection" in symptoms
    illness = ("multiple myeloma" if indication == "multiple_myeloma"
               else f"{rng.choice(CANCERS[sex])} cancer and bone metastases")
    where = (f"exposed bone in the {site}" if lesion == "exposed"
             else f"an intraoral fistula in the {site} that probes to bone")
    feel = {"pain+infection": "The area is painful, the mucosa is red and swollen, and pus drains.",
            "pain": "The area is painful; the mucosa is not red or swollen and there is no pus.",
            "infection": "It does not hurt, but the mucosa around it is red and swollen and pus drains."}[symptoms]
    person = f"{_a(f'{age}-year-old').capitalize()} {_noun(sex)}"
    text = (f"{person} with {illness}, on {_drug_text(drug, reg)} for {_duration(months)}, "
            f"has {where} for {weeks} weeks. {feel} Imaging shows the necrosis is confined to the alveolar bone.")
    data = {"patient": {"age": age, "sex": sex}, "indication": indication,
            "medications": [_medication(drug, reg, months)],
            "findings": {"exposed_bone": lesion == "exposed", "fistula_probes_to_bone": lesion == "fistula",
                         "weeks_persisting": weeks, "pain": pain, "infection": infection},
            "assessed_on": _assessed_on(rng).isoformat()}
    case = _case(data)
    signs = {"pain+infection": "pain, pus", "pain": "pain", "infection": "pus without pain"}[symptoms]
    return {"case": case, "data": data, "text": text, "sex": sex,
            "hint": f"{weeks} weeks, {signs}, alveolar bone only",
            "finding": model_finding(lesion, symptoms), "first": model_first(symptoms)}


def model_finding(lesion: str, symptoms: str) -> str:
    """The model answer's account of Patient 1's stage (the default: exposed bone, pain and infection)."""
    what = "exposed bone" if lesion == "exposed" else "a fistula that probes to bone"
    how = {"pain+infection": "pain and\ninfection", "pain": "pain\n(no infection)",
           "infection": "infection\n(no pain)"}[symptoms]
    return f"MRONJ: {what} for more than 8 weeks with {how}, confined to the alveolar bone."


def model_first(symptoms: str) -> str:
    return {"pain+infection": "I would control the infection and pain first",
            "pain": "I would control the pain first", "infection": "I would control the infection first"}[symptoms]


def not_mronj_patient(rng: random.Random, reason: str) -> dict[str, Any]:
    """A patient who does not have MRONJ for exactly one reason of the case definition."""
    age, sex = _person(rng, 45, 86)
    data: dict[str, Any] = {"patient": {"age": age, "sex": sex}, "assessed_on": _assessed_on(rng).isoformat()}
    weeks = rng.randint(10, 26)
    person = f"{_a(f'{age}-year-old').capitalize()} {_noun(sex)}"
    if reason == "jaw_radiotherapy":
        oncologic = rng.random() < 0.6
        indication = "bone_metastases" if oncologic else "osteoporosis"
        drug, reg = rng.choice(_regimens(indication, oncologic))
        months = rng.randint(4, 36)
        years = rng.randint(1, 6)
        why = "for bone metastases" if oncologic else "for osteoporosis"
        text = (f"{person} treated {years} year{'s' if years > 1 else ''} ago with radiotherapy for "
                f"{_a(rng.choice(HEAD_NECK))} cancer (the mandible was in the field) has had "
                f"{_drug_text(drug, reg)} {why} for {_duration(months)}. Bone has been exposed in the irradiated "
                f"posterior mandible for {weeks} weeks.")
        data.update(indication=indication, medications=[_medication(drug, reg, months)], jaw_radiotherapy=True,
                     findings={"exposed_bone": True, "weeks_persisting": weeks, "pain": rng.random() < 0.5})
    elif reason == "jaw_metastasis":
        drug, reg = rng.choice(_regimens("bone_metastases", True))
        months = rng.randint(4, 36)
        cancer = rng.choice(CANCERS[sex])
        text = (f"{person} with {cancer} cancer and bone metastases, on {_drug_text(drug, reg)} for "
                f"{_duration(months)}, has had bone exposed in the posterior mandible for {weeks} weeks. A biopsy "
                f"of the lesion shows {cancer} cancer cells in the jaw bone.")
        data.update(indication="bone_metastases", medications=[_medication(drug, reg, months)],
                    jaw_metastasis=True, findings={"exposed_bone": True, "weeks_persisting": weeks, "pain": True})
    elif reason == "short_exposure":
        oncologic = rng.random() < 0.4
        indication = "bone_metastases" if oncologic else "osteoporosis"
        drug, reg = rng.choice(_regimens(indication, oncologic))
        months = rng.randint(12, 72)
        short = rng.randint(3, 8)
        tooth = rng.choice(["a lower molar", "an upper premolar", "a lower premolar", "an upper molar"])
        sore = rng.random() < 0.5
        feel = "it is sore but not infected" if sore else "it is not painful and not infected"
        text = (f"{person} on {_drug_text(drug, reg)} for {_duration(months)} had {tooth} extracted {short} "
                f"weeks ago. A small area of bone is still exposed in the socket; {feel}.")
        data.update(indication=indication, medications=[_medication(drug, reg, months)],
                    findings={"exposed_bone": True, "weeks_persisting": short, "pain": sore})
    elif reason == "no_drug":
        cause = rng.choice(["under a lower denture", "on the lingual side of the mandible",
                            "in the socket of a molar extracted months ago"])
        text = (f"{person} with osteoporosis, treated with calcium and vitamin D only (never a bisphosphonate, "
                f"denosumab or any other bone or antiangiogenic drug), has had bone exposed {cause} for {weeks} "
                f"weeks. It is sore, and the mucosa around it is red.")
        data.update(indication="osteoporosis", medications=[],
                    findings={"exposed_bone": True, "weeks_persisting": weeks, "pain": True, "infection": True})
    else:
        raise ValueError(f"reason: unknown {reason!r}")
    return {"case": _case(data), "data": data, "text": text, "sex": sex, "reasons": (reason,)}


NEVER_A_DRUG = "no bisphosphonate, denosumab or any other bone or antiangiogenic drug, ever"


def two_reason_patient(rng: random.Random, reasons: tuple[str, str]) -> dict[str, Any]:
    """A patient excluded twice: no drug ever, and jaw radiotherapy or a jaw metastasis."""
    age, sex = _person(rng, 45, 86)
    data: dict[str, Any] = {"patient": {"age": age, "sex": sex}, "assessed_on": _assessed_on(rng).isoformat(),
                            "medications": [], "findings": {"exposed_bone": True, "weeks_persisting":
                                                            rng.randint(10, 26), "pain": rng.random() < 0.5}}
    weeks = data["findings"]["weeks_persisting"]
    person = f"{_a(f'{age}-year-old').capitalize()} {_noun(sex)}"
    if reasons == ("no_drug", "jaw_radiotherapy"):
        years = rng.randint(1, 6)
        text = (f"{person} treated {years} year{'s' if years > 1 else ''} ago with radiotherapy for "
                f"{_a(rng.choice(HEAD_NECK))} cancer (the mandible was in the field) has had {NEVER_A_DRUG}. "
                f"Bone has been exposed in the irradiated posterior mandible for {weeks} weeks.")
        data.update(indication="other", jaw_radiotherapy=True)
    elif reasons == ("no_drug", "jaw_metastasis"):
        cancer = rng.choice(CANCERS[sex])
        text = (f"{person} with {cancer} cancer and bone metastases, who has had {NEVER_A_DRUG}, has had bone exposed "
                f"in the posterior mandible for {weeks} weeks. A biopsy of the lesion shows {cancer} cancer cells "
                f"in the jaw bone.")
        data.update(indication="bone_metastases", jaw_metastasis=True)
    else:
        raise ValueError(f"reasons: no two-reason patient for {reasons!r}")
    return {"case": _case(data), "data": data, "text": text, "sex": sex, "reasons": reasons}


# Who can be Patient 2 or 3: the exclusions of the case definition, as the engine orders them (one, or two
# with 'no drug ever'; a short exposure is only named when nothing else excludes MRONJ).
SITUATIONS: tuple[tuple[str, ...], ...] = (("jaw_radiotherapy",), ("jaw_metastasis",), ("short_exposure",),
                                           ("no_drug",), ("no_drug", "jaw_radiotherapy"),
                                           ("no_drug", "jaw_metastasis"))


def situation_patient(rng: random.Random, reasons: tuple[str, ...]) -> dict[str, Any]:
    return not_mronj_patient(rng, reasons[0]) if len(reasons) == 1 else two_reason_patient(rng, reasons)  # type: ignore[arg-type]


# ---- HBO schedules -------------------------------------------------------------------------------------------

Q4_POOL = ("hbo-marx-prophylaxis", "hbo-freiberger2012-rct", "hbo-marx-orn-stage2", "hbo-marx-orn-stage3",
           "hbo-dahanca21")
Q4_DEFAULT = ("hbo-marx-prophylaxis", "hbo-freiberger2012-rct", "hbo-dahanca21")
Q5_DEFAULT_ORDER = ("hbo-seed-30", "hbo-seed-60", "hbo-freiberger2012-rct", "hbo-marx-prophylaxis",
                    "hbo-marx-orn-stage1", "hbo-marx-orn-stage2", "hbo-marx-orn-stage3", "hbo-dahanca21")
# tests/fixtures/wrong_submissions/ps3_management.yaml: the letters its wrong answers give (the 40-session trial
# and the seed's 30-session schedule, by default); the unsupported schedule is never under one of them
Q5_FIXTURE_LETTERS = ("C", "A")
LETTERS = "ABCDEFGH"
Q6_SCHEDULES = ("hbo-marx-prophylaxis", "hbo-dahanca21")
SHORT_NAMES = {"hbo-marx-prophylaxis": "Marx prophylaxis", "hbo-dahanca21": "DAHANCA-21"}


def _schedule(sid: str) -> Any:
    return management.hbo_protocol(sid)


def _split(sid: str) -> tuple[int, int] | None:
    p = _schedule(sid)
    before, after = field_of(p, "sessions_before"), field_of(p, "sessions_after")
    return (int(before), int(after)) if before is not None and after is not None else None


def q4_lines(sid: str, first: bool) -> list[str]:
    """The lines of a Question 4 test cell that name its schedule (the default notebook holds them)."""
    total = management.hbo_sessions_total(sid)
    lines = [f"n = as_number(hbo_sessions['{sid}'], 'Q4 {sid}')", f'visible_checks_passed("Q4 {sid}")',
             f'assert n == {total}, "Q4 {sid}: count every session, before and after surgery"',
             f'sealed_check(n, SEAL, "Q4 {sid}: recount its sessions (notebook 05, \'Hyperbaric\')")']
    if first:
        before = _split(sid)[0]  # type: ignore[index]
        lines.append(f'assert n > {before}, "Q4 {sid}: sessions BEFORE and AFTER surgery (notebook 05, '
                     f"'Hyperbaric oxygen')\"")
    return lines


def q4_wanted(ids: tuple[str, ...]) -> str:
    return f"wanted = {sorted(ids)!r}"


def q4_answer(ids: tuple[str, ...]) -> str:
    body = ", ".join(f'"{sid}": {management.hbo_sessions_total(sid)}' for sid in ids)
    return f"hbo_sessions = {{{body}}}"


def q4_markdown(ids: tuple[str, ...]) -> str:
    return f'`"{ids[0]}"`, `"{ids[1]}"` and `"{ids[2]}"`.'


def draw_q4(rng: random.Random) -> tuple[str, ...]:
    """Three schedules, the first split before/after surgery with a 'before' count that is none of the
    three totals (a visible check tests it), never the default's three; each allowed set equally likely."""
    sets = [s for s in itertools.combinations(Q4_POOL, 3) if set(s) != set(Q4_DEFAULT)]
    ids = list(rng.choice(sets))
    rng.shuffle(ids)
    firsts = [sid for sid in ids if _split(sid) is not None
              and _split(sid)[0] not in {management.hbo_sessions_total(s) for s in ids}]  # type: ignore[index]
    first = rng.choice(firsts)
    return (first, *[sid for sid in ids if sid != first])


def q5_block(order: tuple[str, ...]) -> str:
    return "\n".join(f"- **{letter}** `{sid}`" for letter, sid in zip(LETTERS, order, strict=True))


def _letter(order: tuple[str, ...], sid: str) -> str:
    return LETTERS[order.index(sid)]


def draw_q5(rng: random.Random) -> tuple[str, ...]:
    """A new lettering of the eight schedules: the unsupported one never under the default's letter nor under
    a letter of the fixture's wrong answers. The draw rejects the first fixture letter; a lettering that puts it
    under another fixture letter swaps it with the schedule under the first allowed letter, without drawing
    again (the later questions' draws, and so the measured spread of the 20 test secrets, stay as they were)."""
    (unsupported,) = management.unsupported_hbo_schedules()
    default_letter = _letter(Q5_DEFAULT_ORDER, unsupported)
    while True:
        order = list(Q5_DEFAULT_ORDER)
        rng.shuffle(order)
        if _letter(tuple(order), unsupported) not in (default_letter, Q5_FIXTURE_LETTERS[0]):
            break
    if _letter(tuple(order), unsupported) in Q5_FIXTURE_LETTERS:
        i = order.index(unsupported)
        j = next(k for k, letter in enumerate(LETTERS) if letter not in (default_letter, *Q5_FIXTURE_LETTERS))
        order[i], order[j] = order[j], order[i]
    return tuple(order)


def q6_question(sid: str, after_done: int) -> str:
    """The sentence of Question 6 (the default: the whole Marx prophylaxis schedule)."""
    before, after = _split(sid)  # type: ignore[misc]
    if after_done == after:
        return (f"How many **hours** under pressure does the whole {SHORT_NAMES[sid]} schedule (`\"{sid}\"`) take "
                f"(all its sessions, at the minutes per session given)?")
    return (f"Patient 4 is on the {SHORT_NAMES[sid]} schedule (`\"{sid}\"`): all {before} sessions before surgery "
            f"are done, and {after_done} of those after. How many **hours** has this patient spent under pressure "
            f"so far (at the minutes per session given)?")


def q6_hours(sid: str, after_done: int) -> float:
    before, after = _split(sid)  # type: ignore[misc]
    minutes = field_of(_schedule(sid), "minutes")
    hours = (before + after_done) * minutes / 60
    if after_done == after:
        assert hours == management.hbo_chamber_hours(sid)
    return float(hours)


def q6_answer(sid: str, after_done: int) -> str:
    before, _ = _split(sid)  # type: ignore[misc]
    return f"chamber_hours = ({before} + {after_done}) * {field_of(_schedule(sid), 'minutes')} / 60"


def q6_hidden(sid: str, after_done: int) -> str:
    """The hidden test's line: the hours to one decimal place, the precision the question asks for (the same
    rule as the sealed check, which seals ``round(value, 1)``)."""
    return f"assert round(value, 1) == {round(q6_hours(sid, after_done), 1)!r}, ("


Q6_MINUTES_PER_HOUR = 60  # the visible check's message says "divide by 60": never an answer


def draw_q6(rng: random.Random) -> tuple[str, int]:
    """A split schedule and how many of its sessions after surgery are done (never the default's 45 hours, never
    60 hours, the number the visible message names)."""
    default = q6_hours("hbo-marx-prophylaxis", 10)
    options = [(sid, k) for sid in Q6_SCHEDULES for k in range(1, _split(sid)[1] + 1)  # type: ignore[index]
               if q6_hours(sid, k) not in (default, Q6_MINUTES_PER_HOUR)]
    return rng.choice(options)


# ---- Question 8 ---------------------------------------------------------------------------------------------

Q8_OPTIONS = ("healing of the jaw lesions, confirmed on radiographs",
              "long-term pain abatement (mailed survey), not lesion healing",
              "cure of MRONJ after curettage in a controlled trial",
              "patients who needed no further surgery",
              "patients free of a local recurrence at the operated site",
              "patients in whom no new focus of osteonecrosis appeared elsewhere in the jaws")
Q8_HEALING = Q8_OPTIONS[0]
Q8_FIXTURE_LETTER = "A"  # the fixture's 'reads the 74% as lesion healing'


def q8_right() -> str:
    """The right option: the outcome the knowledge base gives for the seed's 74%."""
    outcome = str(knowledge.find("ion-curettage", "management")["outcome"])
    if outcome not in Q8_OPTIONS:
        raise ValueError(f"ion-curettage outcome {outcome!r} is none of Question 8's options")
    return outcome


def q8_setup(order: tuple[str, ...]) -> str:
    return f"BOUQUOT_OPTIONS = {dict(zip(LETTERS, order, strict=False))!r}"


def q8_block(order: tuple[str, ...]) -> str:
    return "\n".join(f"- **{letter}** {text}" for letter, text in zip(LETTERS, order, strict=False))


def draw_q8(rng: random.Random) -> tuple[str, ...]:
    """A new order of the options: the right one never under the default's letter nor the fixture's."""
    right = q8_right()
    default_letter = LETTERS[Q8_OPTIONS.index(right)]
    while True:
        order = list(Q8_OPTIONS)
        rng.shuffle(order)
        if LETTERS[order.index(right)] not in (default_letter, Q8_FIXTURE_LETTER):
            return tuple(order)


# ---- the draw -----------------------------------------------------------------------------------------------

def _paragraph(number: int, text: str) -> str:
    return f"**Patient {number}.** {text}"


def _default_text(key: str) -> str:
    return " ".join(str(library_case(DEFAULT_CASES[key]).extra["vignette"]).split())


def _pronoun(sex: str) -> tuple[str, str]:
    return ("him", "his") if sex == "male" else ("her", "her")


def situations_pair(rng: random.Random) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Two different situations, neither the default's for the same question, each pair equally likely."""
    pairs = [(q2, q3) for q2, q3 in itertools.permutations(SITUATIONS, 2)
             if q2 != (DEFAULT_REASONS["q2"],) and q3 != (DEFAULT_REASONS["q3"],)]
    return rng.choice(pairs)


def _plan_knowledge(reasons: tuple[str, ...]) -> tuple[str, ...]:
    extra = ("staging.yaml#rule-short-exposure",) if "short_exposure" in reasons else ()
    return (*CASE_DEFINITION, *(f"management.yaml#{REASON_ENTRY[r]}" for r in reasons), *extra)


def _hint(reasons: tuple[str, ...]) -> str:
    return REASON_HINT[reasons[0]] if len(reasons) == 1 else "the case definition first: every reason that applies"


def patients(rng: random.Random) -> dict[str, dict[str, Any]]:
    """Patients 1-3 of a variant (drawn first, in this order, by :func:`draw`), each checked against the engine;
    Patients 2 and 3 carry ``plan``, the menu items the course's plan gives them (their key)."""
    p1 = stage2_patient(rng)
    _expect(p1["case"], stage="2")
    out = {"q1": p1}
    for key, reasons in zip(("q2", "q3"), situations_pair(rng), strict=True):
        patient = situation_patient(rng, reasons)
        _expect(patient["case"], stage="not_mronj", reasons=list(reasons))
        patient["plan"] = menu_plan(patient["case"])
        if patient["plan"] != [REASON_ENTRY[r] for r in reasons]:
            raise AssertionError(f"{key}: the plan's menu items are {patient['plan']}, not the items of {reasons}")
        out[key] = patient
    return out


def _expect(case: Case, stage: str | None = None, reasons: list[str] | None = None) -> None:
    """The engine's verdict on a drawn case must be the one its question is about (else a bug in a draw)."""
    result = staging.stage(case)
    if stage is not None and field_of(result, "stage") != stage:
        raise AssertionError(f"drawn case staged {field_of(result, 'stage')!r}, expected {stage!r}")
    if reasons is not None and list(field_of(result, "exclusions")) != reasons:
        raise AssertionError(f"drawn case excluded for {field_of(result, 'exclusions')!r}, expected {reasons!r}")


def draw(rng: random.Random) -> list[Swap]:
    """The swaps of one class's variant of ps3_management (see the module docstring)."""
    swaps: list[Swap] = []
    drawn = patients(rng)
    # Question 1: a stage-2 patient
    p1 = drawn["q1"]
    him, his = _pronoun(p1["sex"])
    swaps += [
        Swap(_paragraph(1, _default_text("q1")), _paragraph(1, p1["text"]), ("cell-04",)),
        Swap("16 weeks, pain, pus, alveolar bone only", p1["hint"], ("q1_tests",)),
        Swap("what would you offer him,", f"what would you offer {him},", ("cell-07",)),
        Swap("**Model answer.** He has stage 2", f"**Model answer.** {'He' if him == 'him' else 'She'} has stage 2",
             ("q1_written",)),
        Swap(model_finding("exposed", "pain+infection"), p1["finding"], ("q1_written",)),
        Swap(model_first("pain+infection"), p1["first"], ("q1_written",)),
        Swap("with him and his oncologist, weighing his prognosis", f"with {him} and {his} oncologist, weighing "
             f"{his} prognosis", ("q1_written",)),
    ]
    # Questions 2 and 3: two patients without MRONJ, in two different situations
    for key, number in (("q2", 2), ("q3", 3)):
        patient = drawn[key]
        plan, default = patient["plan"], (DEFAULT_REASONS[key],)
        default_plan = [REASON_ENTRY[DEFAULT_REASONS[key]]]
        swaps += [
            Swap(_paragraph(number, _default_text(key)), _paragraph(number, patient["text"]),
                 (f"cell-{9 + 3 * (number - 2):02d}",)),
            Swap(f"missing_and_extra(given, {default_plan!r})", f"missing_and_extra(given, {plan!r})",
                 (f"{key}_tests",), knowledge=_plan_knowledge(patient["reasons"])),
            Swap(f"plan_patient_{number} = {json.dumps(default_plan)}", f"plan_patient_{number} = {json.dumps(plan)}",
                 (f"{key}_plan",)),
            Swap(f"Patient {number}: {_hint(default)} (missing", f"Patient {number}: {_hint(patient['reasons'])} "
                 f"(missing", (f"{key}_tests",)),
        ]
    # Question 4: three schedules
    ids = draw_q4(rng)
    slots = ("q4_schedule_a", "q4_schedule_b", "q4_schedule_c")
    swaps += [Swap(q4_markdown(Q4_DEFAULT), q4_markdown(ids), ("cell-17",)),
              Swap(q4_answer(Q4_DEFAULT), q4_answer(ids), ("q4_sessions",)),
              Swap(q4_wanted(Q4_DEFAULT), q4_wanted(ids), slots)]
    for i, (slot, old, new) in enumerate(zip(slots, Q4_DEFAULT, ids, strict=True)):
        for j, (a, b) in enumerate(zip(q4_lines(old, i == 0), q4_lines(new, i == 0), strict=True)):
            swaps.append(Swap(a, b, (slot,), knowledge=({"entry": f"management.yaml#{new}", "field": "sessions_total"},)
                              if j == 0 else None))
    # Question 5: the letters of the schedules
    order = draw_q5(rng)
    (unsupported,) = management.unsupported_hbo_schedules()
    old_q4_letters = sorted(_letter(Q5_DEFAULT_ORDER, s) for s in Q4_DEFAULT)
    new_q4_letters = sorted(_letter(order, s) for s in ids)
    old_letter, new_letter = _letter(Q5_DEFAULT_ORDER, unsupported), _letter(order, unsupported)
    swaps += [Swap(q5_block(Q5_DEFAULT_ORDER), q5_block(order), ("cell-22",)),
              Swap(f"unsupported_schedule = \"{old_letter}\"", f"unsupported_schedule = \"{new_letter}\"",
                   ("q5_unsupported",)),
              Swap(f"not in {old_q4_letters!r}", f"not in {new_q4_letters!r}", ("q5_tests",)),
              Swap(f"unsupported_schedule == '{old_letter}'", f"unsupported_schedule == '{new_letter}'",
                   ("q5_tests",))]
    # Question 6: hours under pressure
    sid, after_done = draw_q6(rng)
    swaps += [Swap(q6_question("hbo-marx-prophylaxis", 10), q6_question(sid, after_done), ("cell-25",)),
              Swap(q6_answer("hbo-marx-prophylaxis", 10), q6_answer(sid, after_done), ("q6_hours",)),
              Swap(q6_hidden("hbo-marx-prophylaxis", 10), q6_hidden(sid, after_done), ("q6_tests",),
                   knowledge=(f"management.yaml#{sid}",))]
    # Question 8: the letters of the options
    opts = draw_q8(rng)
    right = q8_right()
    old_right, new_right = LETTERS[Q8_OPTIONS.index(right)], LETTERS[opts.index(right)]
    old_heal, new_heal = LETTERS[Q8_OPTIONS.index(Q8_HEALING)], LETTERS[opts.index(Q8_HEALING)]
    swaps += [Swap(q8_setup(Q8_OPTIONS), q8_setup(opts), ("setup",)),
              Swap(q8_block(Q8_OPTIONS), q8_block(opts), ("cell-30",)),
              Swap(f'bouquot_74_measures = "{old_right}"', f'bouquot_74_measures = "{new_right}"', ("q8_bouquot",)),
              Swap(f'bouquot_74_measures != "{old_heal}"', f'bouquot_74_measures != "{new_heal}"', ("q8_tests",)),
              Swap(f"bouquot_74_measures == '{old_right}'", f"bouquot_74_measures == '{new_right}'", ("q8_tests",))]
    return swaps
