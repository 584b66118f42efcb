"""Scoring for MIPEX-R: values, normalisation, aggregation, comparison, robustness.

Pure functions over DataFrames and NumPy arrays: no Streamlit, no file I/O. The pipeline,
stage by stage (COINr style — each stage a function, its parameters explicit):

1. ``cube = prepare(indicators, scores)`` — answers → values through each indicator's
   answer map; outcome indicators normalised (``normalise``); the "ALL" target group; a
   dense ``values[region, group, edition, indicator]`` array with NaN = no value.
2. ``aggregate(cube, by=("area",))`` — any axis or pair of axes (area, phase, system,
   indicator_id); ``overall(cube)`` — indicators → areas → overall (the MIPEX rule by
   default: means weighted by the indicators' ``weight`` column — the weights are data, a
   missing weight is 1 and 0 excludes an indicator; ``weights="equal"`` for MIPEX's
   unweighted rule; area weights multiply on top), with ranks. Missing data are dropped and
   weights rescaled; every aggregate carries ``coverage`` (the share of the indicator
   weight answered behind it); below ``threshold`` the score is NaN, never 0.
3. Comparison on those tables: ``ranks``, ``distances``, ``peers``, ``gaps``, ``profile``,
   ``tcn_bip_gap``, ``priorities`` (what a region should work on first: the one rule);
   on the cube: ``edition_change``, ``strengths_weaknesses``.
4. ``policy_outcome_gap(area_table, outcomes, area, target_group=..., measure=...)`` for a
   quadrant chart; ``pair_year`` (the outcome year shown with an edition), ``combined_flag``
   (the flag of a derived figure) and ``comparison`` (which two groups a gap compares).
5. ``robustness(cube, target_group)`` (rank bands under random weights and the geometric
   mean) and ``what_if(cube, region_id, changes)``.

Conventions: scores are on 0–100, higher is better; ranks use method "min", 1 = best;
label columns of large tables are categorical; the "ALL" target group is the mean of an
indicator's TCN and BIP values where every asked group has one (``all_rule="both"``; pass
``all_rule="any"`` to ``prepare`` to average whatever is present).
"""

from scoring.aggregate import GEO_EPS, aggregate, membership, overall
from scoring.compare import (distances, edition_change, editions_with_data, gaps, peers, priorities, profile,
                             rank_within, ranks, regions_with_data, strengths_weaknesses, tcn_bip_gap)
from scoring.normalise import normalise
from scoring.outcome import combined_flag, comparison, pair_year, policy_outcome_gap
from scoring.robustness import changed_cube, robustness, what_if
from scoring.values import ALL, Cube, derive, prepare

__all__ = [
    "ALL", "GEO_EPS", "Cube", "aggregate", "changed_cube", "combined_flag", "comparison",
    "derive", "distances", "edition_change", "editions_with_data", "gaps", "membership", "normalise", "overall",
    "pair_year", "peers", "policy_outcome_gap", "prepare", "priorities", "profile",
    "rank_within", "ranks", "regions_with_data", "robustness", "strengths_weaknesses", "tcn_bip_gap", "what_if",
]
