"""Drug-level model: shapes of skeletal bisphosphonate retention and denosumab serum level."""

from __future__ import annotations

import math

import numpy as np
import pytest
from osteonecrosis.models import pharmacokinetics as pk
from osteonecrosis.models.parameters import ModelInputError, param


def test_bisphosphonate_store_decays_over_years_not_months():
    curve = pk.level_curve("alendronate-op-weekly", therapy_months=60, holiday_months=120)
    start = curve.holiday_start_day
    one_year = curve.percent_at(start + pk.DAYS_PER_YEAR)
    ten_years = curve.percent_at(start + 10 * pk.DAYS_PER_YEAR)
    assert curve.percent_at_holiday_start() > 95          # the store peaks at the stop
    assert one_year > 85                                  # a year of holiday barely dents it
    assert ten_years == pytest.approx(curve.percent_at_holiday_start() / 2, rel=0.02)  # one half-life
    after = curve.level_percent[curve.t_days >= start]
    assert np.all(np.diff(after) <= 1e-9)                 # monotone decay once stopped


def test_denosumab_serum_falls_within_months():
    curve = pk.level_curve("denosumab-op", therapy_months=24, holiday_months=6)
    last_dose = curve.dose_days[-1]
    three_months = curve.percent_at(last_dose + 91)
    assert three_months < 10                              # most gone within 3 months of an injection
    assert curve.percent_after_holiday() < 0.1
    assert curve.days_to_fall_to(10) == pytest.approx(26 * math.log2(10))


def test_holiday_clears_bisphosphonate_slowly_and_denosumab_quickly():
    r = pk.compare_holiday("zoledronate-onc-monthly", "denosumab-onc", therapy_months=36, holiday_months=2)
    assert r["bp_left_percent"] > 95
    assert r["dmab_left_percent"] < 10
    assert r["bp_days_to_10_percent"] > 100 * r["dmab_days_to_10_percent"]


def test_half_lives_come_from_the_knowledge_base():
    assert pk.half_life("denosumab").days == param("pk-denosumab-serum-half-life").value
    assert pk.half_life("alendronate").days == pytest.approx(10 * pk.DAYS_PER_YEAR)
    clod = pk.half_life("clodronate")                     # no own figure: the labelled default
    assert clod.days == pytest.approx(param("pk-bp-skeletal-half-life").value * pk.DAYS_PER_YEAR)
    assert "assumed" in clod.note


def test_custom_interval_changes_the_sawtooth_not_the_decay():
    a = pk.level_curve("denosumab-onc", 12, 3)
    b = pk.level_curve("denosumab-onc", 12, 3, every_days=56)
    assert len(b.dose_days) < len(a.dose_days)
    assert a.days_to_fall_to(50) == b.days_to_fall_to(50)


@pytest.mark.parametrize("kwargs, field", [
    ({"therapy_months": 0, "holiday_months": 3}, "time on the drug"),
    ({"therapy_months": -1, "holiday_months": 3}, "time on the drug"),
    ({"therapy_months": 12, "holiday_months": -2}, "holiday"),
    ({"therapy_months": 12, "holiday_months": 2, "every_days": 0}, "dosing interval"),
])
def test_bad_inputs_name_the_field(kwargs, field):
    with pytest.raises(ModelInputError, match=field):
        pk.level_curve("alendronate-op-weekly", **kwargs)


def test_drugs_without_a_verified_half_life_are_refused_clearly():
    with pytest.raises(ModelInputError, match="no verified half-life"):
        pk.half_life("bevacizumab")
    with pytest.raises(ModelInputError, match="regimen"):
        pk.regimen("bevacizumab-anything")
