"""Normalisation of outcome indicators onto 0–100 (100 = best), respecting ``direction``.

Policy indicators already live on 0–100 through their answer map; outcome indicators
(employment rates, gaps, ...) come in their own units and must be brought onto a common
scale *before* they are averaged with anything else.
"""

from __future__ import annotations

import numpy as np

METHODS = ("minmax", "zscore", "distance", "goalposts")


def normalise(x, method: str = "minmax", direction=1, goalposts=None, axis=None) -> np.ndarray:
    """Map raw values onto a 0–100-type scale where higher is always better.

    Formula (``d`` = direction, +1 higher better / -1 lower better; statistics taken over
    the non-missing values along ``axis``, or the whole array when ``axis`` is None):

    - ``minmax``:    d=+1: 100·(x−min)/(max−min);  d=−1: 100·(max−x)/(max−min).
      No spread (max == min): every value becomes 50, the midpoint (it cannot rank anyone).
    - ``zscore``:    50 + 10·d·(x−mean)/sd  (a "T-score", sd with ddof=0; unbounded).
      No spread: 50.
    - ``distance``:  distance to the best performer, as a ratio:
      d=+1: 100·x/max;  d=−1: 100·min/x.  Requires x ≥ 0 (d=+1) or x > 0 (d=−1),
      otherwise ``ValueError``; a best value of 0 with d=+1 gives NaN (no reference).
    - ``goalposts``: ``goalposts=(worst, best)`` in the raw unit, fixed in advance:
      100·(x−worst)/(best−worst), clipped to [0, 100]. ``direction`` is implied by the
      order of the goalposts (worst > best means lower is better) and is not used.

    Inputs: ``x`` array-like (any shape); ``direction`` a scalar or an array that broadcasts
    against the reduced statistics (e.g. one per column with ``axis=0``); ``goalposts`` a
    pair (or a (2, n) array for column-wise goalposts).
    Missing data: NaN stays NaN and is ignored by the statistics; an all-NaN slice stays NaN.
    Output: float ndarray of the same shape as ``x``.
    """
    x = np.asarray(x, dtype=float)
    d = np.asarray(direction, dtype=float)
    if method not in METHODS:
        raise ValueError(f"unknown normalisation method {method!r}; use one of {METHODS}")
    if method == "goalposts":
        if goalposts is None:
            raise ValueError("method 'goalposts' needs goalposts=(worst, best)")
        worst, best = (np.asarray(g, dtype=float) for g in goalposts)
        if np.any(worst == best):
            raise ValueError("goalposts: worst and best must differ")
        return np.clip(100.0 * (x - worst) / (best - worst), 0.0, 100.0)
    all_nan = np.all(np.isnan(x), axis=axis, keepdims=True)
    # all-NaN slices would warn in nanmin/nanmax; fill them with 0 and mask the result.
    safe = np.where(all_nan, 0.0, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "minmax":
            lo = np.nanmin(safe, axis=axis, keepdims=True)
            hi = np.nanmax(safe, axis=axis, keepdims=True)
            span = hi - lo
            up = 100.0 * (x - lo) / span
            out = np.where(d > 0, up, 100.0 - up)
            out = np.where(span == 0, np.where(np.isnan(x), np.nan, 50.0), out)
        elif method == "zscore":
            mu = np.nanmean(safe, axis=axis, keepdims=True)
            sd = np.nanstd(safe, axis=axis, keepdims=True)
            out = 50.0 + 10.0 * d * (x - mu) / sd
            out = np.where(sd == 0, np.where(np.isnan(x), np.nan, 50.0), out)
        else:  # distance
            bad = ((d > 0) & (x < 0)) | ((d < 0) & (x <= 0))
            if np.any(bad):
                raise ValueError("distance normalisation needs x >= 0 (direction +1) "
                                 "or x > 0 (direction -1)")
            hi = np.nanmax(safe, axis=axis, keepdims=True)
            lo = np.nanmin(np.where(all_nan, 1.0, x), axis=axis, keepdims=True)
            out = np.where(d > 0, np.where(hi > 0, 100.0 * x / hi, np.nan), 100.0 * lo / x)
    return np.where(np.isnan(x), np.nan, out)
