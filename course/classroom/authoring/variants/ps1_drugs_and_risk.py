"""Per-class variants of ps1 (the drugs and the risk): which drugs, regimens and risk figures each question uses.

What a question teaches stays; what it is asked about is drawn from the knowledge base (only entries that may be
an answer key, ``osteonecrosis.knowledge.answer_key_problems``), and every expected value is computed from it:

- Q1: five drugs of the catalogue (their classes are the key); the third is the one checked now.
- Q2: four drugs: two checked at grading (retained in bone or not: the catalogue's half-life kind), two
  checked now, drawn from the drugs not stored in bone (the wrong form the visible check catches).
- Q3/Q5: an osteoporosis regimen and a cancer regimen of one drug (the yearly ratio is Q5's key).
- Q4: the interval's unit (days or weeks), the worked example and the hidden cases (catalogue regimens).
- Q6/Q7: the natural-frequency denominator (per 1000 or per 10,000) and Q6's hidden percentages.
- Q8: the Task Force baseline (top or bottom of the range) and the pooled estimate (crude relative risk or
  adjusted hazard ratio) of the extraction meta-analysis.

A drawn variant never reproduces the default's key for a question whose model answer would then pass (the
default answers score at most 20% on any variant; test_variants_ps1.py).
"""

from __future__ import annotations

import random
from typing import Any

from osteonecrosis import cases, knowledge

from classroom.authoring.variants import Swap, rename

DEFAULT_Q1 = ("alendronate", "zoledronate", "denosumab", "romosozumab", "bevacizumab")
DEFAULT_Q2 = ("alendronate", "zoledronate", "denosumab", "romosozumab")
DEFAULT_Q3 = ("zoledronate-op-yearly", "zoledronate-onc-monthly")
DEFAULT_Q4_EXAMPLE = "alendronate-op-weekly"
#: Q4's graded inputs (visible beside its sealed check) and the yearly mg the hidden test expects of them
DEFAULT_Q4_INPUTS = [(1, 0.5), (150, 30), (60, 182), (120, 28), (90, 28), (3, 90)]
DEFAULT_Q4_WANTS = [dose * 365 / every for dose, every in DEFAULT_Q4_INPUTS]
DEFAULT_Q8 = ("high_percent", "extraction-crude-rr")
HIDDEN_CASES = 5
MAX_KEPT = 4  # of 22 autograded points: the default's answers earn at most 18% on any variant
PERCENTS = 3
#: a hint for the class checked now, pointing to the section of notebook 01 on it (the class's own words)
#: the common wrong forms the visible check refuses for the class checked now (never the class itself: the
#: model answer stays in the hidden tests)
CLASS_WRONG = {
    "nitrogen_bisphosphonate": ("non_nitrogen_bisphosphonate", "rank_ligand_antibody", "sclerostin_antibody"),
    "rank_ligand_antibody": ("nitrogen_bisphosphonate", "non_nitrogen_bisphosphonate"),
    "sclerostin_antibody": ("nitrogen_bisphosphonate", "non_nitrogen_bisphosphonate"),
    "antiangiogenic": ("nitrogen_bisphosphonate", "non_nitrogen_bisphosphonate", "rank_ligand_antibody"),
}
CLASS_HINT = {
    "nitrogen_bisphosphonate": "a bisphosphonate that contains nitrogen (notebook 01, 'Bisphosphonates')",
    "rank_ligand_antibody": "an antibody, not a bisphosphonate (notebook 01, 'Denosumab')",
    "sclerostin_antibody": "an antibody against sclerostin, not a bisphosphonate (notebook 01, 'Romosozumab')",
    "antiangiogenic": "it acts on vessels, not on osteoclasts (notebook 01, 'Antiangiogenic drugs')",
}
SECTION = {"denosumab": "Denosumab", "romosozumab": "Romosozumab"}
MEASURE = {"extraction-crude-rr": "crude relative risk", "extraction-adjusted-hr": "adjusted hazard ratio"}
BASELINE = {"high_percent": "top", "low_percent": "bottom"}


def _eligible(entry_id: str) -> bool:
    return not knowledge.answer_key_problems([entry_id])


def drugs() -> dict[str, dict[str, Any]]:
    """The catalogue's drugs that may be an answer key, with a class the question's table lists."""
    return {d: v for d, v in cases.drug_catalogue().items() if _eligible(d) and v["class"] in CLASS_HINT}


def retained(drug: dict[str, Any]) -> bool:
    """Retained in the skeleton for years: the catalogue's half-life is skeletal."""
    return drug["half_life"]["kind"] == "skeletal"


def _kind_of(drug: dict[str, Any]) -> str:
    """What a drug not stored in bone is, from its mechanism text (an antibody, a fusion protein...)."""
    text = drug["mechanism"].lower()
    for words, noun in (("antibody", "an antibody"), ("fusion protein", "a fusion protein"),
                        ("kinase inhibitor", "a kinase inhibitor")):
        if words in text:
            return noun
    return "a drug"


def regimens() -> dict[str, dict[str, Any]]:
    """Regimen id -> regimen (with its drug id) of the eligible drugs, eligible themselves."""
    return {r["id"]: {**r, "drug": d} for d, v in drugs().items() for r in v["regimens"] if _eligible(r["id"])}


def q3_pairs() -> list[tuple[str, str]]:
    """(osteoporosis regimen, cancer regimen) of one drug, other than the default pair. Q3's dictionary is keyed
    by indication, so a regimen is drawn only when no other regimen of its drug has that indication. (Of
    zoledronate's two bone-metastasis regimens the default asks for the monthly one by id; the 12-weekly one is
    a listed wrong submission, and a variant asking for it would turn that mistake into the key.)"""
    regs = regimens()
    every = [(d, r["indication"]) for d, v in cases.drug_catalogue().items() for r in v["regimens"]]

    def alone(r: dict[str, Any]) -> bool:
        return every.count((r["drug"], r["indication"])) == 1

    return sorted((op["id"], onc["id"]) for op in regs.values() for onc in regs.values()
                  if op["drug"] == onc["drug"] and op["indication"] == "osteoporosis"
                  and onc["indication"] in ("bone_metastases", "multiple_myeloma")
                  and alone(op) and alone(onc) and (op["id"], onc["id"]) != DEFAULT_Q3)


def kept_points(pair: tuple[str, str], unit: str, per: int) -> int:
    """The autograded points whose key a variant shares with the default, so that the default's model answer
    earns them: Q4's function (3) when the unit stays days, Q6 and Q7 (4) per 1000, Q3's osteoporosis regimen
    (1) when the pair keeps it and its key, Q5 (2) when the drug and the yearly ratio stay."""
    regs = regimens()
    op, onc = regs[pair[0]], regs[pair[1]]
    d_op, d_onc = regs[DEFAULT_Q3[0]], regs[DEFAULT_Q3[1]]
    return (3 * (unit == "days") + 4 * (per == 1000)
            + 1 * (op["id"] == d_op["id"] and onc["indication"] == d_onc["indication"])
            + 2 * (op["drug"] == d_op["drug"] and abs(_ratio(onc, op) - _ratio(d_onc, d_op)) < 0.05))


def _ratio(onc: dict[str, Any], op: dict[str, Any]) -> float:
    return (onc["dose_mg"] * 365 / onc["every_days"]) / (op["dose_mg"] * 365 / op["every_days"])


def _ref(entry: str, field: str | None = None, times: float = 1) -> Any:
    if field is None:
        return entry
    return {"entry": entry, "field": field, **({"times": times} if times != 1 else {})}


def num(x: float) -> str:
    """A number as the question writes it: exact, without trailing zeros (3650, 120.33, 0.1)."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def _ids(items: list[str] | tuple[str, ...]) -> str:
    return repr(sorted(items))


def _prose(items: list[str] | tuple[str, ...]) -> str:
    quoted = [f"`{d}`" for d in items]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def draw(rng: random.Random) -> list[Swap]:
    """The swaps of one variant of ps1."""
    pair = rng.choice(q3_pairs())
    # At most 4 of the 22 autograded points (18%) may keep the default's key (kept_points).
    unit, per = rng.choice([(unit, per) for unit in ("days", "weeks") for per in (1000, 10000, 100000)
                            if kept_points(pair, unit, per) <= MAX_KEPT])
    return _q1(rng) + _q2(rng) + _q3_q5(pair, unit) + _q4(rng, unit, pair) + _q6_q7(rng, per) + _q8(rng)


# ---- Q1 --------------------------------------------------------------------------------------------------

def _q1(rng: random.Random) -> list[Swap]:
    cat = drugs()
    while True:
        pick = tuple(rng.sample(sorted(cat), 5))
        if set(pick) != set(DEFAULT_Q1):
            break
    out = rename([("`alendronate`, `zoledronate`, `denosumab`,\n`romosozumab` and `bevacizumab`", _prose(pick)),
                  ("\nand denosumab; then", f"\nand {pick[2]}; then")], ("cell-04",))
    # The model answer: each id first, then each class beside it (so a wrong submission written for the default,
    # moved to the variant by variants.translate, keeps its mistake: a wrong class stays beside its drug).
    out += rename([(f'"{old}": ', f'"{new}": ') for old, new in zip(DEFAULT_Q1, pick, strict=True)], ("q1_classes",))
    out += rename([(f'"{new}": "{cases.drug_catalogue()[old]["class"]}"', f'"{new}": "{cat[new]["class"]}"')
                   for old, new in zip(DEFAULT_Q1, pick, strict=True)], ("q1_classes",))
    old_list = _ids(DEFAULT_Q1)
    for slot, (old, new) in enumerate(zip(DEFAULT_Q1, pick, strict=True)):
        old_d, new_d = cases.drug_catalogue()[old], cat[new]
        pairs = [(f"== '{old_d['class']}'", f"== '{new_d['class']}'")]
        if slot == 2:  # checked now: its common wrong forms, with the section of notebook 01 on the class
            pairs.append((f"not in {CLASS_WRONG[old_d['class']]!r}, \"Q1 {old}: {CLASS_HINT[old_d['class']]}",
                          f"not in {CLASS_WRONG[new_d['class']]!r}, \"Q1 {new}: {CLASS_HINT[new_d['class']]}"))
        pairs += [(old_list, _ids(pick)), (f"'{old_d['name']}'", f"'{new_d['name']}'"),
                  (f"'{old}'", f"'{new}'"), (f"Q1 {old}", f"Q1 {new}")]
        out += rename(pairs, (f"q1_{old}",), knowledge=(f"drugs.yaml#{new}",))
    return out


# ---- Q2 --------------------------------------------------------------------------------------------------

def _q2(rng: random.Random) -> list[Swap]:
    cat = drugs()
    never = sorted(d for d, v in cat.items() if not retained(v))
    while True:
        graded = rng.sample(sorted(cat), 2)
        if set(graded) != set(DEFAULT_Q2[:2]):
            break
    now = rng.sample([d for d in never if d not in graded], 2)
    pick = (*graded, *now)
    keep = [d for d in pick if retained(cat[d])]
    out = rename([("`alendronate`, `zoledronate`, `denosumab` and `romosozumab`", _prose(pick)),
                  ("\ndenosumab and romosozumab; then", f"\n{now[0]} and {now[1]}; then")], ("cell-11",))
    out += [Swap('retained_in_bone = ["alendronate", "zoledronate"]',
                 "retained_in_bone = [" + ", ".join(f'"{d}"' for d in keep) + "]", ("q2_retained",))]
    old_list = _ids(DEFAULT_Q2)
    for slot, (old, new) in enumerate(zip(DEFAULT_Q2, pick, strict=True)):
        pairs = [(old_list, _ids(pick))]
        if slot < 2:
            pairs += [(f"'{old}' in given", f"'{new}' {'in' if retained(cat[new]) else 'not in'} given")]
        else:
            old_hint = f"an antibody, not stored in bone (notebook 01, '{SECTION[old]}')"
            section = SECTION.get(new, "Antiangiogenic drugs" if cat[new]["class"] == "antiangiogenic" else "The drugs")
            pairs += [(f'"{old}" not in given', f'"{new}" not in given'),
                      (old_hint, f"{_kind_of(cat[new])}, not stored in bone (notebook 01, '{section}')")]
        pairs.append((f"Q2 {old}", f"Q2 {new}"))
        out += rename(pairs, (f"q2_{old}",), knowledge=(f"drugs.yaml#{new}",))
    return out


# ---- Q3, Q4, Q5 ------------------------------------------------------------------------------------------

def _every(days: float, unit: str) -> str:
    """An interval as the answer writes it in the unit of Q4's function (weeks: days / 7, kept exact)."""
    return f"{days:g}" if unit == "days" else f"{days:g} / 7"


def _q3_q5(pair: tuple[str, str], unit: str) -> list[Swap]:
    regs = regimens()
    op_id, onc_id = pair
    op, onc = regs[op_id], regs[onc_id]
    drug = drugs()[op["drug"]]
    key, var = onc["indication"], f"{op['drug']}_regimens"
    out = rename([(DEFAULT_Q3[0], op_id), (DEFAULT_Q3[1], onc_id),
                  ("Zoledronic acid", drug["name"]), ("zoledronic acid", drug["name"].lower()),
                  ("zoledronate", op["drug"]), ("bone_metastases", key),
                  ("bone metastases", key.replace("_", " "))], ("cell-17",))
    out += rename([("zoledronate_regimens", var), ('"dose_mg": 5, "every_days": 365',
                                                     f'"dose_mg": {op["dose_mg"]}, "every_days": {op["every_days"]}'),
                   ('"bone_metastases": {"dose_mg": 4, "every_days": 28}',
                    f'"{key}": {{"dose_mg": {onc["dose_mg"]}, "every_days": {onc["every_days"]}}}')],
                  ("q3_regimens",))
    out += rename([("zoledronate_regimens", var), ("bone_metastases", key),
                   ('same(reg["dose_mg"], 5),', f'same(reg["dose_mg"], {op["dose_mg"]}),'),
                   ('same(reg["every_days"], 365),',
                    f'same(reg["every_days"], {op["every_days"]}),')],
                  ("q3_osteoporosis",),
                  knowledge=(_ref(f"drugs.yaml#{op_id}", "dose_mg"), _ref(f"drugs.yaml#{op_id}", "every_days")))
    out += rename([("zoledronate_regimens", var), ("bone_metastases", key),
                   ('same(reg["dose_mg"], 4),', f'same(reg["dose_mg"], {onc["dose_mg"]}),'),
                   ('same(reg["every_days"], 28),',
                    f'same(reg["every_days"], {onc["every_days"]}),')],
                  ("q3_bone_metastases",),
                  knowledge=(f"drugs.yaml#{op_id}", _ref(f"drugs.yaml#{onc_id}", "dose_mg"),
                             _ref(f"drugs.yaml#{onc_id}", "every_days")))
    ratio = _ratio(onc, op)
    ratio_var = f"{op['drug']}_ratio"
    out += rename([("zoledronic acid", drug["name"].lower()), ("zoledronate_ratio", ratio_var)], ("cell-24",))
    out += rename([("zoledronate_ratio = mg_per_year(4, 28) / mg_per_year(5, 365)",
                    f"{ratio_var} = mg_per_year({onc['dose_mg']}, {_every(onc['every_days'], unit)}) / "
                    f"mg_per_year({op['dose_mg']}, {_every(op['every_days'], unit)})"),
                   ("zoledronate_ratio = None", f"{ratio_var} = None")], ("q5_ratio",))
    pairs = [("zoledronate_ratio", ratio_var), ("10.428571428571429", repr(round(ratio, 12)))]
    if abs(ratio - round(ratio)) < 1e-6:  # a whole number: "do not round" cannot be checked now
        pairs.append(('assert value != round(value), "Q5: keep the decimals: do not round the ratio '
                      '(Question 5 text)"\n', ""))
    out += rename(pairs, ("q5_tests",), knowledge=(f"drugs.yaml#{op_id}", f"drugs.yaml#{onc_id}"))
    return out


def _q4(rng: random.Random, unit: str, q3: tuple[str, str] = DEFAULT_Q3) -> list[Swap]:
    """Q4's worked example and graded cases: catalogue regimens other than Q3's two (the graded inputs are
    visible beside the sealed check, so they must not show Q3's doses and intervals)."""
    every_regimen = regimens()
    shown = {(every_regimen[i]["dose_mg"], every_regimen[i]["every_days"]) for i in q3}
    regs = {i: r for i, r in every_regimen.items() if (r["dose_mg"], r["every_days"]) not in shown}
    per_unit = 1 if unit == "days" else 7

    def yearly(dose: float, every: float) -> float:
        return dose * 365 / (every * per_unit)

    def whole(r: dict[str, Any]) -> bool:
        every = r["every_days"] / per_unit
        value = yearly(r["dose_mg"], every)
        return every == int(every) and abs(value * 100 - round(value * 100)) < 1e-9
    example = regs[rng.choice(sorted(i for i, r in regs.items() if whole(r)))]
    ex_dose, ex_every = example["dose_mg"], int(example["every_days"] / per_unit)
    ex_value = yearly(ex_dose, ex_every)
    distinct = {(r["dose_mg"], r["every_days"]): i for i, r in sorted(regs.items(), reverse=True)
                if (r["dose_mg"], r["every_days"]) != (example["dose_mg"], example["every_days"])}
    chosen = [regs[i] for i in rng.sample(sorted(distinct.values()), HIDDEN_CASES)]
    cases_ = [(r["dose_mg"], r["every_days"] / per_unit) for r in chosen]
    cases_.insert(rng.randrange(len(cases_) + 1), (chosen[0]["dose_mg"], 0.5))  # a fraction of the unit
    hidden = [(dose, every if every != int(every) else int(every), yearly(dose, every)) for dose, every in cases_]
    word = "day" if unit == "days" else "week"
    out: list[Swap] = []
    md = [("70 mg every 7 days is 365 / 7 doses, so 3650 mg a year.",
           f"{ex_dose} mg every {ex_every} {unit} is 365 / {ex_every * per_unit} doses, so {num(ex_value)} mg a year.")]
    if unit == "weeks":
        md = [("`mg_per_year(dose_mg, every_days)`", "`mg_per_year(dose_mg, every_weeks)`"),
              ("every `every_days` days", "every `every_weeks` weeks (a week is 7 days)"), *md,
              ("fractions of a day.", "fractions of a week.")]
        out += rename([("def mg_per_year(dose_mg, every_days):", "def mg_per_year(dose_mg, every_weeks):"),
                       ("every every_days days.", "every every_weeks weeks."),
                       ("return dose_mg * 365 / every_days", "return dose_mg * 365 / (7 * every_weeks)")],
                      ("q4_function",))
    out += rename(md, ("cell-21",))
    refs: list[Any] = []
    for r in chosen:
        refs += [_ref(f"drugs.yaml#{r['id']}", "dose_mg"), _ref(f"drugs.yaml#{r['id']}", "every_days", 1 / per_unit)]
    out += rename([(repr(DEFAULT_Q4_INPUTS), repr([(dose, every) for dose, every, _ in hidden])),
                   (repr(DEFAULT_Q4_WANTS), repr([want for _, _, want in hidden])),
                   ("every} days gives", f"every}} {unit} gives"),
                   ("mg_per_year(70, 7)", f"mg_per_year({ex_dose}, {ex_every})"),
                   ("math.isclose(got, 3650.0)", f"math.isclose(got, {float(ex_value)!r})"),
                   ("70 mg/7 days = 3650 mg/year", f"{ex_dose} mg/{ex_every} {word}{'s' * (ex_every != 1)} = "
                                                   f"{num(ex_value)} mg/year")],
                  ("q4_tests",), knowledge=tuple(refs))
    return out


# ---- Q6, Q7 ----------------------------------------------------------------------------------------------

def _risk_estimates() -> list[dict[str, Any]]:
    from osteonecrosis.knowledge import load

    return [e for e in load("risk")["estimates"] if e.get("answer") and _eligible(e["id"])]


def _q6_q7(rng: random.Random, per: int) -> list[Swap]:
    factor = per / 100
    name, words = f"per_{per}", f"{per:,}"
    estimates = _risk_estimates()
    figures = sorted({(e["id"], f, e[f]) for e in estimates for f in ("low_percent", "high_percent") if e[f] > 0})
    picked = rng.sample(figures, PERCENTS)
    percents = [0, *sorted(p for _, _, p in picked)]
    hidden = tuple((p, round(p * factor, 9)) for p in percents)
    out: list[Swap] = []
    if per != 1000:
        out += rename([("**absolute numbers per 1000 patients**", f"**absolute numbers per {words} patients**")],
                      ("cell-00",))
        out += rename([("per_1000", name), ("patients per 1000.", f"patients per {words}."),
                       ("so 10 in 1000.", f"so {factor:g} in {words}."), ("to per 1000 **(2", f"to per {words} **(2")],
                      ("cell-27",))
        out += rename([("per_1000", name), ("Patients per 1000", f"Patients per {words}"),
                       ("percent * 10\n", f"percent * {factor:g}\n")], ("q6_function",))
        out += rename([("**per 1000**", f"**per {words}**"), ("per_1000", name),
                       ("per cent to\nper 1000,", f"per cent to\nper {words},")], ("cell-30",))
        out += rename([("per_1000", name)], ("q7_extraction",))
    q6 = [("[0, 0.02, 15.0]", repr([p for p, _ in hidden])), ("[0, 0.2, 150.0]", repr([w for _, w in hidden]))]
    if per != 1000:
        q6 = [("per_1000", name), ('"), 10), (', f'"), {factor:g}), ('),
              ("1% is 10 in 1000", f"1% is {factor:g} in {words}"), ("is {want} in 1000", f"is {{want}} in {words}"),
              *q6]
    out += rename(q6, ("q6_tests",), knowledge=tuple(_ref(f"risk.yaml#{i}", f) for i, f, _ in picked))
    after = knowledge.load("risk")["after_extraction"]
    for entry in after:
        group = entry["group"]
        low, high = round(entry["low_percent"] * factor, 9), round(entry["high_percent"] * factor, 9)
        pairs = [(f"want = ({entry['low_percent'] * 10}, {entry['high_percent'] * 10})", f"want = ({low!r}, {high!r})")]
        if per != 1000:
            pairs = [("per_1000", name), ("per 1000, not per cent", f"per {words}, not per cent"),
                     ("high <= 1000,", f"high <= {per},"),
                     ("per cent x 10, not x 100", f"per cent x {factor:g}, not x {factor * 10:g}"),
                     ("range per 1000 (", f"range per {words} ("), *pairs]
        out += rename(pairs, (f"q7_{group}",),
                      knowledge=(_ref(f"risk.yaml#{entry['id']}", "low_percent", factor),
                                 _ref(f"risk.yaml#{entry['id']}", "high_percent", factor)))
    return out


# ---- Q8 --------------------------------------------------------------------------------------------------

def _q8(rng: random.Random) -> list[Swap]:
    ext = {e["id"]: e for e in knowledge.load("risk")["extraction"]["estimates"]}
    base_entry = knowledge.find("taskforce-osteoporosis")
    combos = [(b, m) for b in BASELINE for m in MEASURE if (b, m) != DEFAULT_Q8 and _eligible(m)]
    field, measure = rng.choice(combos)
    est = ext[measure]
    point, base_pct = est["point"], base_entry[field]
    base = base_pct * 100  # per 10,000
    one_in = round(100 / base_pct)
    words = MEASURE[measure]
    out = rename([("by a crude relative risk of\n**4.28** (95% CI 1.73 to 10.58;",
                   f"by {'an' if words[0] in 'aeiou' else 'a'} {words} of\n**{point:g}** (95% CI {est['ci_low']:g} "
                   f"to {est['ci_high']:g};"),
                  ("at the top of the International", f"at the {BASELINE[field]} of the International"),
                  ("0.01% (1 in 10,000)", f"{base_pct:g}% (1 in {one_in:,})"),
                  ("by the crude\nrelative risk,", f"by the {words.replace(' ', chr(10), 1)},"),
                  ("(use 4.28, not a rounded 4)", f"(use {point:g}, not a rounded {round(point)})")], ("cell-34",))
    out += [Swap("per_10000_after_extraction = 1 * 4.28", f"per_10000_after_extraction = {base:g} * {point:g}",
                 ("q8_relative",))]
    out += rename([("use the exact relative risk 4.28, not a rounded 4",
                    f"use the exact {words} {point:g}, not a rounded {round(point)}"),
                   ("same(value, 1 * 4.28)", f"same(value, {base:g} * {point:g})"),
                   ("times the crude relative risk", f"times the {words}")],
                  ("q8_tests",),
                  knowledge=(_ref(f"risk.yaml#{measure}", "point"),
                             _ref("risk.yaml#after-extraction-osteoporosis", "high_percent", 100),
                             _ref("risk.yaml#taskforce-osteoporosis", field, 100)))
    return out
