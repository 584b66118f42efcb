"""Ranks of an aggregate table: the floor under :mod:`scoring.aggregate` (whose
:func:`~scoring.aggregate.overall` ranks what it returns) and :mod:`scoring.compare`
(which ranks whatever a page has just shown). Here so that neither imports the other for
it; :mod:`scoring.compare` re-exports these names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The axes a score can be aggregated on, in the order tables carry them.
AXES = ("area", "phase", "system", "indicator_id")


def rank_within(score, keys=None) -> np.ndarray:
    """Rank ``score`` descending within each value of ``keys`` (method "min", 1 = best).

    Ties share the lowest rank (95, 90, 90, 80 → 1, 2, 2, 4). NaN scores get NaN ranks and
    do not count. Vectorised: one lexsort, no Python loop. Output float array like ``score``.
    """
    score = np.asarray(score, dtype=float)
    n = score.size
    keys = np.zeros(n, np.int64) if keys is None else np.asarray(keys)
    # -NaN is NaN and sorts last inside its key, so missing scores never take a rank
    order = np.lexsort((-score, keys))
    s, k = score[order], keys[order]
    pos = np.arange(n)
    new_key = np.r_[True, k[1:] != k[:-1]]
    key_start = np.maximum.accumulate(np.where(new_key, pos, 0))
    new_val = new_key | np.r_[True, s[1:] != s[:-1]]
    val_start = np.maximum.accumulate(np.where(new_val, pos, 0))
    r = (val_start - key_start + 1).astype(float)
    r[np.isnan(s)] = np.nan
    out = np.empty(n)
    out[order] = r
    return out


def axis_columns(table: pd.DataFrame) -> list[str]:
    """The axis columns of an aggregate table (from ``attrs['by']``, else those present)."""
    by = table.attrs.get("by")
    return list(by) if by is not None else [c for c in AXES if c in table.columns]


def _key_codes(table: pd.DataFrame, cols: list[str]) -> np.ndarray:
    return table.groupby(cols, observed=True, sort=False).ngroup().to_numpy()


def ranks(table: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add ``rank`` and ``rank_country`` to an aggregate table.

    Formula: rank among all rows with the same target_group, edition and axis values;
    method "min", 1 = best (highest score). ``rank_country``: the same within the region's
    country (``regions`` with region_id, country); missing when ``regions`` is None or the
    region has no country. Missing data: a NaN score gets no rank and does not count.
    Output: a copy of ``table`` with nullable Int64 columns rank, rank_country.
    """
    out = table.copy()
    keys = _key_codes(out, ["target_group", "edition", *axis_columns(out)])
    out["rank"] = pd.array(rank_within(out["score"].to_numpy(float), keys)).astype("Int64")
    if regions is None:
        out["rank_country"] = pd.array([pd.NA] * len(out), dtype="Int64")
        return out
    country = out["region_id"].astype(str).map(
        regions.set_index(regions["region_id"].astype(str))["country"])
    c_codes, _ = pd.factorize(country)  # -1 for regions without a country
    both = keys.astype(np.int64) * (c_codes.max(initial=0) + 2) + c_codes + 1
    r = rank_within(out["score"].to_numpy(float), both)
    r[c_codes < 0] = np.nan
    out["rank_country"] = pd.array(r).astype("Int64")
    return out
