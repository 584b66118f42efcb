"""Policy–outcome gap: a policy score next to a lived outcome, ready for a quadrant chart.

Three rules live here, each in one function, so every page applies them the same way:

* :func:`pair_year` — which outcome year goes with a policy edition;
* :func:`combined_flag` — the Eurostat flag a figure derived from others carries;
* :func:`comparison` — which two populations a measure's gap compares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.compare import _slice, axis_columns

def pair_year(years, edition=None):
    """The outcome year shown with policy edition ``edition``.

    Rule: the nearest year not after the edition; if every year is after it, the nearest
    one after it. With no edition, the latest year. ``years``: any iterable of years
    (missing ones ignored). Returns None when there is no year.
    """
    ys = sorted({int(y) for y in years if y is not None and not pd.isna(y)})
    if not ys:
        return None
    if edition is None or pd.isna(edition):
        return ys[-1]
    edition = int(edition)
    before = [y for y in ys if y <= edition]
    return before[-1] if before else ys[0]


def combined_flag(*flags) -> str | None:
    """The flag of a figure derived from figures with ``flags``: every letter any of them
    carries (so a ``u`` on either input shows on the gap), in Eurostat's A–Z order.
    ``combined_flag("b", "u") == "bu"``; None when no input has a flag."""
    letters = set()
    for f in flags:
        if f is None or (isinstance(f, float) and np.isnan(f)) or f is pd.NA:
            continue
        letters.update(c for c in str(f).strip() if c.isalpha())
    if not letters:
        return None
    return "".join(sorted(letters))


def comparison(basis, reference_group, migrant_group) -> tuple[str, str] | None:
    """The two populations a gap compares, as (reference, migrant) words' keys:

    - by citizenship: ``NAT`` → "nationals", ``NEU…`` → "non-EU citizens", ``FOR`` →
      "foreign citizens";
    - by country of birth: ``NAT`` → "native-born", ``NEU…`` → "non-EU-born", ``FOR`` →
      "foreign-born";
    - ``TOTAL`` → "all residents" (a table without a native series).

    These are different gaps: the pages say which one they show. None when the measure has
    no migrant group (a figure for everyone, no gap). An unknown code is returned as is.
    """
    if not isinstance(migrant_group, str) or not migrant_group:
        return None
    birth = basis == "country of birth"
    ref = {"NAT": "native-born" if birth else "nationals", "TOTAL": "all residents"}.get(
        reference_group, reference_group)
    if migrant_group.startswith("NEU"):
        mig = "non-EU-born" if birth else "non-EU citizens"
    elif migrant_group == "FOR":
        mig = "foreign-born" if birth else "foreign citizens"
    elif migrant_group.startswith("EU"):
        mig = "EU-born" if birth else "EU citizens"
    else:
        mig = migrant_group
    return ref, mig


def _outcome_pairs(outcomes, measure, reference_group, migrant_group, year, edition):
    """One row per region: both groups' value and flag for the year :func:`pair_year`
    gives (among the years where both groups have a value; a region with no such year keeps
    the paired year among all its rows, so its flags and partial figures still show)."""
    o = outcomes[outcomes["measure"] == measure]
    cols = ["region_id", "year", "value", "flag", "unit", "source"]
    o = o.reindex(columns=cols + ["group"]).assign(region_id=lambda d: d["region_id"].astype(str))
    ref = o[o["group"] == reference_group][cols]
    mig = o[o["group"] == migrant_group][cols]
    both = ref.merge(mig, on=["region_id", "year"], how="outer",
                     suffixes=("_reference", "_migrant"))
    if year is not None:
        return both[both["year"] == year]
    # Per region, at once for all (a loop over regions cost seconds at publish): the pool
    # is the years where both groups have a value, else all its rows; the year is
    # :func:`pair_year`'s rule on the pool; the first row of that year is kept.
    has_both = (both["value_reference"].notna() & both["value_migrant"].notna()).to_numpy()
    rid = both["region_id"]
    any_both = pd.Series(has_both, index=both.index).groupby(rid).transform("any").to_numpy()
    pool = both[has_both | ~any_both]
    years = pd.to_numeric(pool["year"], errors="coerce")
    by = years.groupby(pool["region_id"])
    if edition is None or pd.isna(edition):
        chosen = by.transform("max")
    else:
        before = years.where(years <= int(edition)).groupby(pool["region_id"]).transform("max")
        chosen = before.fillna(by.transform("min"))
    picked = pool[(years == chosen).to_numpy()]
    return picked.groupby("region_id", sort=False).head(1).sort_values("region_id",
                                                                       kind="stable")


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
                       target_group, measure: str, edition=None,
                       reference_group: str = "NAT", migrant_group: str = "NEU27_2020_FOR",
                       direction: int = 1, year=None, policy_split=None,
                       gap_split=None, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pair an area's policy score with an outcome gap for every region.

    Formula: outcome_gap = direction × (value(reference_group) − value(migrant_group)), in
    the outcome's unit (percentage points for rates): positive = the migrant group does
    worse (``direction`` −1 for a measure where lower is better, such as unemployment).
    Year: ``year``, or per region :func:`pair_year` of the policy ``edition`` among the
    years where both groups have a value. Quadrant: policy "strong" when policy_score ≥
    ``policy_split``, outcome "strong" when outcome_gap ≤ ``gap_split``; splits default to
    the medians over regions with both numbers.
    Inputs: ``area_table`` from ``aggregate(cube, by="area")`` (any single-axis table works:
    ``area`` is a value of its axis), ``outcomes`` as in ``data.schema``.
    Missing data: a region missing either number gets quadrant "no data", never a quadrant.
    Flags: both groups' Eurostat flags verbatim (flag_reference, flag_migrant), and the
    gap's (flag_gap, :func:`combined_flag` of the two).
    Output: region_id, area, policy_score, policy_coverage, outcome_gap, value_reference,
    value_migrant, flag_reference, flag_migrant, flag_gap, year, unit, source, quadrant,
    policy_split, gap_split — one row per region in either input.
    """
    axis = axis_columns(area_table)
    t, _ = _slice(area_table, target_group, edition)
    t = t[t[axis[0]] == area]
    pol = pd.DataFrame({"region_id": t["region_id"].astype(str).to_numpy(),
                        "policy_score": t["score"].to_numpy(float),
                        "policy_coverage": t["coverage"].to_numpy(float)})
    if pairs is None:  # ``pairs``: the outcome pairs found already (they do not depend on the group)
        pairs = _outcome_pairs(outcomes, measure, reference_group, migrant_group, year, edition)
    out = pol.merge(pairs, on="region_id", how="outer")
    sign = -1.0 if direction == -1 else 1.0
    out["outcome_gap"] = sign * (out["value_reference"] - out["value_migrant"])
    out["flag_gap"] = [combined_flag(a, b) for a, b in zip(out["flag_reference"],
                                                           out["flag_migrant"])]
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
            "value_reference", "value_migrant", "flag_reference", "flag_migrant", "flag_gap",
            "year", "unit", "source", "quadrant", "policy_split", "gap_split"]
    return out[cols].sort_values("region_id").reset_index(drop=True)
