"""Policy–outcome gap: a policy score next to a lived outcome, ready for a quadrant chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.compare import _slice, axis_columns


def _outcome_pairs(outcomes, measure, reference_group, migrant_group, year):
    """One row per region: both groups' value and flag for the chosen year."""
    o = outcomes[outcomes["measure"] == measure]
    cols = ["region_id", "year", "value", "flag", "unit", "source"]
    o = o.reindex(columns=cols + ["group"]).assign(region_id=lambda d: d["region_id"].astype(str))
    ref = o[o["group"] == reference_group][cols]
    mig = o[o["group"] == migrant_group][cols]
    both = ref.merge(mig, on=["region_id", "year"], how="outer",
                     suffixes=("_reference", "_migrant"))
    if year is not None:
        return both[both["year"] == year]
    # per region, the latest year in which both groups have a value; a region with no such
    # year keeps its latest year (gap NaN) so its flags and partial figures still show
    has_both = both["value_reference"].notna() & both["value_migrant"].notna()
    both = both.assign(_both=has_both).sort_values(["region_id", "_both", "year"])
    return both.groupby("region_id", sort=False).tail(1).drop(columns="_both")


def quadrant(policy, gap, policy_split, gap_split) -> np.ndarray:
    """Quadrant labels: policy strong if score ≥ split; outcome strong if gap ≤ split."""
    policy = np.asarray(policy, float)
    gap = np.asarray(gap, float)
    p = np.where(policy >= policy_split, "strong policy", "weak policy")
    o = np.where(gap <= gap_split, "strong outcome", "weak outcome")
    lab = np.char.add(np.char.add(p, " / "), o).astype(object)
    lab[np.isnan(policy) | np.isnan(gap)] = "no data"
    return lab


def policy_outcome_gap(area_table: pd.DataFrame, outcomes: pd.DataFrame, area, *,
                       target_group, edition=None, measure: str = "employment_rate_20_64",
                       reference_group: str = "NAT", migrant_group: str = "NEU27_2020_FOR",
                       year=None, policy_split=None, gap_split=None) -> pd.DataFrame:
    """Pair an area's policy score with an outcome gap for every region.

    Formula: outcome_gap = value(reference_group) − value(migrant_group), in the outcome's
    unit (percentage points for rates): positive = migrants do worse. Year: ``year``, or per
    region the latest year where both groups have a value. Quadrant: policy "strong" when
    policy_score ≥ ``policy_split``, outcome "strong" when outcome_gap ≤ ``gap_split``;
    splits default to the medians over regions with both numbers.
    Inputs: ``area_table`` from ``aggregate(cube, by="area")`` (any single-axis table works:
    ``area`` is a value of its axis), ``outcomes`` as in ``data.schema``.
    Missing data: a region missing either number gets quadrant "no data", never a quadrant.
    Flags: both groups' Eurostat flags verbatim (flag_reference, flag_migrant).
    Output: region_id, area, policy_score, policy_coverage, outcome_gap, value_reference,
    value_migrant, flag_reference, flag_migrant, year, unit, source, quadrant,
    policy_split, gap_split — one row per region in either input.
    """
    axis = axis_columns(area_table)
    t, _ = _slice(area_table, target_group, edition)
    t = t[t[axis[0]] == area]
    pol = pd.DataFrame({"region_id": t["region_id"].astype(str).to_numpy(),
                        "policy_score": t["score"].to_numpy(float),
                        "policy_coverage": t["coverage"].to_numpy(float)})
    pairs = _outcome_pairs(outcomes, measure, reference_group, migrant_group, year)
    out = pol.merge(pairs, on="region_id", how="outer")
    out["outcome_gap"] = out["value_reference"] - out["value_migrant"]
    both = out["policy_score"].notna() & out["outcome_gap"].notna()
    ps = policy_split if policy_split is not None else out.loc[both, "policy_score"].median()
    gs = gap_split if gap_split is not None else out.loc[both, "outcome_gap"].median()
    out["quadrant"] = quadrant(out["policy_score"], out["outcome_gap"], ps, gs)
    out["area"] = area
    out["unit"] = out["unit_reference"].fillna(out["unit_migrant"])
    out["source"] = out["source_reference"].fillna(out["source_migrant"])
    out["policy_split"], out["gap_split"] = ps, gs
    out["year"] = out["year"].astype("Int64")  # the outer merge made it float
    cols = ["region_id", "area", "policy_score", "policy_coverage", "outcome_gap",
            "value_reference", "value_migrant", "flag_reference", "flag_migrant", "year",
            "unit", "source", "quadrant", "policy_split", "gap_split"]
    return out[cols].sort_values("region_id").reset_index(drop=True)
