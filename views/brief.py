"""The region brief's model: everything a brief prints, computed once, and its sentences.

:func:`build` computes a :class:`Brief` from the same functions the Region profile uses
(:mod:`views.region`, :mod:`scoring`, :func:`data.practices.gap_suggestions`), so the brief,
the page and the workshop always show the same numbers; the sentences (summary,
priorities, methodology) are made from that one object. Pure (no Streamlit); the layout
(HTML, PDF, charts) is :mod:`ui.brief`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import scoring
from ui import params
from views import common as views_common
from views import region as views_region
from ui.fmt import rank_band, round_half_up, table_words
from ui.fmt import text as fmt_text
from ui.i18n import N_, t, term, untranslated_note

#: How many areas / practices / indicators the brief lists.
N_GAPS, N_PRACTICES, N_INDICATORS = 3, 5, 3


@dataclass
class Brief:
    """Everything a brief prints, computed once (see :func:`build`)."""

    region_id: str
    name: str
    country: str
    edition: object
    group: str
    score: float
    rank: float
    n_ranked: int
    rank_country: float
    n_country: int
    coverage: float
    radar: pd.DataFrame            # long: area, series, score, … (views.region.radar_frame)
    radar_wide: pd.DataFrame       # its text alternative (views.region.radar_table)
    heat: pd.DataFrame             # area × phase (views.region.cycle_heatmap)
    area_order: list
    phase_order: list
    gaps: pd.DataFrame             # every area against the peers, priorities first
    strengths: pd.DataFrame        # views.region.strengths
    outcome: pd.DataFrame | None   # views.region.outcome_rows, or None
    outcome_proxy: str | None
    outcome_text: str | None       # what the gap compares, its year, its flags (in words)
    practices: pd.DataFrame        # suggested practices with lessons and tips
    n_peers: int
    version: str
    published: str
    illustrative: list = field(default_factory=list)   # names of illustrative tables
    headline: list = field(default_factory=list)       # (label, value, help): the profile's
    priorities: pd.DataFrame | None = None             # views.common.priority_table
    peer_mode: str = "all"
    weights: dict | None = None                        # area weights from the link
    rank_low: float = float("nan")
    rank_high: float = float("nan")
    label_note: str | None = None                      # indicator names not translated
    countries: bool = False                            # the index's places are countries
    framework: str | None = None                       # the index (data.schema.framework_of)

    @property
    def title(self) -> str:
        return f"{self.name} ({self.region_id})"


def fmt(v, pattern: str = "{:.1f}") -> str:
    """A number as text (rounded by the one display rule, :func:`ui.fmt.round_half_up`); a
    missing one reads "no data", never 0 or blank."""
    try:
        if v is None or v is pd.NA or not np.isfinite(float(v)):
            return t("no data")
    except (TypeError, ValueError):
        return t("no data")
    if pattern in ("{:.1f}", "{:+.1f}"):
        v = round_half_up(float(v))
    return fmt_text(pattern, v)  # numbers in the interface language's locale


def headline(cube: scoring.Cube, regions: pd.DataFrame, region: str, group, edition,
             weights=None, overall: pd.DataFrame | None = None) -> dict:
    """The Region profile's headline numbers (:func:`views.common.headline`)."""
    return views_common.headline(cube, regions, region, group, edition, weights, overall)


def area_gaps(cube: scoring.Cube, region: str, group, edition, labels: dict,
              peers: list[str]) -> pd.DataFrame:
    """Every area of the region against the mean of its ``peers``, priorities first, then by
    gap (:func:`views.common.priority_table`, the one rule; NaN where the region or the peers
    have no score). Columns: area, score, peer_mean, gap_peers, best_score, best_region,
    priority, order, shortfall, reason."""
    table = views_common.axis_table(cube, "area")
    g = views_common.priority_table(table, region, peers, group, edition)
    g = g.assign(best_region=g["best_region"].map(
        lambda s: "; ".join(labels.get(x, x) for x in str(s).split(";") if x)
        if isinstance(s, str) else s))
    return g[["area", "score", "peer_mean", "gap_peers", "best_score", "best_region",
              "priority", "order", "shortfall", "reason"]].reset_index(drop=True)


def suggested_practices(cube: scoring.Cube, tabs: dict, region: str, group, edition,
                        n: int = N_PRACTICES, mode: str = "all", peer_list=()) -> pd.DataFrame:
    """Practices from other regions for the region's priority areas — the list the Region
    profile shows and the Integration Lab ranks (:func:`views.common.practice_links`), with
    their lessons and tips."""
    p = views_common.practice_links(cube, tabs["practices"], tabs["regions"], region, group, edition,
                               mode, tuple(peer_list))["practices"].head(n).copy()
    if p.empty:
        return p.assign(lessons_learnt=pd.Series(dtype=str), transferability_tips=pd.Series(dtype=str))
    extra = tabs["practices"].drop_duplicates("practice_id").set_index("practice_id")
    for col in ("lessons_learnt", "transferability_tips", "language"):
        p[col] = p["practice_id"].map(extra[col]) if col in extra else ""
    return p.reset_index(drop=True)


def language_note(code) -> str:
    """How a practice written in another language than the reader's is marked: "(in
    Swedish)"; "" when it is in the reader's language or its language is not known.
    Practices are data, written once in their region's language: they are marked, never
    machine-translated."""
    from ui.i18n import LANGUAGE_WORDS, language

    code = str(code).strip().lower() if isinstance(code, str) else ""
    if not code or code == language() or code not in LANGUAGE_WORDS:
        return ""
    return t("(in {language})", language=t(LANGUAGE_WORDS[code]))


def _labelled_strengths(sw: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The strengths with their indicator names in the reader's language (as the profile)."""
    from ui.i18n import data_column

    return sw.assign(label=data_column(sw, "label", indicators)) if len(sw) else sw


def build(cube: scoring.Cube, tabs: dict, manifest: dict, region: str, group, edition,
          weights=None, mode: str = "all", peer_list=(), measure: str | None = None,
          overall: pd.DataFrame | None = None, table: pd.DataFrame | None = None) -> Brief:
    """The brief of ``region`` for one target group and edition, with the view's area
    ``weights`` and peer group (``mode``/``peer_list``, as on the Region profile; default:
    every other scored region); the policy–outcome section shows ``measure`` (default: as the
    Region profile). ``overall`` (:func:`views.common.overall_table` of this edition, group
    and weighting) and ``table`` (the area scores): the version's, when the caller has them —
    the headline and its cards then share one ranking instead of drawing the bands twice."""
    regions = tabs["regions"]
    weights = params.effective_weights(weights)
    if overall is None:
        overall = views_common.overall_table(cube, regions, edition, group, weights)
    head = headline(cube, regions, region, group, edition, weights, overall)
    table = views_common.axis_table(cube, "area") if table is None else table
    peers = views_common.peer_ids(table, region, mode, list(peer_list), regions, group, edition)
    names = {str(i): str(n) for i, n in zip(regions["region_id"], regions["name"])}
    radar = views_region.radar_frame(table, region, peers, group, edition, {**names, region: head["name"]})
    catalogue = views_region.measure_catalogue(tabs.get("measures"), tabs.get("outcomes"))
    out = views_region.outcome_gap(table, tabs.get("outcomes"), catalogue, regions, region, group,
                              edition, measure or default_measure(tabs, region))
    flags = manifest.get("illustrative", {}) or {}
    gaps = area_gaps(cube, region, group, edition, names, peers)
    return Brief(
        region_id=region, name=str(head["name"]), country=str(head["country"]), edition=edition,
        group=str(group), score=head["score"], rank=head["rank"], n_ranked=head["n_ranked"],
        countries=bool(head["countries"]), framework=_framework(tabs, cube),
        rank_country=head["rank_country"], n_country=head["n_country"],
        coverage=head["coverage"], radar=radar, radar_wide=views_region.radar_table(radar, "area"),
        heat=views_region.cycle_heatmap(cube, region, group, edition),
        area_order=views_common.area_order(cube), phase_order=views_common.area_order(cube, "phase"),
        gaps=gaps,
        strengths=_labelled_strengths(views_region.strengths(cube, region, peers, group, edition,
                                                        n=N_INDICATORS), tabs["indicators"]),
        label_note=untranslated_note(tabs["indicators"]),
        outcome=views_region.outcome_rows(out) if out else None,
        outcome_proxy=(out or {}).get("proxy_name"),
        outcome_text=views_region.outcome_text(out) if out else None,
        practices=suggested_practices(cube, tabs, region, group, edition, mode=mode,
                                      peer_list=peer_list),
        n_peers=len(peers), version=str(manifest.get("version", "")),
        published=str(manifest.get("created", ""))[:16].replace("T", " "),
        illustrative=[k for k, v in flags.items() if v],
        headline=views_common.headline_cards(cube, regions, region, group, edition, weights,
                                             overall),
        priorities=gaps[gaps["priority"]], peer_mode=mode, weights=weights,
        rank_low=head["rank_low"], rank_high=head["rank_high"])


def measure_choices(tabs: dict, region: str) -> tuple[list[str], dict[str, str]]:
    """The outcome measures a brief of ``region`` can show, and their labels (as the
    Region profile's list)."""
    catalogue = views_region.measure_catalogue(tabs.get("measures"), tabs.get("outcomes"))
    options = views_region.outcome_options(catalogue, tabs.get("outcomes"), tabs["regions"], region)
    labels = dict(zip(catalogue["measure"].astype(str), catalogue["label"].astype(str)))
    return options, labels


def default_measure(tabs: dict, region: str) -> str | None:
    """The measure the brief shows unless one is chosen: the Region profile's default."""
    catalogue = views_region.measure_catalogue(tabs.get("measures"), tabs.get("outcomes"))
    options, _ = measure_choices(tabs, region)
    areas = sorted(map(str, tabs["indicators"]["area"].dropna().unique()))
    shown = catalogue[catalogue["measure"].astype(str).isin(options)]
    return views_region.default_measure(shown, areas)


def _framework(tabs: dict, cube: scoring.Cube) -> str | None:
    """The index the brief's scores belong to (that of its indicators)."""
    from data.schema import framework_of

    ind = tabs["indicators"]
    ind = ind[ind["indicator_id"].isin(cube.indicators["indicator_id"])]
    fws = framework_of(ind).unique().tolist() if len(ind) else []
    return fws[0] if len(fws) == 1 else None


# ------------------------------------------------------------------------------ text

def headline_lines(b: Brief) -> list[tuple[str, str]]:
    """(label, value) pairs of the headline — the Region profile's cards
    (:func:`views.common.headline_cards`), the same text on the page, in PDF and in HTML."""
    return [(label, value) for label, value, _help in b.headline]


def priorities_text(b: Brief) -> str:
    """The priority areas in one sentence (the profile's list, :func:`scoring.priorities`)."""
    if b.priorities is None or b.priorities.empty:
        return t("It is at or above its peers' mean in every area: no priority area.")
    items = "; ".join(f"{term(r['area'])}: {views_common.priority_reason(r)}"
                      for _, r in b.priorities.iterrows())
    return t("Priority areas, where it falls furthest below its peers' mean: {items}.",
             items=items)


def summary_sentence(b: Brief) -> str:
    scored = b.gaps.dropna(subset=["score"]).sort_values(["score", "area"], ascending=[False, True])
    if scored.empty:
        return t("No area of this region has a score.")
    top, low = scored.iloc[0], scored.iloc[-1]
    text = (N_("{name} scores {score} out of 100 overall ({group}, edition {edition}) and ranks "
               "{rank} among {n} countries. Its highest area score is in {top} ({top_score}), its "
               "lowest in {low} ({low_score}).") if b.countries else
            N_("{name} scores {score} out of 100 overall ({group}, edition {edition}) and ranks "
               "{rank} among {n} regions. Its highest area score is in {top} ({top_score}), its "
               "lowest in {low} ({low_score})."))
    return t(text, name=b.name, score=fmt(b.score), group=b.group,
             edition=b.edition, rank=rank_band(b.rank, b.rank_low, b.rank_high), n=b.n_ranked,
             top=top["area"], top_score=fmt(top["score"]), low=low["area"],
             low_score=fmt(low["score"])) + " " + priorities_text(b)


def methodology_text(b: Brief) -> list[str]:
    weights = params.weights_text(b.weights)
    out = [
        t("Scores follow the MIPEX method adapted to regions (MIPEX-R, REGIN project): each "
          "indicator's answer carries a value from 0 to 100 (100 = equal treatment); indicator "
          "values are averaged into area scores, weighted by the indicators' weights (1 unless "
          "the data says otherwise; 0 excludes an indicator), and area scores into the overall "
          "score, each area once. Missing answers are left out, never counted as 0. Coverage "
          "is the share of the indicator weight answered behind a score; below 50 % a score "
          "is shown as \"no data\"."),
        t("Rank bands: where the region ranks in 90 % of {n:,} variations of the index "
          "(indicator and area weights within ±25 %, arithmetic and geometric mean).",
          n=2 * views_common.band_draws(b.n_ranked)),
        t("Peers are {peers}. Gaps are the region's area score minus the peers' mean; the "
          "priority areas are the (up to three) areas with the largest shortfall against the "
          "peers' mean (ties: lower own score). Strengths and weaknesses are the indicators "
          "furthest above or below the peers' mean. The policy cycle shows area scores by "
          "phase (formulation, output, implementation, evaluation).",
          peers=views_common.peer_words(b.peer_mode, b.n_peers, b.countries)),
        b.outcome_text or t("No outcome figures for this region or its parent region."),
        t("Suggested practices come from REGIN's Integration Lab: practices of other regions in "
          "the priority areas, preferring regions that score well there."),
        t("Figures are rounded to one decimal (half away from zero), coverage to 0.1 %, as on "
          "screen and in the downloads."),
        t("Data version {v}, published {p} UTC.", v=b.version, p=b.published),
    ]
    if weights:
        out.insert(1, t("Area weights of this view: {w} (other areas 1).", w=weights))
    if b.label_note:
        out.append(b.label_note)
    return out


def illustrative_text(b: Brief) -> str | None:
    if not b.illustrative:
        return None
    return t("Illustrative data. The {tables} in this brief are generated examples that "
             "follow the published REGIN findings qualitatively; they are not MIPEX-R "
             "results.", tables=table_words(b.illustrative))
