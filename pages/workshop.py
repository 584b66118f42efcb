"""Workshop mode: a region walked through in six steps, for a room and a projector.

URL: ``region``, ``step`` (1–6 or its name: standing, profile, cycle, gaps, practices,
whatif), ``edition`` and ``group`` (as everywhere), ``w`` (area weights) and ``peers`` (the
peer group), parsed as on every page (``ui/params.py``), ``guess=1`` (names hidden: regions are
letters), ``reveal=1`` (names shown again), ``indicator`` / ``answer`` (step 6, the
what-if). Logic and layout: ``ui/workshop.py``.
"""

import streamlit as st

from ui import fmt, frame, params, profile, safe, state
from ui import workshop as ws
from ui.i18n import language, t
from views import common as views_common

frame.require()

ws.presentation_view()
edition, group, tabs, cube, regions = profile.scored_context()

ids = regions["region_id"].tolist()
weights = params.url_weights(views_common.area_order(cube))
step, problem = ws.parse_step(st.query_params.get("step"))
if problem:
    state.notice(problem)
guess = ws.parse_guess(st.query_params.get("guess"))
revealed = guess is not None and st.query_params.get("reveal") == "1"
real = views_common.region_label(tabs["regions"])
names = ws.guess_names(ids, guess) if guess is not None and not revealed else real

# navigation first: Previous / Next stay on the first screen of a laptop or a projector
nav = st.container()
body = st.container()  # the step; filled below, once the trainer's controls are read
default = ws.default_region(ids, tabs["regions"], cube, group, edition)
tags = ws.guess_tags(ids, guess) if guess is not None else {}
by_tag = {tag: r for r, tag in tags.items()}
if guess is not None and st.query_params.get("region") in tags:
    # a link made before the round (?region=ES51&guess=1): the address keeps only the letter
    st.query_params["mystery"] = tags[st.query_params["region"]]
    del st.query_params["region"]
if guess is not None and st.query_params.get("mystery") in by_tag:
    default = by_tag[st.query_params["mystery"]]
    if revealed and "region" not in st.query_params:  # revealed: the region by its code again
        st.session_state["w_region"] = default
with st.expander(t("Trainer controls")):
    if guess is not None and not revealed:
        letter = state.url_widget(st.selectbox, "mystery", sorted(by_tag, key=lambda x: (len(x), x)),
                                  tags[default], t("Region"),
                                  format_func=lambda x: t("Region {letter}", letter=x))
        region = by_tag[letter]
    else:
        region = state.url_widget(st.selectbox, "region", ids, default, t("Region"),
                                  format_func=lambda r: names.get(r, r))
    mode, peer_list = params.url_peers(ids, region)
    view = {"weights": weights, "mode": mode, "peer_list": tuple(peer_list),
            "mystery": tags[region] if guess is not None and not revealed else None,
            "guess": guess if guess is not None and not revealed else None}
    ws.switches(step, region, edition, group, guess, view, state.editions(),
                state.target_groups())
    st.markdown(t("The walk-through as links, to prepare a session (each opens one step):"))
    st.code("\n".join(ws.step_urls(ws.page_address(st.context.url), region, edition, group,
                                    guess, view, language())), language=None)

    def toggle_guess():
        state.set_param("guess", 1 if st.session_state["ws-guess"] else None)
        state.set_param("reveal", None)

    st.session_state["ws-guess"] = guess is not None  # the URL decides (links change it)
    st.toggle(t("Guess the region (names hidden)"), key="ws-guess", on_change=toggle_guess)
st.caption(t("Data version {v} · {g} · edition {e}", v=state.version(), g=group, e=edition)
           + (" · " + t("Illustrative data, not MIPEX-R results.") if state.is_illustrative() else ""))

with body:
    state.show_notices()
    st.caption(t("Step {k} of {n}", k=step, n=len(ws.STEPS)))
    st.title(ws.step_titles()[step - 1])
    st.header(safe.md(names.get(region, region)) if guess is None or revealed
              else t("Mystery region: {name}", name=safe.md(names.get(region, region))))
    ws.STEP_VIEWS[step - 1](cube, tabs, region, group, edition, names, view)
with nav:
    if guess is not None and not revealed:
        st.button(t("Reveal the names"), key="ws-reveal", icon=":material/visibility:",
                  on_click=lambda: st.query_params.update(reveal="1"))
    elif revealed:
        head = views_common.headline(cube, tabs["regions"], region, group, edition, weights)
        st.markdown(t("It was **{name}**, ranked {rank} among {n} regions.",
                      name=safe.md(real.get(region, region)), n=head["n_ranked"],
                      rank=fmt.rank_band(head["rank"], head["rank_low"], head["rank_high"])),
                    help=views_common.band_help(len(cube.regions)))
    ws.navigation(step, region, edition, group, guess, view)
    st.divider()
