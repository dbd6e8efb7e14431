"""Per-class variants of ps4_prevention (preventing MRONJ), drawn from the case contract and the knowledge base.

What varies, and what each expected value is computed from (never typed):

* Q1/Q2: the labels the checklist menu shows for its items (the knowledge ids in the default), and the drug,
  dose and age of the osteoporosis patient of Q2; both checklists are ``prevention.pretreatment_checklist``
  of the two patients (the library's oncology case, and a contract case for Q2).
* Q4: four patients (names, ages, indications, drugs, doses, intervals, procedures), two on an oncologic and two
  on an osteoporosis regimen of the drug catalogue (the Part B table shows their drugs); each verdict is
  ``prevention.elective_surgery_advice``.
* Q5-Q8: the Part C patient's last denosumab injection and visit, the three offered appointments, the implant
  day and the two other due dates of the Q7 grid; windows from ``prevention.denosumab_window`` and
  ``prevention.ects_next_injection``. The Q7 function is asked with its inputs in another form (the due date
  first, or the days from the procedure to the due date) so that the default's function does not fit.
* Q9: the procedure and healing dates (healing in whole weeks); the pause from the ``holiday-ects2022-bp``
  entry (``pause_days_before_at_least``). The function's inputs come in another form, as for Q7 (the healing
  date first, or the healing time in weeks or in days).
* Q11: how many patients will and will not develop MRONJ; the counts from the CTX meta-analysis entry.

What does not vary (it is the same for every patient the course can draw): Q10 (the guidelines' drug-holiday
positions, and that no verified guideline stops denosumab), the Part A oncology case and the Part D patient
(the hand-graded letters of Q3 and Q12 are written about them), and the rules themselves (7 days, 4-6 weeks,
4 weeks late, the month before the dose), which are what the problem set teaches: a function question's model
answer is that rule, so a variant only changes the form of its inputs (never the default's form).

Each literal of the default notebook is rendered from :data:`DEFAULT` with the same code as a variant's, so the
default notebook is checked against the engine too (``tests/classroom/authoring/test_variants_ps4.py``).
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass
from typing import Any

from osteonecrosis import cases, knowledge, prevention

from . import Swap, VariantError

ASSIGNMENT_ID = "ps4_prevention"
ONCOLOGY_CASE = "onc-zoledronate-before-therapy"
MENU_EXTRA = ("ctx-test", "antibiotic-cover")      # the two menu items that are not knowledge entries
CONTESTED = ("antibiotic-cover",)
# Where a menu id is still written once the lists above are rendered (a check or an example).
LABEL_CELLS = {"pre-finish-necessary": ("ps4_q1_finish_first",), "pre-education": ("cell-11",),
               "ctx-test": ("ps4_menu", "ps4_q1_no_myths", "ps4_q2_not_oncology"), "antibiotic-cover": ("ps4_menu",)}
Q7_FORMS = ("procedure_due", "due_procedure", "procedure_days")
Q9_FORMS = ("procedure_healed", "healed_procedure", "procedure_weeks", "procedure_days")
# Q7 is graded (and sealed) on every procedure date from this many days before each due date to the due date:
# wider than the month before the dose, so that the inputs the sealed check lists do not show Q5's window.
Q7_GRID_DAYS = 35


def field(result: Any, name: str) -> Any:
    """A field of an engine result: attribute access (typed results), else the key of a plain dict item."""
    if isinstance(result, dict) and not hasattr(type(result), "__dataclass_fields__"):
        return result[name]
    return getattr(result, name)


def as_date(value: Any) -> dt.date:
    parsed = cases.parse_date(value)
    if parsed is None:
        raise VariantError(f"{ASSIGNMENT_ID}: the engine gave {value!r}, not a date")
    return parsed


# --- what a variant is made of -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One Q4 patient with a planned procedure (``text`` set only for the default's own wording)."""

    key: str
    procedure: str
    drug: str
    dose_mg: float
    route: str
    every_days: int
    indication: str
    sex: str
    age: int
    months: int
    cancer: str = ""
    text: str = ""

    def case(self) -> cases.Case:
        med: dict[str, Any] = {"drug": self.drug, "months": self.months, "current": True, "dose_mg": self.dose_mg,
                               "every_days": self.every_days, "route": self.route}
        if self.drug == "denosumab":
            med["last_dose"] = (ASSESSED - dt.timedelta(days=min(self.every_days // 2, 60))).isoformat()
        return cases.case_from_dict({
            "id": self.key, "patient": {"age": self.age, "sex": self.sex}, "indication": self.indication,
            "medications": [med], "findings": {}, "risk_factors": [], "planned_procedure": self.procedure,
            "assessed_on": ASSESSED.isoformat()})


@dataclass(frozen=True)
class Params:
    labels: tuple[tuple[str, str], ...]          # (menu item id, the label the menu shows)
    q2_patient: tuple[int, str, float, str, int]  # age, drug, dose_mg, route, every_days (osteoporosis)
    scenarios: tuple[Scenario, Scenario, Scenario, Scenario]   # oncologic implant, oncologic other, 2 low-dose
    last_injection: dt.date
    seen_on: dt.date
    offered: tuple[dt.date, dt.date, dt.date]
    implant_day: dt.date
    grid_lasts: tuple[dt.date, dt.date]           # the Q7 grid's two other last injections
    q7_form: str
    q9_form: str
    q9_example: tuple[dt.date, int]               # (procedure, weeks to heal)
    q9_short: tuple[dt.date, int]
    q9_call: tuple[dt.date, int]
    q9_grid: tuple[tuple[dt.date, int], ...]
    n_with: int
    n_without: int


ASSESSED = dt.date(2026, 5, 4)
D = dt.date

DEFAULT = Params(
    labels=tuple((i, i) for i in ("pre-assessment", "pre-coordinated-plan", "pre-finish-necessary",
                                   "pre-sdcep-dentally-fit", "pre-modifiable-risk", "pre-education", *MENU_EXTRA)),
    q2_patient=(66, "alendronate", 70, "oral", 7),
    scenarios=(
        Scenario("implant-zoledronate-4mg-monthly", "implant", "zoledronate", 4, "iv", 28, "bone_metastases", "male",
                 70, 12, "prostate cancer",
                 text='        "An implant for a 70-year-old man with prostate cancer and bone metastases, on '
                      'zoledronic acid 4 mg IV "\n        "every 4 weeks."'),
        Scenario("alveoloplasty-denosumab-120mg", "alveoloplasty", "denosumab", 120, "sc", 28, "multiple_myeloma",
                 "female", 64, 12,
                 text='        "Alveoloplasty to smooth the ridge before a new denture, for a woman with multiple '
                      'myeloma on "\n        "denosumab 120 mg SC every 4 weeks."'),
        Scenario("implant-alendronate-osteoporosis", "implant", "alendronate", 70, "oral", 7, "osteoporosis", "female",
                 68, 24,
                 text='        "An implant for a woman who has taken alendronate 70 mg weekly for osteoporosis for 2 '
                      'years."'),
        Scenario("implant-denosumab-60mg-osteoporosis", "implant", "denosumab", 60, "sc", 182, "osteoporosis",
                 "female", 66, 24,
                 text='        "An implant for a woman on denosumab 60 mg SC every 6 months for osteoporosis."'),
    ),
    last_injection=D(2026, 3, 2),
    seen_on=D(2026, 5, 4),
    offered=(D(2026, 3, 16), D(2026, 6, 15), D(2026, 8, 17)),
    implant_day=D(2026, 8, 17),
    grid_lasts=(D(2026, 7, 31), D(2027, 8, 31)),
    q7_form="procedure_due",
    q9_form="procedure_healed",
    q9_example=(D(2026, 5, 20), 6),
    q9_short=(D(2026, 3, 3), 6),
    q9_call=(D(2026, 1, 5), 6),
    q9_grid=((D(2026, 3, 3), 6), (D(2026, 1, 5), 6), (D(2027, 1, 2), 8), (D(2028, 3, 4), 8), (D(2026, 12, 31), 6)),
    n_with=100,
    n_without=100,
)


# --- the keys, from the engine -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Keys:
    q1_checklist: tuple[str, ...]            # knowledge ids (menu items), sorted
    q2_required: tuple[str, ...]
    q4_verdicts: tuple[bool, bool, bool, bool]
    ects_window: tuple[dt.date, dt.date]     # Q5: procedure earliest, latest
    due: dt.date                             # the scheduled next dose
    cap: dt.date                             # the next dose no later than this (ECTS)
    sdcep_window: tuple[dt.date, dt.date]    # Q6
    offered_ok: tuple[bool, bool, bool]
    implant_next: tuple[dt.date, dt.date]    # Q7 case: next injection window after the implant day
    due_day_next: tuple[dt.date, dt.date]    # Q7 edge: a procedure on the due date
    q7_grid: tuple[tuple[dt.date, dt.date, dt.date, dt.date], ...]   # (procedure, due, earliest, latest)
    pause_days: int
    q9_rows: dict[str, tuple[dt.date, dt.date, dt.date, dt.date]]    # name -> (procedure, healed, last, back)
    q9_grid: tuple[tuple[dt.date, dt.date, dt.date, dt.date], ...]
    tp: int
    fp: int
    sensitivity: float
    specificity: float


def menu_ids() -> list[str]:
    """The checklist menu's knowledge items (those with an answer), then the two ideas to judge."""
    return [e["id"] for e in knowledge.load("prevention")["pretreatment"] if e.get("answer")] + list(MENU_EXTRA)


def q2_case(p: Params) -> cases.Case:
    age, drug, dose, route, every = p.q2_patient
    return cases.case_from_dict({
        "id": "ps4-q2-patient", "patient": {"age": age, "sex": "female"}, "indication": "osteoporosis",
        "medications": [{"drug": drug, "months": 0, "current": True, "dose_mg": dose, "route": route,
                         "every_days": every}],
        "findings": {}, "risk_factors": [], "planned_procedure": None})


def _checklist(case: cases.Case) -> tuple[str, ...]:
    menu = set(menu_ids())
    return tuple(sorted(field(item, "id") for item in prevention.pretreatment_checklist(case)
                        if field(item, "id") in menu))


def _next(last: dt.date, procedure: dt.date) -> tuple[dt.date, dt.date]:
    r = prevention.ects_next_injection(last, procedure)
    return as_date(field(r, "next_injection_earliest")), as_date(field(r, "next_injection_latest"))


def _pause(days: int, procedure: dt.date, weeks: int) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    healed = procedure + dt.timedelta(weeks=weeks)
    return procedure, healed, procedure - dt.timedelta(days=days), healed


def keys(p: Params) -> Keys:
    """Every expected value of the variant, computed with the course's engine and knowledge base."""
    advice = [field(prevention.elective_surgery_advice(s.case()), "advice") for s in p.scenarios]
    ects = prevention.denosumab_window(p.last_injection, "ects2022")
    sdcep = prevention.denosumab_window(p.last_injection, "sdcep2017")
    due = as_date(field(ects, "scheduled_next_dose"))
    lo, hi = as_date(field(sdcep, "procedure_earliest")), as_date(field(sdcep, "procedure_latest"))
    grid = []
    for last in (p.last_injection, *p.grid_lasts):
        d = as_date(field(prevention.denosumab_window(last, "ects2022"), "scheduled_next_dose"))
        day = d - dt.timedelta(days=Q7_GRID_DAYS)
        while day <= d:
            grid.append((day, d, *_next(last, day)))
            day += dt.timedelta(days=1)
    days = int(knowledge.find("holiday-ects2022-bp", "prevention")["pause_days_before_at_least"])
    ctx = prevention.ctx_advice()[0]
    sens, spec = float(field(ctx, "sensitivity_percent")), float(field(ctx, "specificity_percent"))
    return Keys(
        q1_checklist=_checklist(cases.library_case(ONCOLOGY_CASE)),
        q2_required=tuple(i for i in _checklist(q2_case(p))
                          if knowledge.find(i, "prevention").get("applies_to", "all") == "all"),
        q4_verdicts=tuple(a == "avoid_elective" for a in advice),  # type: ignore[arg-type]
        ects_window=(as_date(field(ects, "procedure_earliest")), as_date(field(ects, "procedure_latest"))),
        due=due,
        cap=as_date(field(ects, "next_injection_latest")),
        sdcep_window=(lo, hi),
        offered_ok=tuple(lo <= d <= hi for d in p.offered),  # type: ignore[arg-type]
        implant_next=_next(p.last_injection, p.implant_day),
        due_day_next=_next(p.last_injection, due),
        q7_grid=tuple(grid),
        pause_days=days,
        q9_rows={name: _pause(days, *getattr(p, name)) for name in ("q9_example", "q9_short", "q9_call")},
        q9_grid=tuple(_pause(days, *row) for row in p.q9_grid),
        tp=round(p.n_with * sens / 100),
        fp=round(p.n_without * (100 - spec) / 100),
        sensitivity=sens,
        specificity=spec,
    )


# --- the literals of the notebook --------------------------------------------------------------------------

def pyd(d: dt.date) -> str:
    return f"date({d.year}, {d.month}, {d.day})"


def long_date(d: dt.date, year: bool = True) -> str:
    return f"{d.day} {d.strftime('%B')}" + (f" {d.year}" if year else "")


DRUG_NAMES = {"zoledronate": "zoledronic acid", "pamidronate": "pamidronate", "denosumab": "denosumab",
              "alendronate": "alendronate", "risedronate": "risedronate", "ibandronate": "ibandronate",
              "romosozumab": "romosozumab"}
EVERY = {1: "daily", 7: "once a week", 28: "every 4 weeks", 30: "once a month", 84: "every 12 weeks",
         90: "every 3 months", 182: "every 6 months", 365: "once a year"}
ROUTES = {"iv": "IV", "sc": "SC", "oral": "by mouth"}
PROCEDURES = {"implant": "An implant", "alveoloplasty": "Alveoloplasty to smooth the ridge before a new denture",
              "periodontal_surgery": "Elective periodontal surgery with bone recontouring"}


def _dose(x: float) -> str:
    return f"{x:g}"


def scenario_text(s: Scenario) -> str:
    """The scenario as the SCENARIOS cell holds it (two string lines)."""
    if s.text:
        return s.text
    person = "man" if s.sex == "male" else "woman"
    illness = {"bone_metastases": f"{s.cancer} and bone metastases", "multiple_myeloma": "multiple myeloma",
               "osteoporosis": "osteoporosis"}[s.indication]
    years = (f"{s.months // 12} year" + ("s" if s.months > 12 else "")) if s.months % 12 == 0 else f"{s.months} months"
    article = "an" if str(s.age).startswith("8") or s.age in (11, 18) else "a"
    comma = "" if s.procedure == "implant" else ","
    first = f"{PROCEDURES[s.procedure]}{comma} for {article} {s.age}-year-old {person} with {illness}, "
    second = (f"on {DRUG_NAMES[s.drug]} {_dose(s.dose_mg)} mg {ROUTES[s.route]} {EVERY[s.every_days]} "
              f"for {years}.")
    return f'        "{first}"\n        "{second}"'


def _q7_call(form: str, proc: dt.date | str, due: dt.date | str) -> str:
    """The call of the student's function in this form (dates, or the hidden grid's loop names)."""
    a, b = (pyd(proc), pyd(due)) if isinstance(proc, dt.date) and isinstance(due, dt.date) else (proc, due)
    if form == "procedure_due":
        return f"next_injection_window({a}, {b})"
    if form == "due_procedure":
        return f"next_injection_window({b}, {a})"
    if isinstance(proc, dt.date) and isinstance(due, dt.date):
        return f"next_injection_window({a}, {(due - proc).days})"
    return f"next_injection_window({a}, ({b} - {a}).days)"


def _q9_call(form: str, proc: dt.date, weeks: int, iso: bool = False) -> str:
    healed = proc + dt.timedelta(weeks=weeks)
    if iso:
        a, b = "date.fromisoformat(_proc)", "date.fromisoformat(_healed)"
        if form == "procedure_weeks":
            b = "(date.fromisoformat(_healed) - date.fromisoformat(_proc)).days // 7"
        elif form == "procedure_days":
            b = "(date.fromisoformat(_healed) - date.fromisoformat(_proc)).days"
    else:
        a, b = pyd(proc), pyd(healed)
        if form == "procedure_weeks":
            b = str(weeks)
        elif form == "procedure_days":
            b = str(7 * weeks)
    return f"ects_bp_pause({b}, {a})" if form == "healed_procedure" else f"ects_bp_pause({a}, {b})"


Q7_TEXT = {
    "procedure_due": ("def next_injection_window(procedure_date, due_date):", "",
                      "for a procedure date and the date the next injection is due, returns"),
    "due_procedure": ("def next_injection_window(due_date, procedure_date):", "",
                      "for the date the next injection is due and a procedure date (in that order), returns"),
    "procedure_days": ("def next_injection_window(procedure_date, days_until_due):",
                       "    due_date = procedure_date + timedelta(days=days_until_due)\n",
                       "for a procedure date and the number of days from the procedure to the date the next\n"
                       "injection is due (0 for a procedure on the due date), returns"),
}
Q9_TEXT = {
    "procedure_healed": ("def ects_bp_pause(procedure_date, healed_date):", "healed_date",
                         "Write `ects_bp_pause(procedure_date, healed_date)`, which returns a pair"),
    "healed_procedure": ("def ects_bp_pause(healed_date, procedure_date):", "healed_date",
                         "Write `ects_bp_pause(healed_date, procedure_date)` (the healing date first), which "
                         "returns a pair"),
    "procedure_weeks": ("def ects_bp_pause(procedure_date, weeks_to_heal):",
                        "procedure_date + timedelta(weeks=weeks_to_heal)",
                        "Write `ects_bp_pause(procedure_date, weeks_to_heal)`, where `weeks_to_heal` is the number "
                        "of whole weeks\nthe site takes to heal, which returns a pair"),
    "procedure_days": ("def ects_bp_pause(procedure_date, days_to_heal):",
                       "procedure_date + timedelta(days=days_to_heal)",
                       "Write `ects_bp_pause(procedure_date, days_to_heal)`, where `days_to_heal` is the number of "
                       "days\nthe site takes to heal, which returns a pair"),
}


def _q9_example(form: str, row: tuple[dt.date, dt.date, dt.date, dt.date]) -> str:
    proc, healed, last, back = row
    if form == "procedure_weeks":
        heal = f"healed {(healed - proc).days // 7} weeks later (`weeks_to_heal={(healed - proc).days // 7}`)"
    elif form == "procedure_days":
        heal = f"healed {(healed - proc).days} days later (`days_to_heal={(healed - proc).days}`)"
    else:
        heal = f"healed on\n`{pyd(healed)}`"
    return f"a procedure on `{pyd(proc)}` {heal} gives `({pyd(last)}, {pyd(back)})`"


def _grid7(rows: tuple[tuple[dt.date, dt.date, dt.date, dt.date], ...]) -> str:
    return "[" + ", ".join(f"({', '.join(repr(d.isoformat()) for d in r)})" for r in rows) + "]"


def _grid9(rows: tuple[tuple[dt.date, dt.date, dt.date, dt.date], ...]) -> str:
    return "[" + ", ".join(f"({', '.join(repr(d.isoformat()) for d in r)})" for r in rows) + "]"


def _idlist(ids: tuple[str, ...] | list[str], labels: dict[str, str]) -> str:
    return "[" + ", ".join(f'"{labels[i]}"' for i in ids) + "]"


Literal = tuple[str, tuple[str, ...], str]   # (name, cells (none: every cell holding it), text)


def literals(p: Params, k: Keys | None = None) -> list[Literal]:
    """The notebook's variable literals for ``p``, most specific first (a longer literal that holds a shorter
    one comes before it)."""
    k = keys(p) if k is None else k
    lab = dict(p.labels)
    out: list[Literal] = []

    def add(name: str, cells: tuple[str, ...] | str, text: str) -> None:
        out.append((name, (cells,) if isinstance(cells, str) else cells, text))

    # Part A: the menu's labels and the two checklists
    menu = menu_ids()
    add("q1 menu list", ("ps4_q1_finish_first", "ps4_q1_no_myths", "ps4_q2_not_oncology", "ps4_q2_complete"),
        f"set({_idlist(menu, lab)})")
    add("q1 answer", "ps4_q1_answer", "oncology_checklist = [\n" + "".join(
        f'    "{lab[i]}",\n' for i in menu if i in k.q1_checklist) + "]")
    add("q1 key", "ps4_q1_complete", _idlist(k.q1_checklist, lab))
    add("q1 contested", "ps4_q1_complete", _idlist(CONTESTED, lab))
    q2_answer = _idlist([i for i in menu if i in k.q2_required], lab)
    add("q2 answer", "ps4_q2_answer", f"osteoporosis_checklist = {q2_answer}")
    add("q2 key", "ps4_q2_complete", _idlist(k.q2_required, lab))
    renamed = {i: label for i, label in p.labels if label != i}
    add("menu labels", "ps4_menu", "MENU_LABELS = {" + ", ".join(
        f'"{i}": "{label}"' for i, label in renamed.items() if i not in MENU_EXTRA) + "}")
    for i, label in p.labels:
        if i in LABEL_CELLS:
            add(f"label {i}", LABEL_CELLS[i], f'"{label}"')
    age, drug, dose, route, every = p.q2_patient
    add("q2 patient", "cell-11", f"a {age}-year-old woman with postmenopausal osteoporosis will start "
        f"**{DRUG_NAMES[drug]} {_dose(dose)} mg" + (" " if route == "oral" else f" {ROUTES[route]} ")
        + f"{EVERY[every].replace('once a week', 'once a' + chr(10) + 'week')}**")

    # Part B: the drug table shows the scenarios' drugs, and the four scenarios
    shown = {s.drug for s in p.scenarios}
    add("q4 drug table", "ps4_part_b_rules", "if drug[\"id\"] in (" + ", ".join(
        f'"{d}"' for d in cases.drug_catalogue() if d in shown) + "):")
    slots = ("ps4_q4_oncologic", "ps4_q4_alveoloplasty", "ps4_q4_alendronate_op", "ps4_q4_denosumab_op")
    for s, verdict, cell in zip(p.scenarios, k.q4_verdicts, slots, strict=True):
        add(f"q4 answer {cell}", "ps4_q4_answer", f'    "{s.key}": {verdict},')
        add(f"q4 check {cell}", cell, f'given["{s.key}"] is {verdict}')
        add(f"q4 text {cell}", "ps4_scenarios", f'"{s.key}": (\n{scenario_text(s)}),')
    for s, cell in zip(p.scenarios, slots, strict=True):
        add(f"q4 id {cell}", (), s.key)

    # Part C: dates around denosumab
    add("case c dates", "ps4_case_c", f"last_injection={pyd(p.last_injection)},\n"
        f"                           seen_on={pyd(p.seen_on)})")
    add("q5 answer", "ps4_q5_answer", f"ects_surgery_window = ({pyd(k.ects_window[0])}, {pyd(k.ects_window[1])})")
    add("q5 last", ("ps4_q5_window_start", "ps4_q5_window_end"),
        f"last_injection = datetime.{pyd(p.last_injection)}")
    add("q5 earliest", "ps4_q5_window_start", f"date.fromisoformat('{k.ects_window[0].isoformat()}')")
    add("q5 latest", "ps4_q5_window_end", f"date.fromisoformat('{k.ects_window[1].isoformat()}')")
    d1, d2, d3 = p.offered
    add("q6 answer", "ps4_q6_answer", "sdcep_acceptable = {" + ", ".join(
        f"{pyd(d)}: {ok}" for d, ok in zip(p.offered, k.offered_ok, strict=True)) + "}")
    add("q6 template", "ps4_q6_answer", f"# Template: sdcep_acceptable = {{{pyd(d1)}: ..., {pyd(d2)}: ..., "
        f"{pyd(d3)}: ...}}")
    add("q6 first check", "ps4_q6_after_injection", f"given[{pyd(d1)}] is {k.offered_ok[0]}")
    add("q6 dates", "ps4_q6_after_injection", f"{{{pyd(d1)}, {pyd(d2)}, {pyd(d3)}}}")
    add("q6 later dates", "ps4_q6_month_before", f"_later = ({pyd(d2)}, {pyd(d3)})")
    add("q6 window", "ps4_q6_month_before", f"_lo = date.fromisoformat('{k.sdcep_window[0].isoformat()}')\n"
        f"_hi = date.fromisoformat('{k.sdcep_window[1].isoformat()}')")
    add("q6 text", "cell-33", f"True/False, and {long_date(d1, year=False)}.")
    q7_def, q7_due, q7_text = Q7_TEXT[p.q7_form]
    add("q7 def", "ps4_q7_answer", q7_def + '\n    """(earliest, latest) dates for the next denosumab 60 mg '
        'injection after a procedure (ECTS 2022)."""\n    ### BEGIN SOLUTION\n' + q7_due)
    add("q7 text", "cell-37", q7_text)
    add("q7 case call", "ps4_q7_case", _q7_call(p.q7_form, p.implant_day, k.due))
    add("q7 case day", "ps4_q7_case", f"{pyd(p.implant_day)} + timedelta")
    add("q7 case due", "ps4_q7_case", f"{pyd(k.due)} + timedelta")
    add("q7 edge call", "ps4_q7_edges", _q7_call(p.q7_form, k.due, k.due))
    add("q7 edge latest", "ps4_q7_edges", f'"Q7 latest") == {pyd(k.due_day_next[1])}')
    add("q7 grid", "ps4_q7_edges", _grid7(k.q7_grid))
    dues = dict.fromkeys(row[1] for row in k.q7_grid)
    add("q7 sealed dues", "ps4_q7_edges", "_dues = [" + ", ".join(pyd(d) for d in dues) + "]")
    q7_args = _q7_call(p.q7_form, "_proc", "_due").removeprefix("next_injection_window")  # "(_proc, _due)" ...
    add("q7 grid call", "ps4_q7_edges", f"results_of(next_injection_window, [{q7_args} for _proc, _due in _procs])")
    add("q8 dates", "ps4_q8_prompt", f"She has the implant placed on {long_date(p.implant_day)}. On "
        f"{long_date(k.cap)} the site")
    add("q8 cap", "ps4_q8_written", f"({long_date(k.cap, year=False)} here)")

    # Part D: the ECTS bisphosphonate pause
    q9_def, q9_back, q9_text = Q9_TEXT[p.q9_form]
    add("q9 def", "ps4_q9_answer", f"{q9_def}\n    \"\"\"(last day on the drug, first day back on it) for a "
        f"bisphosphonate pause under ECTS 2022.\"\"\"\n    ### BEGIN SOLUTION\n    return procedure_date - "
        f"timedelta(days={k.pause_days}), {q9_back}")
    add("q9 text", "cell-47", q9_text)
    ex = k.q9_rows["q9_example"]
    add("q9 example", "cell-47", _q9_example(p.q9_form, ex))
    add("q9 case call", "ps4_q9_case", "result = " + _q9_call(p.q9_form, *p.q9_example))
    add("q9 case key", "ps4_q9_case", f"(last_day, back) == ({pyd(ex[2])}, {pyd(ex[3])})")
    add("q9 case message", "ps4_q9_case", f"gives ({ex[2].isoformat()}, {ex[3].isoformat()})")
    add("q9 case day", "ps4_q9_case", f"last_day <= {pyd(ex[0])} - timedelta")
    sh = k.q9_rows["q9_short"]
    add("q9 short call", "ps4_q9_short", "result = " + _q9_call(p.q9_form, *p.q9_short))
    add("q9 short day", "ps4_q9_short", f"back != {pyd(sh[0])}")
    add("q9 short key", "ps4_q9_short", f"back == {pyd(sh[3])}")
    add("q9 grid call", "ps4_q9_grid", "result = " + _q9_call(p.q9_form, *p.q9_call))
    add("q9 grid", "ps4_q9_grid", _grid9(k.q9_grid))
    add("q9 sealed inputs", "ps4_q9_grid", "for _proc, _healed in [" + ", ".join(
        f"({r[0].isoformat()!r}, {r[1].isoformat()!r})" for r in k.q9_grid) + "]:")
    add("q9 grid loop", "ps4_q9_grid", "_got = " + _q9_call(p.q9_form, p.q9_call[0], 0, iso=True))

    # Q11: the CTX counts
    add("q11 answer", "ps4_q11_answer", f"flagged_among_{p.n_with}_with_mronj = {k.tp}\n"
        f"flagged_among_{p.n_without}_without_mronj = {k.fp}")
    add("q11 n with", "ps4_q11_true_positives", f"_n = {p.n_with}  # patients who will develop MRONJ")
    add("q11 n without", "ps4_q11_false_positives", f"_n = {p.n_without}  # patients who will not develop MRONJ")
    add("q11 story", "cell-56", f"imagine {p.n_with} patients who **will** develop MRONJ and {p.n_without} who "
        f"**will not**.")
    add("q11 with", "cell-56", f"of the {p.n_with} who will develop MRONJ")
    add("q11 without", "cell-56", f"of the {p.n_without} who will not develop it")
    add("q11 out of", "cell-56", "numbers out of " + (f"{p.n_with}," if p.n_with == p.n_without
                                                      else f"{p.n_with} and {p.n_without},"))
    add("q11 name with", (), f"flagged_among_{p.n_with}_with_mronj")
    add("q11 name without", (), f"flagged_among_{p.n_without}_without_mronj")
    return out


def swaps_between(default: Params, variant: Params) -> list[Swap]:
    """The swaps that turn the default notebook into ``variant``'s: every literal that differs goes first to a
    placeholder, then to its new text (so a new text never meets a later old one)."""
    old, new = literals(default), literals(variant)
    first: list[Swap] = []
    second: list[Swap] = []
    for n, ((name, cells, before), (name2, _, after)) in enumerate(zip(old, new, strict=True)):
        if name != name2:
            raise VariantError(f"{ASSIGNMENT_ID}: literal {name!r} and {name2!r} do not pair up")
        if before == after:
            continue
        token = f"\u27e6ps4-{n}\u27e7"
        first.append(Swap(before, token, cells))
        second.append(Swap(token, after, cells))
    return first + second


# --- the draw ------------------------------------------------------------------------------------------------

SURNAMES = ("okafor", "lindqvist", "moreau", "tanaka", "haddad", "novak", "costa", "jensen", "rahman", "garcia",
            "kowalski", "mensah", "fischer", "silva", "nakamura", "oconnor", "petrov", "dubois", "ali", "berg")
CANCERS = {"male": ("prostate cancer", "lung cancer", "kidney cancer"),
           "female": ("breast cancer", "lung cancer", "kidney cancer")}
LABEL_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _regimens(group: str) -> list[tuple[str, float, str, int, str]]:
    """(drug, dose, route, every_days, indication) of the catalogue's regimens in a dose group."""
    out = []
    for drug, entry in cases.drug_catalogue().items():
        for r in entry.get("regimens") or []:
            if r["risk_group"] == group and r["indication"] in ("bone_metastases", "multiple_myeloma", "osteoporosis") \
                    and drug in DRUG_NAMES and int(r["every_days"]) in EVERY:
                out.append((drug, float(r["dose_mg"]), str(r["route"]), int(r["every_days"]), str(r["indication"])))
    return out


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _scenario(rng: random.Random, regimen: tuple[str, float, str, int, str], procedure: str, surname: str,
              ) -> Scenario:
    drug, dose, route, every, indication = regimen
    sex = "female" if indication == "osteoporosis" else rng.choice(("male", "female"))
    return Scenario(f"{procedure.replace('_', '-')}-{drug}-{surname}", procedure, drug, dose, route, every,
                    indication, sex, rng.randint(52, 84), rng.choice((6, 9, 12, 18, 24, 36, 48, 60)),
                    rng.choice(CANCERS[sex]) if indication == "bone_metastases" else "")


def draw_params(rng: random.Random) -> Params:
    """A variant's choices (every key follows from them by :func:`keys`)."""
    ids = [i for i, _ in DEFAULT.labels]
    codes = rng.sample([f"{a}{b}" for a in LABEL_CHARS for b in string.digits[2:]], len(ids))
    q2 = rng.choice([r for r in _regimens("low_dose") if r[4] == "osteoporosis"
                     and (r[0], r[1]) != ("alendronate", 70)])
    names = rng.sample(SURNAMES, 4)
    onc = rng.sample(_regimens("oncologic"), 2)
    low = rng.sample([r for r in _regimens("low_dose") if r[4] == "osteoporosis"], 2)
    scenarios = (_scenario(rng, onc[0], "implant", names[0]),
                 _scenario(rng, onc[1], rng.choice(("alveoloplasty", "periodontal_surgery")), names[1]),
                 _scenario(rng, low[0], rng.choice(("implant", "alveoloplasty")), names[2]),
                 _scenario(rng, low[1], "implant", names[3]))
    last = _day(rng, D(2026, 1, 5), D(2028, 12, 20))
    ects = prevention.denosumab_window(last, "ects2022")
    sdcep = prevention.denosumab_window(last, "sdcep2017")
    due = as_date(field(ects, "scheduled_next_dose"))
    lo, hi = as_date(field(sdcep, "procedure_earliest")), as_date(field(sdcep, "procedure_latest"))
    d1 = last + dt.timedelta(days=rng.randint(7, 21))
    while True:   # the first date is too soon; at least one of the other two falls in SDCEP's month
        d2 = _day(rng, last + dt.timedelta(weeks=9), hi - dt.timedelta(days=7))
        d3 = _day(rng, d2 + dt.timedelta(days=7), due)
        if (lo <= d2 <= hi) or (lo <= d3 <= hi):
            break
    month_end = rng.choice((3, 5, 8, 10, 12))
    grid_lasts = (_day(rng, D(2026, 1, 1), D(2029, 6, 30)),
                  D(rng.randint(2026, 2029), month_end, 31))
    weeks = lambda: rng.randint(4, 10)  # noqa: E731
    leap = rng.choice((2028, 2032))
    year = rng.randint(2026, 2030)
    return Params(
        labels=tuple(zip(ids, codes, strict=True)),
        q2_patient=(rng.randint(55, 82), q2[0], q2[1], q2[2], q2[3]),
        scenarios=scenarios,
        last_injection=last,
        seen_on=last + dt.timedelta(weeks=rng.randint(6, 10)),
        offered=(d1, d2, d3),
        implant_day=_day(rng, lo, due - dt.timedelta(days=15)),
        grid_lasts=grid_lasts,
        q7_form=rng.choice([f for f in Q7_FORMS if f != DEFAULT.q7_form]),
        q9_form=rng.choice([f for f in Q9_FORMS if f != DEFAULT.q9_form]),
        q9_example=(_day(rng, D(2026, 1, 1), D(2030, 12, 31)), weeks()),
        q9_short=(short := (_day(rng, D(2026, 1, 1), D(2030, 12, 31)), weeks())),
        q9_call=(call := (_day(rng, D(2026, 1, 1), D(2030, 12, 31)), weeks())),
        q9_grid=(short, call, (D(year, 1, rng.randint(1, 6)), weeks()), (D(leap, 3, rng.randint(1, 6)), weeks()),
                 (D(year, 12, rng.randint(24, 31)), weeks())),
        n_with=rng.choice(N_CHOICES),
        n_without=rng.choice(N_CHOICES),
    )


N_CHOICES = tuple(n for n in range(30, 601) if n != DEFAULT.n_with)   # whole patients, any count but the default's


def check(p: Params, k: Keys) -> None:
    """The variant keeps the default's teaching design; VariantError otherwise."""
    problems = []
    if k.q4_verdicts != (True, True, False, False):
        problems.append(f"Q4 verdicts {k.q4_verdicts} (two oncologic, then two osteoporosis scenarios expected)")
    if k.offered_ok[0] or not any(k.offered_ok[1:]):
        problems.append(f"Q6 offered dates {p.offered}: the first must be too soon, one of the others acceptable")
    if k.implant_next[1] != p.implant_day + dt.timedelta(weeks=6):
        problems.append("Q7: the implant day must be more than 2 weeks before the due date")
    if "pre-finish-necessary" not in k.q1_checklist or not k.q2_required:
        problems.append("Q1/Q2: the checklists lost their key items")
    if problems:
        raise VariantError(f"{ASSIGNMENT_ID}: " + "; ".join(problems))


def draw(rng: random.Random) -> list[Swap]:
    """The swaps of a variant of ps4_prevention drawn with ``rng``."""
    p = draw_params(rng)
    check(p, keys(p))
    return swaps_between(DEFAULT, p)


