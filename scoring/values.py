"""From the scores table to a dense cube of indicator values.

The cube is built once per data version (``prepare``) and every aggregate is computed
from it with matrix products, which is what makes a page or a 1,000-draw robustness run
cheap. Layout: ``values[region, group, edition, indicator]`` with NaN for "no value";
the indicator axis is last so that ``values.reshape(-1, n_indicators) @ membership`` is a
single contiguous matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from data.answers import answer_maps as parse_answer_maps
from data.answers import answer_values
from data.schema import split_list
from scoring.normalise import normalise

ALL = "ALL"  # the pseudo target group "both groups combined"
ALL_RULES = ("both", "any")


@dataclass(frozen=True)
class Cube:
    """Dense indicator values plus the labels of every axis.

    - ``regions`` (R,), ``groups`` (G, real target groups then ``"ALL"``), ``editions`` (E,)
    - ``indicators``: DataFrame, one row per indicator in cube order, with indicator_id,
      label, area, phase, system, weight (NaN → 1), kind, direction.
    - ``raw``: (R, G−1, E, I) values from answers (or given), outcome indicators unnormalised.
    - ``values``: (R, G, E, I) the values aggregates use: outcomes normalised, plus ALL.
    - ``asked``: (I, G) bool, the indicator is asked for that target group.
    - ``answer_maps``: list of dicts (answer code → value), one per indicator.
    - ``params``: how the cube was derived (outcome_method, goalposts, all_rule).
    """

    regions: np.ndarray
    groups: tuple
    editions: np.ndarray
    indicators: pd.DataFrame
    raw: np.ndarray
    values: np.ndarray
    asked: np.ndarray
    answer_maps: list
    params: dict = field(default_factory=dict)

    def region_index(self, region_id) -> int:
        hit = np.flatnonzero(self.regions == region_id)
        if hit.size == 0:
            raise KeyError(f"unknown region_id {region_id!r}")
        return int(hit[0])

    def group_index(self, group) -> int:
        if group not in self.groups:
            raise KeyError(f"unknown target group {group!r}; have {self.groups}")
        return self.groups.index(group)

    def edition_index(self, edition) -> int:
        if edition is None:  # the latest edition is what a page shows by default
            return len(self.editions) - 1
        hit = np.flatnonzero(self.editions == edition)
        if hit.size == 0:
            raise KeyError(f"unknown edition {edition!r}; have {list(self.editions)}")
        return int(hit[0])


def _indicator_meta(indicators: pd.DataFrame) -> pd.DataFrame:
    ind = indicators.reset_index(drop=True)
    ids = ind["indicator_id"].astype(str)
    dup = ids[ids.duplicated()].unique()
    if len(dup):
        raise ValueError(f"duplicate indicator_id: {', '.join(map(str, dup))}")
    n = len(ind)

    def col(name, default):
        return ind[name] if name in ind.columns else pd.Series([default] * n)

    return pd.DataFrame({
        "indicator_id": ids.to_numpy(dtype=object),
        "label": col("label", "").astype(object).where(col("label", "").notna(), ids).to_numpy(),
        "area": col("area", "").astype(str).to_numpy(dtype=object),
        "phase": col("phase", "").astype(str).to_numpy(dtype=object),
        "system": col("system", "").astype(str).to_numpy(dtype=object),
        "weight": pd.to_numeric(col("weight", 1.0), errors="coerce").fillna(1.0).to_numpy(float),
        "kind": col("kind", "policy").fillna("policy").astype(str).to_numpy(dtype=object),
        "direction": pd.to_numeric(col("direction", 1), errors="coerce").fillna(1)
        .to_numpy(int),
    })


def _sorted_codes(series: pd.Series, as_str: bool = True):
    """Factorise and renumber so that codes follow the sorted order of the labels.

    Categoricals reuse their codes: converting 24M labels to text first costs seconds.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        labels = np.asarray(cats.astype(str) if as_str else cats, dtype=object)
        order = np.argsort(labels, kind="stable")
        remap = np.empty(len(labels), np.int64)
        remap[order] = np.arange(len(labels))
        codes = series.cat.codes.to_numpy().astype(np.int64)
        if (codes < 0).any():
            raise ValueError(f"missing {series.name} in scores")
        return remap[codes], labels[order]
    if as_str:
        series = series.astype(str)
    codes, uniques = pd.factorize(series, sort=True)
    return codes, np.asarray(uniques, dtype=object)


def _values_from_rows(scores, ind_pos, answer_maps):
    """Per row: the answer mapped through the indicator's map, else the given value — the
    one answer-map rule of :mod:`data.answers`, shared with validation and the import."""
    answers = scores["answer"] if "answer" in scores.columns else np.full(len(scores), None)
    given = pd.to_numeric(scores["value"], errors="coerce").to_numpy(float) \
        if "value" in scores.columns else None
    rule = answer_values(ind_pos, answers, answer_maps, given)
    if rule.unknown.any():
        rows = scores.loc[rule.unknown, ["indicator_id", "answer"]].drop_duplicates().head(10)
        pairs = ", ".join(f"{r.indicator_id}={r.answer}" for r in rows.itertuples())
        raise ValueError(f"answers not in the indicator's answer map: {pairs}")
    return rule.value


def prepare(indicators: pd.DataFrame, scores: pd.DataFrame, *, outcome_method: str = "minmax",
            goalposts=None, all_rule: str = "both", regions=None) -> Cube:
    """Build the dense value cube from the indicators and scores tables.

    Formula: value = answer_map[answer] when an answer is given, else ``value`` (0–100).
    Outcome indicators (kind == "outcome") are then normalised per indicator with
    :func:`scoring.normalise` (``outcome_method``; ``goalposts`` a mapping indicator_id →
    (worst, best) for method "goalposts"), pooled over all regions, target groups and
    editions so that changes over time and TCN–BIP gaps stay meaningful.
    The "ALL" group: for each indicator, the mean of its values over the target groups it
    is asked for; with ``all_rule="both"`` only where every asked group has a value (else
    missing), with ``all_rule="any"`` over whichever groups have one.

    Inputs: ``indicators`` and ``scores`` as in ``data.schema``; ``regions`` optional
    iterable of region_ids to include even without scores (they get all-NaN rows).
    Missing data: absent rows and rows with neither answer nor value are NaN; a value for a
    target group the indicator is not asked for is ignored. Unknown indicator ids or answer
    codes raise ``ValueError`` naming them; a duplicated key raises ``ValueError``.
    Output: a :class:`Cube`.
    """
    if all_rule not in ALL_RULES:
        raise ValueError(f"all_rule must be one of {ALL_RULES}")
    meta = _indicator_meta(indicators)
    n_ind = len(meta)
    answer_maps = parse_answer_maps(indicators.reset_index(drop=True))
    asked_lists = [split_list(t) for t in (indicators["target_groups"].reset_index(drop=True)
                                           if "target_groups" in indicators.columns
                                           else [None] * n_ind)]

    r_codes, r_labels = _sorted_codes(scores["region_id"])
    if regions is not None:
        # a set, not np.setdiff1d: on object arrays that grows with the square of the
        # region count (25 s at 20,000 regions)
        have = set(r_labels.tolist())
        extra = sorted({str(x) for x in regions} - have)
        if extra:
            all_labels = np.asarray(sorted([*have, *extra]), dtype=object)
            pos = {k: i for i, k in enumerate(all_labels)}
            r_codes = np.fromiter((pos[k] for k in r_labels), np.int64, len(r_labels))[r_codes]
            r_labels = all_labels
    i_codes, i_labels = _sorted_codes(scores["indicator_id"])
    pos = {k: j for j, k in enumerate(meta["indicator_id"])}
    unknown = [k for k in i_labels if k not in pos]
    if unknown:
        raise ValueError(f"scores name unknown indicator_id: {', '.join(unknown[:10])}")
    ind_pos = np.array([pos[k] for k in i_labels], dtype=np.int64)[i_codes]
    g_codes, g_labels = _sorted_codes(scores["target_group"])
    groups = sorted(set(map(str, g_labels)) | {g for lst in asked_lists for g in lst})
    groups = [g for g in groups if g != ALL]
    g_codes = np.searchsorted(np.asarray(groups, dtype=object), g_labels.astype(object))[g_codes] \
        if len(g_labels) else g_codes
    e_codes, e_labels = _sorted_codes(pd.to_numeric(scores["edition"]).astype("int64"),
                                      as_str=False)
    e_labels = e_labels.astype(np.int64)

    row_values = _values_from_rows(scores, ind_pos, answer_maps)
    R, G0, E = len(r_labels), len(groups), len(e_labels)
    flat = ((r_codes.astype(np.int64) * G0 + g_codes) * E + e_codes) * n_ind + ind_pos
    counts = np.bincount(flat, minlength=R * G0 * E * n_ind)
    if counts.max(initial=0) > 1:
        raise ValueError("scores has more than one row for a (region_id, indicator_id, "
                         "target_group, edition) key")
    raw = np.full(R * G0 * E * n_ind, np.nan)
    raw[flat] = row_values
    raw = raw.reshape(R, G0, E, n_ind)

    asked = np.zeros((n_ind, G0 + 1), dtype=bool)
    for i, lst in enumerate(asked_lists):
        for g in lst:
            asked[i, groups.index(g)] = True
    asked[:, G0] = asked[:, :G0].any(axis=1)
    # a value for a group the indicator is not asked for is not a value
    raw = np.where(asked[:, :G0].T[None, :, None, :], raw, np.nan)

    cube = Cube(regions=np.asarray(r_labels, dtype=object), groups=tuple(groups) + (ALL,),
                editions=np.asarray(e_labels), indicators=meta, raw=raw, values=raw,
                asked=asked, answer_maps=answer_maps,
                params={"outcome_method": outcome_method, "goalposts": goalposts,
                        "all_rule": all_rule})
    return derive(cube)


def derive(cube: Cube, raw: np.ndarray | None = None) -> Cube:
    """Recompute ``values`` (normalised outcomes + the ALL group) from ``raw``.

    Used by :func:`prepare` and by what-if analyses that change raw values. Pure: returns a
    new Cube. Output ``values`` shape (R, G, E, I).
    """
    raw = cube.raw if raw is None else raw
    vals = raw.copy()
    meta = cube.indicators
    out_idx = np.flatnonzero(meta["kind"].to_numpy() == "outcome")
    if out_idx.size:
        method = cube.params.get("outcome_method", "minmax")
        block = vals[..., out_idx].reshape(-1, out_idx.size)
        gp = None
        if method == "goalposts":
            table = cube.params.get("goalposts") or {}
            missing = [meta["indicator_id"][i] for i in out_idx if meta["indicator_id"][i]
                       not in table]
            if missing:
                raise ValueError(f"goalposts missing for: {', '.join(missing)}")
            gp = np.array([table[meta["indicator_id"][i]] for i in out_idx], dtype=float).T
        normed = normalise(block, method, meta["direction"].to_numpy()[out_idx], gp, axis=0)
        vals[..., out_idx] = normed.reshape(vals[..., out_idx].shape)
    asked = cube.asked[:, :-1]  # (I, G0)
    present = ~np.isnan(vals)  # (R, G0, E, I)
    n_present = present.sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.nansum(vals, axis=1) / n_present
    if cube.params.get("all_rule", "both") == "both":
        ok = n_present == asked.sum(axis=1)  # every asked group has a value
    else:
        ok = n_present > 0
    all_vals = np.where(ok & (n_present > 0), mean, np.nan)
    values = np.concatenate([vals, all_vals[:, None]], axis=1)
    return replace(cube, raw=raw, values=values)
