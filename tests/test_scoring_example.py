"""Hand-computed example: three regions, six indicators, every public function.

Indicators (answer map A=100;B=50;C=0 for the five policy ones):
  A1 lab/formulation/actions w=1   A2 lab/output/actions w=2   B1 edu/formulation/resources
  B2 edu/evaluation/resources      C1 health/output/actors (weight NaN → 1)
  O1 lab/implementation/actions: outcome, TCN only, direction −1, raw values 10/20/30
     → min-max (lower is better): R1 10 → 100, R2 20 → 50, R3 30 → 0.
Answers 2024 (TCN; BIP the same except R2 BIP A1 = A, R3 BIP B2 missing):
  R1: A A B B C → 100 100 50 50 0     R2: B C A A B → 50 0 100 100 50
  R3: C C C A A → 0 0 0 100 100
Edition 2020: only R1 TCN, A1=B A2=A B1=B B2=B C1=C, O1 missing.
Regions: R1, R2 in country X; R3 in Y.
"""

import numpy as np
import pandas as pd
import pytest

import scoring

MAP = "A=100;B=50;C=0"


@pytest.fixture(scope="module")
def tables():
    ind = pd.DataFrame({
        "indicator_id": ["A1", "A2", "B1", "B2", "C1", "O1"],
        "label": ["a1", "a2", "b1", "b2", "c1", "o1"], "question": "",
        "area": ["lab", "lab", "edu", "edu", "health", "lab"],
        "phase": ["formulation", "output", "formulation", "evaluation", "output",
                  "implementation"],
        "system": ["actions", "actions", "resources", "resources", "actors", "actions"],
        "target_groups": ["TCN;BIP"] * 5 + ["TCN"], "answers": [MAP] * 5 + [""],
        "weight": [1, 2, 1, 1, np.nan, 1], "kind": ["policy"] * 5 + ["outcome"],
        "direction": [1] * 5 + [-1], "unit": "", "source": ""})
    ans = {"R1": "AABBC", "R2": "BCAAB", "R3": "CCCAA"}
    rows = []
    for r, codes in ans.items():
        for i, a in zip(["A1", "A2", "B1", "B2", "C1"], codes):
            rows.append((r, i, "TCN", 2024, a, np.nan))
            bip = {("R2", "A1"): "A", ("R3", "B2"): None}.get((r, i), a)
            rows.append((r, i, "BIP", 2024, bip, np.nan))
    for r, v in {"R1": 10.0, "R2": 20.0, "R3": 30.0}.items():
        rows.append((r, "O1", "TCN", 2024, None, v))
    for i, a in zip(["A1", "A2", "B1", "B2", "C1"], "BABBC"):
        rows.append(("R1", i, "TCN", 2020, a, np.nan))
    sc = pd.DataFrame(rows, columns=["region_id", "indicator_id", "target_group", "edition",
                                     "answer", "value"])
    sc["answer"] = sc["answer"].astype("str")
    regions = pd.DataFrame({"region_id": ["R1", "R2", "R3"], "name": ["r1", "r2", "r3"],
                            "country": ["X", "X", "Y"], "level": "NUTS2"})
    outcomes = pd.DataFrame({
        "region_id": ["R1", "R1", "R2", "R2", "R3", "R3", "R3"],
        "measure": "employment_rate_20_64",
        "group": ["NAT", "NEU27_2020_FOR", "NAT", "NEU27_2020_FOR", "NAT", "NEU27_2020_FOR",
                  "NAT"],
        "year": [2023, 2023, 2023, 2023, 2022, 2022, 2023],
        "value": [70.0, 55.0, 72.0, 60.0, 68.0, 50.0, 69.0], "unit": "PC",
        "flag": [None, "u", None, "b", None, "u", "p"], "source": "lfst_r_lfe2emprtn"})
    return ind, sc, regions, outcomes


@pytest.fixture(scope="module")
def cube(tables):
    ind, sc, _, _ = tables
    return scoring.prepare(ind, sc)


def pick(df, **kw):
    m = np.ones(len(df), bool)
    for k, v in kw.items():
        m &= (df[k].astype(object) == v).to_numpy()
    return df[m]


def one(df, col="score", **kw):
    return pick(df, **kw)[col].item()


def test_normalise_by_hand():
    x = [10.0, 20.0, 30.0]
    assert scoring.normalise(x, "minmax", -1).tolist() == [100, 50, 0]
    assert scoring.normalise(x, "minmax", 1).tolist() == [0, 50, 100]
    # z: mean 20, sd sqrt(200/3) = 8.1650; lower better: 50 + 10·(10/8.1650) = 62.247
    assert scoring.normalise(x, "zscore", -1)[0] == pytest.approx(62.2474, abs=1e-4)
    assert scoring.normalise([10, 20, 40], "distance", 1).tolist() == [25, 50, 100]  # x/40
    assert scoring.normalise([10, 20, 40], "distance", -1).tolist() == [100, 50, 25]  # 10/x
    assert scoring.normalise([25, 60], "goalposts", goalposts=(0, 50)).tolist() == [50, 100]
    assert np.isnan(scoring.normalise([np.nan, 1.0, 2.0], "minmax")[0])


def test_prepare_and_membership(cube):
    assert cube.groups == ("BIP", "TCN", "ALL")
    assert list(cube.editions) == [2020, 2024]
    r1, tcn, e24 = cube.region_index("R1"), cube.group_index("TCN"), cube.edition_index(2024)
    assert cube.values[r1, tcn, e24].tolist() == [100, 100, 50, 50, 0, 100]  # O1 10 → 100
    M, labels = scoring.membership(cube, "area")
    assert labels["area"].tolist() == ["edu", "health", "lab"]
    assert M.sum(axis=0).tolist() == [2, 1, 3]


def test_aggregate_by_area(cube):
    a = scoring.aggregate(cube, by="area")
    # weights are data (A2 weight 2): R2 TCN lab = (50 + 2·0 + 50)/4 = 25 (A1, A2, O1 → 50)
    assert one(a, region_id="R2", target_group="TCN", edition=2024, area="lab") == 25
    # MIPEX's unweighted rule on request: (50 + 0 + 50)/3 = 33.333
    e = scoring.aggregate(cube, by="area", weights="equal")
    assert one(e, region_id="R2", target_group="TCN", edition=2024, area="lab") == \
        pytest.approx(100 / 3)
    # R3 BIP edu: B1 = 0 present, B2 missing → score 0 (a real 0), coverage 1/2
    row = pick(a, region_id="R3", target_group="BIP", edition=2024, area="edu")
    assert row[["score", "coverage", "n_present", "n_total"]].iloc[0].tolist() == [0, .5, 1, 2]
    # weights from the column (A2 weight 2): R2 TCN lab = (50 + 2·0 + 50)/4 = 25
    w = scoring.aggregate(cube, by="area", weights="column")
    assert one(w, region_id="R2", target_group="TCN", edition=2024, area="lab") == 25
    # override mapping: A1 weight 3 (A2 keeps its 2): R2 TCN lab = (3·50 + 2·0 + 50)/6
    m = scoring.aggregate(cube, by="area", weights={"A1": 3})
    assert one(m, region_id="R2", target_group="TCN", edition=2024, area="lab") == \
        pytest.approx(200 / 6)
    # threshold 0.6: R3 BIP edu (coverage .5) → NaN, never 0
    t = scoring.aggregate(cube, by="area", threshold=0.6)
    assert np.isnan(one(t, region_id="R3", target_group="BIP", edition=2024, area="edu"))
    # 2020: R2 has nothing → NaN with coverage 0
    row = pick(a, region_id="R2", target_group="TCN", edition=2020, area="edu")
    assert np.isnan(row["score"].item()) and row["coverage"].item() == 0


def test_aggregate_other_axes_and_geometric(cube):
    p = scoring.aggregate(cube, by="phase")
    assert pick(p, region_id="R1")["phase"].cat.categories.tolist() == \
        ["formulation", "output", "implementation", "evaluation"]  # PHASE_ORDER
    # R1 TCN formulation = (A1 100 + B1 50)/2 = 75; output = (2·A2 100 + C1 0)/3 = 66.667
    assert one(p, region_id="R1", target_group="TCN", edition=2024, phase="formulation") == 75
    assert one(p, region_id="R1", target_group="TCN", edition=2024, phase="output") == \
        pytest.approx(200 / 3)
    h = scoring.aggregate(cube, by=("area", "phase"))
    assert one(h, region_id="R1", target_group="TCN", edition=2024, area="edu",
               phase="evaluation") == 50
    s = scoring.aggregate(cube, by="system")
    assert one(s, region_id="R3", target_group="TCN", edition=2024, system="actors") == 100
    # geometric, R2 TCN lab: values 50, 0 → floored to 1 (weight 2), 50: (50·1²·50)^(1/4)
    g = scoring.aggregate(cube, by="area", method="geometric")
    row = pick(g, region_id="R2", target_group="TCN", edition=2024, area="lab")
    assert row["score"].item() == pytest.approx(2500 ** (1 / 4))
    assert row["floored"].item() == 1


def test_all_group(cube, tables):
    a = scoring.aggregate(cube, by="area")
    # R2 ALL lab: A1 = (50 + 100)/2 = 75, A2 = 0 (weight 2), O1 (TCN only) = 50 → 125/4
    assert one(a, region_id="R2", target_group="ALL", edition=2024, area="lab") == 31.25
    # rule "both": R3 B2 ALL missing (BIP missing) → edu from B1 only = 0, coverage .5
    assert one(a, "coverage", region_id="R3", target_group="ALL", edition=2024,
               area="edu") == 0.5
    # rule "any": R3 B2 ALL = TCN 100 → edu = (0 + 100)/2 = 50
    ind, sc, _, _ = tables
    any_cube = scoring.prepare(ind, sc, all_rule="any")
    a2 = scoring.aggregate(any_cube, by="area")
    assert one(a2, region_id="R3", target_group="ALL", edition=2024, area="edu") == 50


def test_overall_and_ranks(cube, tables):
    regions = tables[2]
    ov = scoring.overall(cube, regions=regions)
    sel = pick(ov, target_group="TCN", edition=2024).set_index("region_id")
    # R1 (100 + 50 + 0)/3 = 50; R2 (25 + 100 + 50)/3 = 58.333; R3 (0 + 50 + 100)/3 = 50
    assert sel["score"].tolist() == pytest.approx([50, 175 / 3, 50])
    # coverage = share of the indicator weight answered = mean of the area coverages
    # (R3 BIP: lab 1, edu .5, health 1 → 2.5/3); n_present / n_total = areas with a score
    r3 = pick(ov, region_id="R3", target_group="BIP", edition=2024).iloc[0]
    assert r3["coverage"] == pytest.approx(2.5 / 3)
    assert (r3["n_present"], r3["n_total"]) == (3, 3)
    assert sel["rank"].tolist() == [2, 1, 2]  # tie R1 = R3 → both 2 (min)
    assert sel["rank_country"].tolist() == [2, 1, 1]  # X: R2 1, R1 2; Y: R3 1
    # BIP R3: lab 0, edu 0 (coverage .5), health 100 → 33.333
    assert one(ov, region_id="R3", target_group="BIP", edition=2024) == pytest.approx(100 / 3)
    # group weights: health ×2 for R1 TCN: (100 + 50 + 2·0)/4 = 37.5
    gw = scoring.overall(cube, group_weights={"health": 2})
    assert one(gw, region_id="R1", target_group="TCN", edition=2024) == 37.5
    assert scoring.rank_within([95, 90, 90, 80, np.nan]).tolist()[:4] == [1, 2, 2, 4]
    r = scoring.ranks(scoring.aggregate(cube, by="area"), regions)
    assert one(r, "rank", region_id="R2", target_group="TCN", edition=2024, area="edu") == 1


def test_peers_gaps_profile(cube, tables):
    regions = tables[2]
    a = scoring.aggregate(cube, by="area")
    d = scoring.distances(a, "R1", "TCN", 2024).set_index("region_id")
    # R2: (100−25)² + (50−100)² + (0−50)² = 10625 → 103.08; R3: 100² + 0 + 100² → 141.42
    assert d.loc["R2", "distance"] == pytest.approx(np.sqrt(10625))
    assert d.loc["R3", "distance"] == pytest.approx(np.sqrt(20000))
    assert scoring.peers(a, "R1", "similar", target_group="TCN", k=1)["region_id"].tolist() \
        == ["R2"]
    assert scoring.peers(a, "R1", "country", target_group="TCN", regions=regions)[
        "region_id"].tolist() == ["R2"]
    assert scoring.peers(a, "R1", "list", target_group="TCN", ids=["R3"])["region_id"] \
        .tolist() == ["R3"]
    g = scoring.gaps(pick(a, target_group="TCN", edition=2024), "R1", ["R2", "R3"], target=60)
    edu = g[g["area"].astype(str) == "edu"].iloc[0]
    # best edu = R2 100 → −50; peers (100 + 50)/2 = 75 → −25; target 60 → −10
    assert (edu["best_region"], edu["gap_best"], edu["gap_peers"], edu["gap_target"]) == \
        ("R2", -50, -25, -10)
    p = scoring.profile(a, "R1", "TCN", regions=regions, peer_list=["R3"], k=1, target=60)
    assert sorted(set(p["peer_group"])) == ["all", "country", "list", "similar"]
    cty = p[(p["peer_group"] == "country") & (p["area"] == "edu")].iloc[0]
    assert cty["peer_mean"] == 100 and cty["gap_peers"] == -50  # only R2
    # profile agrees with gaps() for the "all" peer group
    pa = p[p["peer_group"] == "all"].set_index("area")
    assert pa.loc["edu", "gap_peers"] == -25 and pa.loc["lab", "best_region"] == "R1"


def test_tcn_bip_and_edition_change(cube):
    a = scoring.aggregate(cube, by="area")
    t = scoring.tcn_bip_gap(a)
    # R2 lab: TCN 25 − BIP (100 + 2·0)/3 = 33.333 → −8.333
    assert one(t, "gap", region_id="R2", edition=2024, area="lab") == pytest.approx(-25 / 3)
    ch = scoring.edition_change(cube, by="area")
    # R1 TCN lab 2020: (50 + 2·100)/3 = 83.333 (O1 missing), 2024: 100, not comparable
    lab = pick(ch, region_id="R1", target_group="TCN", area="lab").iloc[0]
    assert (lab["score_from"], lab["score_to"], lab["change"], lab["comparable"]) == \
        (pytest.approx(250 / 3), 100, pytest.approx(50 / 3), False)
    edu = pick(ch, region_id="R1", target_group="TCN", area="edu").iloc[0]
    assert (edu["change"], edu["comparable"]) == (0, True)
    ov = scoring.edition_change(cube, by=None)
    row = pick(ov, region_id="R1", target_group="TCN").iloc[0]
    # overall 2020: (83.333 + 50 + 0)/3 = 44.444 → 2024: 50
    assert row["change"] == pytest.approx(50 - 400 / 9) and not row["comparable"]


def test_strengths_weaknesses(cube):
    sw = scoring.strengths_weaknesses(cube, "R1", ["R2", "R3"], "TCN", n=3)
    # diffs: A1 100−25 = 75, A2 100−0 = 100, B1 50−50 = 0, B2 50−100 = −50,
    #        C1 0−75 = −75, O1 100−25 = 75
    s = sw[sw["type"] == "strength"]
    assert s["indicator_id"].tolist() == ["A2", "A1", "O1"]
    assert s["diff"].tolist() == [100, 75, 75]
    w = sw[sw["type"] == "weakness"]
    assert w["indicator_id"].tolist() == ["C1", "B2"] and w["diff"].tolist() == [-75, -50]


def test_policy_outcome_gap(cube, tables):
    outcomes = tables[3]
    a = scoring.aggregate(cube, by="area")
    q = scoring.policy_outcome_gap(a, outcomes, "lab", target_group="TCN",
                                   measure="employment_rate_20_64").set_index("region_id")
    # gaps: R1 70−55 = 15 (2023), R2 72−60 = 12, R3 68−50 = 18 (2022: 2023 lacks NEU)
    assert q["outcome_gap"].tolist() == [15, 12, 18]
    assert q["year"].tolist() == [2023, 2023, 2022]
    assert q.loc["R1", "flag_migrant"] == "u" and q.loc["R2", "flag_migrant"] == "b"
    # medians: policy 33.33, gap 15 → R1 strong/strong (15 ≤ 15), R3 weak/weak
    assert q.loc["R3", "quadrant"] == "weak policy / weak outcome"
    q2 = scoring.policy_outcome_gap(a, outcomes, "lab", target_group="TCN", policy_split=50,
                                    gap_split=13, measure="employment_rate_20_64"
                                    ).set_index("region_id")
    assert q2["quadrant"].tolist() == ["strong policy / weak outcome",
                                       "weak policy / strong outcome",
                                       "weak policy / weak outcome"]


def test_robustness_and_what_if(cube):
    rb = scoring.robustness(cube, "TCN", n_draws=200, seed=3, spread=0.1).set_index(
        "region_id")
    # R2 leads under the mean (61.1 vs 50) and the geometric mean (40.8 vs 17.1 and 10)
    assert rb.loc["R2", ["median_rank", "rank_p05", "rank_p95"]].tolist() == [1, 1, 1]
    assert rb.loc["R2", "n_runs"] == 400 and rb.loc["R1", "nominal_rank"] == 2
    again = scoring.robustness(cube, "TCN", n_draws=200, seed=3, spread=0.1)
    assert again["median_rank"].tolist() == rb["median_rank"].tolist()  # seeded
    d = scoring.robustness(cube, "TCN", n_draws=50, scheme="dirichlet", methods=("mean",))
    assert d["n_runs"].tolist() == [50, 50, 50]
    wi = scoring.what_if(cube, "R1", {("C1", "TCN"): "A"})
    tcn = wi[(wi["target_group"] == "TCN") & (wi["level"] == "overall")].iloc[0]
    # health 0 → 100: overall (100 + 50 + 100)/3 = 83.333, rank 2 → 1
    assert tcn["score_old"] == 50 and tcn["score_new"] == pytest.approx(250 / 3)
    assert (tcn["rank_old"], tcn["rank_new"]) == (2, 1)
    all_ = wi[(wi["target_group"] == "ALL") & (wi["group"] == "health")].iloc[0]
    assert all_["score_new"] == 50  # C1 ALL = (TCN 100 + BIP 0)/2
    # values work too, and so does "make it missing" (→ rescaled mean)
    wv = scoring.what_if(cube, "R1", {("C1", "TCN"): None})
    h = wv[(wv["target_group"] == "TCN") & (wv["group"] == "health")].iloc[0]
    assert np.isnan(h["score_new"]) and h["coverage_new"] == 0
    ov = wv[(wv["target_group"] == "TCN") & (wv["group"] == "overall")].iloc[0]
    assert ov["score_new"] == 75  # (100 + 50)/2, coverage 2/3
    with pytest.raises(ValueError):
        scoring.what_if(cube, "R1", {("C1", "TCN"): "Z"})


def test_derive_and_errors(cube, tables):
    ind, sc, _, _ = tables
    again = scoring.derive(cube)
    assert np.array_equal(again.values, cube.values, equal_nan=True)
    bad = sc.copy()
    bad.loc[0, "answer"] = "Q"
    with pytest.raises(ValueError, match="A1=Q"):
        scoring.prepare(ind, bad)
    with pytest.raises(ValueError, match="more than one row"):
        scoring.prepare(ind, pd.concat([sc, sc.head(1)]))
