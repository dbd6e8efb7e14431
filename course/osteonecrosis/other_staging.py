"""Other staging systems: SICMF-SIPMO (MRONJ), osteoradionecrosis grades, femoral-head osteonecrosis.

Pure functions over ``knowledge/other_osteonecrosis.yaml``. Each returns a :class:`SystemStage` with the
stage, the reasons that decided it, the sources and the evidence status. Stages whose wording is not
verified (ARCO 2019 IIIB and IV; Notani) come back with evidence ``unverified``: teach them as 'reported',
never grade on them. Bad arguments raise ``ValueError`` with one line naming the argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import knowledge, rules
from .cases import Case

CT_EXTENTS: tuple[str, ...] = ("none", "alveolar", "basal", "complicated")
ORN_SURGERY: tuple[str, ...] = ("none", "minimal_sequestrectomy", "sequestrectomy", "resection")
NOTANI_EXTENT: tuple[str, ...] = ("alveolar", "above_canal", "below_canal")


@dataclass(frozen=True)
class SystemStage:
    system: str
    stage: str
    reasons: list[str]
    source: list[str]
    evidence: str
    assumptions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "system": self.system,
            "stage": self.stage,
            "reasons": list(self.reasons),
            "source": list(self.source),
            "evidence": self.evidence,
        }
        if self.assumptions:
            out["assumptions"] = list(self.assumptions)
        return out


def _data() -> dict[str, Any]:
    return knowledge.load("other_osteonecrosis")


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")
    return value


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name}: must not be negative, got {value!r}")
    return float(value)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}: unknown value {value!r} (expected one of: {', '.join(allowed)})")
    return value


def _text(entry: dict[str, Any]) -> str:
    return " ".join(str(entry.get("text", "")).split())


# ------------------------------------------------------------------------------------------ SICMF-SIPMO
def sicmf_complicated_signs() -> dict[str, str]:
    """Names and labels of the SICMF-SIPMO complicating signs (stage 3)."""
    return {s["sign"]: s["label"] for s in _data()["sicmf_sipmo"]["complicated_signs"]}


def sicmf_stage(minor_signs: bool, ct_extent: str, symptomatic: bool,
                complicated_signs: Iterable[str] = ()) -> SystemStage:
    """SICMF-SIPMO stage of a clinical-radiological description.

    ``minor_signs``: at least one minor clinical sign (bone exposure, sudden tooth mobility, non-healing
    socket, mucosal fistula, swelling, abscess, trismus, mandibular deformity, lip paraesthesia, halitosis).
    ``ct_extent``: 'none' | 'alveolar' (dentoalveolar only) | 'basal' (to the basal bone) | 'complicated'.
    ``symptomatic``: pain or pus (B rather than A). ``complicated_signs``: names from
    :func:`sicmf_complicated_signs`; any one makes the stage 3.
    Stages: '1A', '1B', '2A', '2B', '3', or 'unconfirmed' when the minor sign or the CT change is missing.
    """
    _bool("minor_signs", minor_signs)
    _bool("symptomatic", symptomatic)
    _choice("ct_extent", ct_extent, CT_EXTENTS)
    if isinstance(complicated_signs, str):
        raise ValueError("complicated_signs: expected a list of sign names, got a single string")
    known = sicmf_complicated_signs()
    signs = [_choice("complicated_signs", s, tuple(known)) for s in complicated_signs]
    src = ["sicmf_sipmo"]
    if not minor_signs:
        return SystemStage("SICMF-SIPMO", "unconfirmed", [
            "no minor clinical sign: SICMF-SIPMO staging needs at least one (with a matching CT finding)"],
            src, "guideline")
    if ct_extent == "none" and not signs:
        return SystemStage("SICMF-SIPMO", "unconfirmed", [
            "minor clinical sign(s) but no bone change on CT: the system needs CT evidence of disease; "
            "re-image or look for another cause"], [*src, "bedogni2014"], "guideline")
    letter = "B" if symptomatic else "A"
    symptom = "symptomatic (pain or pus)" if symptomatic else "asymptomatic"
    if signs or ct_extent == "complicated":
        why = ["at least one minor clinical sign"]
        if ct_extent == "complicated":
            why.append("CT: complicated disease (mucocutaneous fistula, fracture, osteolysis to the sinus, "
                       "zygomatic or palatal osteosclerosis)")
        if signs:
            why.append("complicating sign(s): " + "; ".join(known[s] for s in signs))
        if ct_extent in ("none", "alveolar"):
            why.append(f"CT extent given as {ct_extent!r}: a complicating sign decides stage 3 regardless")
        return SystemStage("SICMF-SIPMO", "3", why, src, "guideline")
    if ct_extent == "basal":
        return SystemStage("SICMF-SIPMO", "2" + letter, [
            "at least one minor clinical sign", "CT: osteosclerosis extending to the basal bone (diffuse)",
            symptom], src, "guideline")
    return SystemStage("SICMF-SIPMO", "1" + letter, [
        "at least one minor clinical sign", "CT: changes limited to the dentoalveolar process (focal)", symptom],
        src, "guideline")


_MINOR_FROM_FINDINGS = {
    "exposed_bone": "bone exposure",
    "fistula_probes_to_bone": "mucosal fistula",
    "infection": "swelling or abscess",
    "extraoral_fistula": "fistula",
}
_MINOR_FROM_NONSPECIFIC = {
    "tooth_mobility": "sudden tooth mobility",
    "altered_sensation": "lip hypo- or paraesthesia",
    "fistula_not_pulpal": "mucosal fistula",
}
_PAIN_SIGNS = ("jaw_pain", "odontalgia_without_cause", "sinus_pain")


def sicmf_stage_from_case(case: Case) -> SystemStage:
    """Map a case of the course's contract onto SICMF-SIPMO. The contract has no CT field, so the CT extent
    is inferred from the findings; the assumptions (listed in the result) are the course's, documented in
    other_osteonecrosis.yaml (sicmf_sipmo.case_mapping)."""
    mapping = {m["id"]: _text(m) for m in _data()["sicmf_sipmo"]["case_mapping"]}
    f = case.findings
    src = ["sicmf_sipmo", "course_teaching_rule"]
    # The exclusions are the shared rules (osteonecrosis.rules); SICMF-SIPMO names antiangiogenic drugs among
    # the ONJ-related drugs, so an antiangiogenic drug alone is not excluded here (AAOMS 2022 excludes it).
    exclusions = [e.reason for e in rules.exclusions(case) if e.code != "antiangiogenic_only"]
    if exclusions:
        return SystemStage("SICMF-SIPMO", "not_mronj", exclusions, [*src, "aaoms2022"], "teaching_rule",
                           [mapping["map-exclusions"]])

    minor = [label for key, label in _MINOR_FROM_FINDINGS.items() if getattr(f, key)]
    minor += [label for key, label in _MINOR_FROM_NONSPECIFIC.items() if key in f.nonspecific]
    complicated = []
    if f.extraoral_fistula:
        complicated.append("extraoral_fistula")
    if f.pathologic_fracture:
        complicated.append("pathologic_fracture")
    if f.osteolysis_to_border:
        complicated.append("osteolysis_to_sinus")
    if complicated:
        extent = "complicated"
    elif f.beyond_alveolar_bone or f.oral_antral_or_nasal_communication:
        extent = "basal"
    elif rules.has_lesion(f) or "radiographic_change" in f.nonspecific:
        extent = "alveolar"
    else:
        extent = "none"
    symptomatic = f.pain or f.infection or any(s in f.nonspecific for s in _PAIN_SIGNS)
    result = sicmf_stage(bool(minor), extent, symptomatic, complicated)
    assumptions = [mapping["map-minor-signs"], mapping["map-symptomatic"], mapping["map-no-time-rule"]]
    assumptions += [mapping[k] for k, on in (("map-complicated", extent == "complicated"),
                                             ("map-basal", extent == "basal"),
                                             ("map-alveolar", extent == "alveolar")) if on]
    reasons = list(result.reasons)
    if minor:
        reasons.insert(0, "minor sign(s) from the case: " + "; ".join(dict.fromkeys(minor)))
    reasons.append(f"CT extent inferred from the findings: {extent}")
    if f.beyond_alveolar_bone and extent != "complicated":
        reasons.append("if the necrosis reaches the zygoma or the hard palate, SICMF-SIPMO calls it complicated "
                       "(stage 3); the case's single 'beyond the alveolar bone' finding cannot tell")
    return SystemStage("SICMF-SIPMO", result.stage, reasons, list(dict.fromkeys([*result.source, *src])),
                       "teaching_rule", assumptions)


# ----------------------------------------------------------------------------------- femoral head (ARCO)
def _arco_entry(stage: str) -> dict[str, Any]:
    return next(s for s in _data()["femoral_head"]["arco2019"]["stages"] if s["stage"] == stage)


def arco2019_stage(xray_abnormal: bool, mri_or_scan_positive: bool, subchondral_fracture: bool,
                   depression_mm: float = 0, osteoarthritis: bool = False) -> SystemStage:
    """ARCO 2019 stage of femoral-head osteonecrosis: 'none', 'I', 'II', 'IIIA', 'IIIB' or 'IV'.

    Stages I, II and IIIA are verified; IIIB (depression over 2 mm) and IV (osteoarthritis) come back with
    evidence 'unverified'. A head depression needs a fracture (``subchondral_fracture=True``).
    """
    _bool("xray_abnormal", xray_abnormal)
    _bool("mri_or_scan_positive", mri_or_scan_positive)
    _bool("subchondral_fracture", subchondral_fracture)
    _bool("osteoarthritis", osteoarthritis)
    depression = _number("depression_mm", depression_mm)
    if depression > 0 and not subchondral_fracture:
        raise ValueError("depression_mm: a head depression means a fracture; set subchondral_fracture=True")
    limit = float(_arco_entry("IIIA")["max_depression_mm"])
    src = ["arco2019"]
    if osteoarthritis:
        e = _arco_entry("IV")
        return SystemStage("ARCO 2019", "IV", ["osteoarthritis on X-ray", _text(e)], src, e["evidence"])
    if subchondral_fracture:
        if depression <= limit:
            e = _arco_entry("IIIA")
            return SystemStage("ARCO 2019", "IIIA", [
                f"fracture in the subchondral or necrotic zone; head depression {depression:g} mm "
                f"(not more than {limit:g} mm)"], src, e["evidence"])
        e = _arco_entry("IIIB")
        return SystemStage("ARCO 2019", "IIIB", [
            f"fracture in the subchondral or necrotic zone; head depression {depression:g} mm "
            f"(more than {limit:g} mm)", _text(e)], src, e["evidence"])
    if xray_abnormal:
        return SystemStage("ARCO 2019", "II", [
            "X-ray abnormal (osteosclerosis, focal osteoporosis or cysts)", "no subchondral fracture, no flattening"],
            src, _arco_entry("II")["evidence"])
    if mri_or_scan_positive:
        return SystemStage("ARCO 2019", "I", ["X-ray normal", "MRI or bone scan positive"], src,
                           _arco_entry("I")["evidence"])
    return SystemStage("ARCO 2019", "none", [
        "X-ray normal and MRI/bone scan negative: no osteonecrosis detectable by ARCO 2019 criteria "
        "(ARCO 2019 dropped the histology-only stage 0)"], src, "guideline")


def arco1994_stage(imaging_normal_histology_positive: bool, mri_positive: bool, xray_positive: bool,
                   crescent_sign: bool, depression_mm: float = 0, necrotic_percent: float | None = None,
                   osteoarthritis: bool = False) -> SystemStage:
    """ARCO 1994 stage (for comparison with 2019): '0'..'4', with the A/B/C size subgroup when a
    necrotic percentage is given and sub-stage A/B/C of stage 3 from depression or size."""
    for name, value in (("imaging_normal_histology_positive", imaging_normal_histology_positive),
                        ("mri_positive", mri_positive), ("xray_positive", xray_positive),
                        ("crescent_sign", crescent_sign), ("osteoarthritis", osteoarthritis)):
        _bool(name, value)
    depression = _number("depression_mm", depression_mm)
    size = None if necrotic_percent is None else _number("necrotic_percent", necrotic_percent)
    if size is not None and size > 100:
        raise ValueError(f"necrotic_percent: must be at most 100, got {size!r}")
    src = ["arco1994"]
    ev = _data()["femoral_head"]["arco1994"]["evidence"]

    def letter(pct: float | None, mm: float, use_mm: bool) -> str:
        by_size = None if pct is None else ("A" if pct < 15 else "B" if pct <= 30 else "C")
        by_mm = ("A" if mm < 2 else "B" if mm <= 4 else "C") if use_mm else None
        found = [x for x in (by_size, by_mm) if x]
        return max(found) if found else ""

    if osteoarthritis:
        return SystemStage("ARCO 1994", "4", ["osteoarthritis"], src, ev)
    if crescent_sign or depression > 0:
        sub = letter(size, depression, True)
        return SystemStage("ARCO 1994", "3" + sub, [
            "crescent sign or collapse", f"depression {depression:g} mm"
            + ("" if size is None else f", necrotic area {size:g}% of the head"),
            "sub-stage: A under 15% or under 2 mm; B 15-30% or 2-4 mm; C over 30% or over 4 mm (the worse one)"],
            src, ev)
    sub = letter(size, 0, False)
    if xray_positive:
        return SystemStage("ARCO 1994", "2" + sub, ["X-ray positive, no collapse"], src, ev)
    if mri_positive:
        return SystemStage("ARCO 1994", "1" + sub, ["MRI positive, X-ray normal"], src, ev)
    if imaging_normal_histology_positive:
        return SystemStage("ARCO 1994", "0", ["histology only; imaging normal"], src, ev)
    return SystemStage("ARCO 1994", "none", ["no finding"], src, ev)


def ficat_stage(xray: str, mri_or_scan_positive: bool = False, symptomatic: bool = False) -> SystemStage:
    """Ficat and Arlet stage from the X-ray picture: xray is 'normal' | 'sclerosis_or_cysts' | 'crescent' |
    'collapse' | 'osteoarthritis'."""
    xray = _choice("xray", xray, ("normal", "sclerosis_or_cysts", "crescent", "collapse", "osteoarthritis"))
    _bool("mri_or_scan_positive", mri_or_scan_positive)
    _bool("symptomatic", symptomatic)
    src = ["ficat1985"]
    ev = _data()["femoral_head"]["ficat"]["evidence"]
    if xray == "osteoarthritis":
        return SystemStage("Ficat", "IV", ["osteoarthritis with acetabular changes"], src, ev)
    if xray == "collapse":
        return SystemStage("Ficat", "III", ["collapse (crescent sign, sequestrum); joint space preserved"], src, ev)
    if xray == "crescent":
        return SystemStage("Ficat", "transition", ["crescent sign or flattening, before collapse"], src, ev)
    if xray == "sclerosis_or_cysts":
        return SystemStage("Ficat", "II", ["sclerosis and/or cysts, no crescent sign"], src, ev)
    if mri_or_scan_positive and symptomatic:
        return SystemStage("Ficat", "I", ["X-ray normal; MRI or bone scan positive; pain"], src, ev)
    if mri_or_scan_positive:
        return SystemStage("Ficat", "0", ["X-ray normal; imaging positive without symptoms (silent hip)"], src, ev)
    return SystemStage("Ficat", "none", ["X-ray normal and no positive MRI or bone scan"], src, ev)


# ------------------------------------------------------------------------------------ osteoradionecrosis
def orn_definition_met(exposed_bone_cm: float, months_not_healing: float, irradiated_field: bool = True,
                       tumour_present: bool = False, definition: str = "common") -> SystemStage:
    """Whether exposed bone meets an ORN definition: 'marx1983' (over 1 cm, at least 6 months) or 'common'
    (failing to heal for at least 3 months, no residual or recurrent tumour). Stage is 'orn' or 'not_orn'."""
    size = _number("exposed_bone_cm", exposed_bone_cm)
    months = _number("months_not_healing", months_not_healing)
    _bool("irradiated_field", irradiated_field)
    _bool("tumour_present", tumour_present)
    definition = _choice("definition", definition, ("marx1983", "common"))
    defs = {d["id"]: d for d in _data()["osteoradionecrosis"]["definitions"]}
    entry = defs["orn-def-marx1983" if definition == "marx1983" else "orn-def-common"]
    src = knowledge.source_keys(entry)
    system = f"ORN definition ({entry['name']})"
    unmet = []
    if not irradiated_field:
        unmet.append("the bone is not in an irradiated field")
    if tumour_present:
        unmet.append("residual or recurrent tumour must be excluded first")
    if size <= 0:
        unmet.append("no exposed bone (ORN without a mucosal breach exists on imaging, Lyons 2014, but these "
                     "definitions need exposure)")
    if definition == "marx1983" and 0 < size <= entry["min_exposed_cm"]:
        unmet.append(f"exposed bone {size:g} cm, not more than {entry['min_exposed_cm']} cm")
    if months < entry["min_months"]:
        unmet.append(f"not healing for {months:g} months, less than {entry['min_months']}")
    if unmet:
        return SystemStage(system, "not_orn", unmet, src, entry["evidence"])
    return SystemStage(system, "orn", [f"exposed irradiated bone {size:g} cm, not healing for {months:g} months",
                                       _text(entry)], src, entry["evidence"])


def orn_grade_traditional(exposed_bone: bool, failed_hbo_or_needs_sequestrectomy: bool = False,
                          full_thickness_or_fracture: bool = False) -> SystemStage:
    """Traditional (Marx-based) ORN grade: 'I', 'II', 'III' (or 'none' without exposed bone)."""
    for name, value in (("exposed_bone", exposed_bone),
                        ("failed_hbo_or_needs_sequestrectomy", failed_hbo_or_needs_sequestrectomy),
                        ("full_thickness_or_fracture", full_thickness_or_fracture)):
        _bool(name, value)
    grades = {g["grade"]: g for g in _data()["osteoradionecrosis"]["grading"]["traditional"]["grades"]}
    src = ["orn_grading_traditional"]
    if full_thickness_or_fracture:
        grade = "III"
    elif failed_hbo_or_needs_sequestrectomy:
        grade = "II"
    elif exposed_bone:
        grade = "I"
    else:
        return SystemStage("ORN traditional", "none", ["no exposed bone"], src, "expert_opinion")
    return SystemStage("ORN traditional", grade, [_text(grades[grade])], src, grades[grade]["evidence"])


def orn_grade_dahanca(necrosis: bool, exposure_mm: float = 0, surgery: str = "none",
                      continuity_defect: bool = False, below_canal: bool = False) -> SystemStage:
    """DAHANCA-21/NWHHT ORN grade 0-4 (as a string). ``surgery``: 'none' | 'minimal_sequestrectomy' |
    'sequestrectomy' (larger, above the mandibular canal) | 'resection'."""
    _bool("necrosis", necrosis)
    size = _number("exposure_mm", exposure_mm)
    surgery = _choice("surgery", surgery, ORN_SURGERY)
    _bool("continuity_defect", continuity_defect)
    _bool("below_canal", below_canal)
    grades = {str(g["grade"]): g for g in _data()["osteoradionecrosis"]["grading"]["dahanca"]["grades"]}
    src = ["dahanca21"]
    if not necrosis:
        if surgery != "none" or continuity_defect or below_canal or size > 0:
            raise ValueError("necrosis: False, but exposure, surgery or canal findings were given")
        return SystemStage("DAHANCA-21", "0", [_text(grades["0"])], src, "trial")
    reasons = []
    if surgery == "resection" or continuity_defect or below_canal:
        grade = "4"
        reasons = [r for r, on in (("resection needed", surgery == "resection"),
                                   ("continuity defect", continuity_defect),
                                   ("necrosis below the mandibular canal", below_canal)) if on]
    elif surgery == "sequestrectomy":
        grade = "3"
    elif surgery == "minimal_sequestrectomy":
        grade = "2"
    else:
        grade = "1"
        if size >= 2:
            reasons.append(f"exposure {size:g} mm with no surgery needed: the grade-1 text says under 2 mm; "
                           "graded 1 by the course, check with the trial protocol")
    return SystemStage("DAHANCA-21", grade, [*reasons, _text(grades[grade])], src, "trial")


def orn_grade_notani(extent: str, skin_fistula: bool = False, pathologic_fracture: bool = False) -> SystemStage:
    """Notani ORN grade 'I'-'III' (reported, NOT verified: evidence 'unverified'). extent: 'alveolar' |
    'above_canal' | 'below_canal'."""
    extent = _choice("extent", extent, NOTANI_EXTENT)
    _bool("skin_fistula", skin_fistula)
    _bool("pathologic_fracture", pathologic_fracture)
    grades = {g["grade"]: g for g in _data()["osteoradionecrosis"]["grading"]["notani"]["grades"]}
    if extent == "below_canal" or skin_fistula or pathologic_fracture:
        grade = "III"
    elif extent == "above_canal":
        grade = "II"
    else:
        grade = "I"
    return SystemStage("Notani (reported)", grade, [_text(grades[grade])], ["notani2003"], "unverified")


def orn_dose_flags(dmax_gy: float | None = None, dmean_gy: float | None = None,
                   v60_percent: float | None = None) -> list[dict[str, Any]]:
    """Published dose thresholds the given mandible dose exceeds, each with its source."""
    doses = {e["id"]: e for e in _data()["osteoradionecrosis"]["dose"]}
    flags = []
    dm = doses["orn-dmax-dmean"]
    if dmax_gy is not None and _number("dmax_gy", dmax_gy) > dm["dmax_threshold_gy"]:
        flags.append({"flag": f"maximum mandible dose {dmax_gy:g} Gy > {dm['dmax_threshold_gy']} Gy",
                      "text": _text(doses["orn-dose-60gy"]), "source": ["studer2015", "orn_dosimetry"],
                      "evidence": "cohort"})
    if dmean_gy is not None and _number("dmean_gy", dmean_gy) > dm["dmean_threshold_gy"]:
        flags.append({"flag": f"mean mandible dose {dmean_gy:g} Gy > {dm['dmean_threshold_gy']} Gy",
                      "text": _text(dm), "source": knowledge.source_keys(dm), "evidence": dm["evidence"]})
    v = doses["orn-v60"]
    if v60_percent is not None and _number("v60_percent", v60_percent) > v["v60_threshold_percent"]:
        flags.append({"flag": f"V60 {v60_percent:g}% > {v['v60_threshold_percent']}%", "text": _text(v),
                      "source": knowledge.source_keys(v), "evidence": v["evidence"]})
    return flags
