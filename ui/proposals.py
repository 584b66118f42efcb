"""Propose a practice: the public form, its preview, and the staff's moderation queue.

The logic (validation, queue, duplicates, limits, approval) is :mod:`data.proposals`; this
module reads widgets and renders. Proposed text is user text: it is shown through the
practice card (escaped Markdown, ``ui.practices.render_card``), the map's tooltip (escaped by
Streamlit's deck.gl tooltip), data grids, or escaped Markdown — never as HTML.

The form is one ``st.form`` (no rerun per keystroke); its Preview and Send buttons run
callbacks that validate before the page is drawn again, so each field shows its own
messages. After a proposal is sent, the form's widget keys change (a new "generation") so
it comes back empty, with the receipt above it. Visitors cannot upload files.
"""

from __future__ import annotations

import time

import streamlit as st

from data import audit, limits
from data import proposals as dp
from data.schema import CRITERIA, LANGUAGES
from data.store import StaleVersionError, StoreError
from ui import auth, boundary, clients, safe, sidebar, state
from ui import practices as lab
from ui.i18n import LANGUAGES as LANGUAGE_NAMES
from ui.i18n import language, t, term

PUBLIC = "pp"
GEN_KEY, RECEIPT_KEY, PREVIEW_KEY, ERRORS_KEY, REFUSED_KEY = (
    "_pp_gen", "_pp_receipt", "_pp_preview", "_pp_errors", "_pp_refused")
MOD_PICK, MOD_FLASH, BULK_KEY = "mod_pick", "_mod_flash", "mod_bulk_pick"
FUNDING_SUGGESTIONS = ("AMIF", "ESF+", "ERDF", "EAFRD", "Erasmus+", "regional budget", "national budget",
                       "municipal budget", "private foundation")
STAKEHOLDER_SUGGESTIONS = ("NGOs", "migrant-led associations", "employers", "trade unions", "municipalities",
                           "schools", "universities", "health services", "public employment services")


def criteria_help() -> dict[str, str]:
    """What a good sentence on each REGIN criterion says (field help)."""
    return {
        "communication": t("How the practice reaches migrants and the public (languages, channels)."),
        "inclusion": t("How migrants take part in shaping or running it, not only receive it."),
        "innovation": t("What is new compared with what the region did before."),
        "multi-level governance": t("How regional, local and national authorities work together in it."),
        "multi-stakeholder approach": t("Which NGOs, migrant-led associations, employers… take part, and how."),
        "monitoring & evaluation": t("What is measured, by whom, and what the results showed."),
        "sustainability": t("How it continues after the first funding ends."),
    }


def queue() -> dp.Queue:
    """The queue beside the configured store (see :func:`data.proposals.queue_dir`), its
    limits counted with the store's counters (:func:`data.limits.open_counters`: beside the
    local store, or in the shared store's database)."""
    return dp.Queue(dp.queue_dir(), limits.open_counters())


def _started_key(prefix: str) -> str:
    return f"{prefix}__started"


def _honeypot_key(prefix: str) -> str:
    return f"{prefix}_website"


def human_check(prefix: str, rules: dp.Limits, now: float | None = None) -> str | None:
    """The proof-of-human step, with no third party: None when the form looks filled by a
    person, else why not — ``fast`` (sent sooner than ``rules.min_seconds`` after the form
    was shown; a new session starts the clock again) or ``trap`` (the hidden field, which
    people never see, was filled)."""
    now = time.time() if now is None else now
    if (st.session_state.get(_honeypot_key(prefix)) or "").strip():
        return "trap"
    started = st.session_state.get(_started_key(prefix))
    if started is None or now - started < rules.min_seconds:
        return "fast"
    return None


def _show_errors(errors: dict, name: str):
    for message in errors.get(name, []):
        st.error(message, icon=":material/warning:")


def t_md(text: str, **kwargs) -> str:
    """:func:`t` for messages shown as Markdown: the values filled in (which may be a
    visitor's text) are escaped, the message itself is ours."""
    return t(text, **{k: safe.md(v) if isinstance(v, str) else v for k, v in kwargs.items()})


def _region_label(regions):
    names = regions.drop_duplicates("region_id").set_index("region_id")["name"]
    return lambda r: f"{names.get(r, r)} ({r})"


# ------------------------------------------------------------------------------ the fields

def field_widgets(prefix: str, tabs: dict, errors: dict, values: dict | None = None):
    """Every field of a proposal, as widgets keyed ``<prefix>_<field>`` (call inside a form;
    the region mode radio is drawn by :func:`region_mode` outside it). ``values`` prefill the
    widgets (staff editing a proposal)."""
    v = values or {}
    regions = tabs["regions"]
    key = lambda name: f"{prefix}_{name}"

    st.text_input(t("Title of the practice"), key=key("title"),
                  help=_limit("title", t("A short name that says what was done, e.g. “Mentoring newcomers into nursing "
                         "jobs”. Avoid acronyms only insiders know.")))
    _show_errors(errors, "title")
    if st.session_state.get(key("region_mode"), "list") == "place":
        c1, c2 = st.columns(2)
        c1.text_input(t("Name of the municipality or place"), key=key("place_name"),
                      help=_limit("place_name"))
        _show_errors(errors, "place_name")
        countries = sorted(regions["country"].dropna().astype(str).unique().tolist())
        c2.selectbox(t("Country"), countries, index=None, key=key("place_country"),
                     placeholder=t("Choose the country"))
        _show_errors(errors, "place_country")
        c3, c4, c5 = st.columns(3)
        c3.number_input(t("Latitude"), min_value=-90.0, max_value=90.0, value=None, step=0.01, format="%.5f",
                        key=key("place_lat"), help=t("Decimal degrees, e.g. 41.35 (north is positive)."))
        c4.number_input(t("Longitude"), min_value=-180.0, max_value=180.0, value=None, step=0.01, format="%.5f",
                        key=key("place_lon"), help=t("Decimal degrees, e.g. 2.03 (east is positive)."))
        c5.selectbox(t("Enclosing region (optional)"), regions["region_id"].astype(str).tolist(), index=None,
                     key=key("place_parent"), format_func=_region_label(regions))
        for name in ("place_lat", "place_lon", "place_parent"):
            _show_errors(errors, name)
    else:
        st.selectbox(t("Region"), sorted(regions["region_id"].astype(str).tolist()), index=None,
                     key=key("region_id"), format_func=_region_label(regions), placeholder=t("Choose the region"),
                     help=t("The region where the practice runs. A municipality that is not in the list: "
                            "choose “A municipality or place not in the list” above."))
        _show_errors(errors, "region_id")
    c1, c2 = st.columns(2)
    c1.number_input(t("First year"), min_value=1950, max_value=2100, value=None, step=1, key=key("start_year"))
    _show_errors(errors, "start_year")
    c2.number_input(t("Last year (empty if ongoing)"), min_value=1950, max_value=2100, value=None, step=1,
                    key=key("end_year"))
    _show_errors(errors, "end_year")
    areas = lab.known_areas(tabs)
    st.multiselect(t("Areas of integration"), areas, key=key("areas"), format_func=term,
                   help=t("Every area the practice works in; the first one colours it on the map."))
    _show_errors(errors, "areas")
    st.multiselect(t("Target groups"), list(dp.TARGET_GROUPS), key=key("target_groups"),
                   format_func=lambda g: t(sidebar.GROUP_LABELS.get(g, g)))
    _show_errors(errors, "target_groups")
    st.radio(t("The regional authority's role"), ["direct", "indirect"], index=None, key=key("authority_role"),
             horizontal=True,
             format_func=lambda r: {"direct": t("direct: it runs or funds the practice"),
                                    "indirect": t("indirect: through social actors it supports")}[r])
    _show_errors(errors, "authority_role")
    used = lab.facet_options()
    st.multiselect(t("Stakeholders"), _merged(STAKEHOLDER_SUGGESTIONS, used.get("stakeholders", []),
                                              v.get("stakeholders")),
                   key=key("stakeholders"), accept_new_options=True,
                   help=t("Who else takes part. Type to add one that is not listed. Practices that involve "
                          "migrant-led associations, NGOs or employers tend to work better."))
    _show_errors(errors, "stakeholders")
    st.multiselect(t("Funding"), _merged(FUNDING_SUGGESTIONS, used.get("funding", []), v.get("funding")),
                   key=key("funding"), accept_new_options=True,
                   help=t("Where the money comes from (AMIF, ESF+, ERDF, EAFRD, Erasmus+, a regional "
                          "budget…). Type to add one that is not listed."))
    _show_errors(errors, "funding")

    st.markdown(t("**The REGIN criteria it meets** — one sentence on each criterion the practice meets; "
                  "leave the others empty."))
    _show_errors(errors, "criteria")
    cols = st.columns(2)
    labels = {"communication": t("Communication"), "inclusion": t("Inclusion"), "innovation": t("Innovation"),
              "multi-level governance": t("Multi-level governance"),
              "multi-stakeholder approach": t("Multi-stakeholder approach"),
              "monitoring & evaluation": t("Monitoring & evaluation"), "sustainability": t("Sustainability")}
    helps = criteria_help()
    for i, criterion in enumerate(CRITERIA):
        with cols[i % 2]:
            st.text_area(labels[criterion], key=key(f"crit_{i}"), height=68,
                         help=_limit("criterion", helps[criterion]))
            _show_errors(errors, f"criterion:{criterion}")

    st.text_area(t("Summary: what was done"), key=key("summary"), height=140,
                 help=_limit("summary", t("Who did what, for whom, with which resources, and what came of it. A reader in another "
                        "region should understand the practice without other documents.")))
    _show_errors(errors, "summary")
    st.text_area(t("Lessons learnt"), key=key("lessons_learnt"), height=110,
                 help=_limit("lessons_learnt", t("What worked and what did not, and why. Honest failures help other regions most.")))
    _show_errors(errors, "lessons_learnt")
    st.text_area(t("Tips for transferability"), key=key("transferability_tips"), height=110,
                 help=_limit("transferability_tips", t("What another region needs to do the same: a practice is transferable when it names "
                        "the conditions it depends on (law, partners, budget, staff skills), what can be "
                        "adapted, and the first step to take.")))
    _show_errors(errors, "transferability_tips")
    c1, c2 = st.columns(2)
    c1.text_input(t("Link to more information (optional)"), key=key("url"), help=_limit("url"),
                  placeholder="https://")
    _show_errors(errors, "url")
    c2.selectbox(t("Language the proposal is written in"), list(LANGUAGES), key=key("language"),
                 format_func=lambda c: LANGUAGE_NAMES.get(c, c))
    _show_errors(errors, "language")
    st.text_input(t("Your contact e-mail"), key=key("email"),
                  help=_limit("email", t("Only the index team sees it, to ask questions about the proposal. It is never shown "
                         "publicly or published.")))
    _show_errors(errors, "email")


def _limit(field: str, help_text: str = "") -> str:
    """A field's help with its length limit stated. The widget itself has no ``max_chars``:
    a browser drops a paste longer than that without a word, and the proposer would not
    know why the field stayed empty; the check on sending refuses longer text and says how
    long it is."""
    limit = t("At most {max} characters.", max=f"{dp.MAX_LEN[field]:,}")
    return f"{help_text}\n\n{limit}" if help_text else limit


def _merged(*lists) -> list[str]:
    out = []
    for items in lists:
        for item in items or []:
            if item not in out:
                out.append(item)
    return out


def region_mode(prefix: str):
    st.radio(t("Where does it run?"), ["list", "place"], key=f"{prefix}_region_mode", horizontal=True,
             format_func=lambda m: {"list": t("In a region from the list"),
                                    "place": t("A municipality or place not in the list")}[m])


def raw_values(prefix: str) -> dict:
    """What the widgets hold, in the shape :func:`data.proposals.validate` reads."""
    s = st.session_state
    get = lambda name, default=None: s.get(f"{prefix}_{name}", default)
    raw = {name: get(name) for name in ("title", "region_id", "place_name", "place_country", "place_lat",
                                        "place_lon", "place_parent", "start_year", "end_year", "areas",
                                        "target_groups", "authority_role", "stakeholders", "funding", "summary",
                                        "lessons_learnt", "transferability_tips", "url", "language", "email")}
    raw["region_mode"] = get("region_mode", "list")
    raw["criteria"] = {c: get(f"crit_{i}") or "" for i, c in enumerate(CRITERIA)}
    return raw


def _prefill(prefix: str, v: dict):
    """Put a proposal's values into the widgets' state once (staff editing)."""
    marker = f"{prefix}__filled"
    if st.session_state.get(marker):
        return
    place = v.get("place") or {}
    values = {"title": v.get("title"), "region_id": None if place else v.get("region_id"),
              "region_mode": "place" if place else "list", "place_name": place.get("name"),
              "place_country": place.get("country"), "place_lat": place.get("lat"), "place_lon": place.get("lon"),
              "place_parent": place.get("parent_id"), "start_year": v.get("start_year"),
              "end_year": v.get("end_year"), "areas": v.get("areas") or [],
              "target_groups": v.get("target_groups") or [],
              "authority_role": v.get("authority_role"), "stakeholders": v.get("stakeholders") or [],
              "funding": v.get("funding") or [], "summary": v.get("summary") or "",
              "lessons_learnt": v.get("lessons_learnt") or "",
              "transferability_tips": v.get("transferability_tips") or "",
              "url": v.get("url") or "", "language": v.get("language") or "en", "email": v.get("email") or ""}
    for i, c in enumerate(CRITERIA):
        values[f"crit_{i}"] = (v.get("criteria") or {}).get(c, "")
    for name, value in values.items():
        st.session_state[f"{prefix}_{name}"] = value
    st.session_state[marker] = True


# ------------------------------------------------------------------------------ preview

def preview(tabs: dict, fields: dict, practice_id: str, *, append_criteria: bool = True, map_key: str):
    """The proposal as its card and on the map, built by the same function approval publishes
    with (:func:`data.proposals.with_proposal`) and drawn by the Integration Lab's own card and
    map code."""
    new = dp.with_proposal(tabs, fields, practice_id, append_criteria=append_criteria)
    left, right = st.columns([3, 2], gap="medium")
    with right:
        lab.render_card(new, practice_id, closable=False)
    with left:
        deck, *_ = lab.build_map(new, new["practices"], lab.OVERALL, sidebar.view(), practice_id)
        st.pydeck_chart(deck, key=map_key, height=lab.MAP_HEIGHT)


# ------------------------------------------------------------------------------ the public form

def _gen() -> int:
    return st.session_state.setdefault(GEN_KEY, 0)


@boundary.guarded("sending a proposal")
def _on_send(prefix: str, send: bool):
    tabs = state.tables()
    fields, errors = dp.validate(raw_values(prefix), tabs["regions"], t=t_md)
    st.session_state[ERRORS_KEY] = errors
    st.session_state.pop(REFUSED_KEY, None)
    st.session_state.pop(RECEIPT_KEY, None)
    st.session_state[PREVIEW_KEY] = None if errors or send else fields
    if errors or not send:
        return
    rules = dp.Limits.from_env()
    client = clients.current()
    bot = human_check(prefix, rules)
    if bot:
        audit.record("proposal-submit", user="visitor", client=client, outcome=f"refused-{bot}")
        st.session_state[REFUSED_KEY] = (bot, rules.min_seconds)
        return
    try:
        receipt = queue().submit(fields, client, rules)
    except dp.Refused as exc:
        audit.record("proposal-submit", user="visitor", client=client, outcome=f"refused-{exc.kind}")
        st.session_state[REFUSED_KEY] = (exc.kind, exc.retry_after)
        return
    audit.record("proposal-submit", user="visitor", client=client, receipt=receipt)
    st.session_state[RECEIPT_KEY] = receipt
    st.session_state[GEN_KEY] = _gen() + 1  # a fresh, empty form


def _outcome():
    """The receipt of the proposal just sent, or why it was refused."""
    receipt = st.session_state.get(RECEIPT_KEY)
    if receipt:
        with st.container(border=True, key="proposal_receipt"):
            st.success(t("Thank you: your proposal was received. Its receipt number is **{id}**. Keep it to "
                         "ask about your proposal; the index team reviews every proposal before it is "
                         "published.", id=receipt), icon=":material/check_circle:")
    refused = st.session_state.get(REFUSED_KEY)
    if refused:
        kind, wait = refused
        minutes = max(1, int(wait // 60) + 1)
        st.error({"client": t("You have sent the most proposals allowed in a short time. Please try again in "
                               "{minutes} minutes. Nothing was sent.", minutes=minutes),
                  "global": t("The Integration Lab is receiving many proposals right now. Please try again in "
                              "{minutes} minutes. Nothing was sent.", minutes=minutes),
                  "full": t("The queue of proposals waiting for review is full. Please try again in a few days. "
                            "Nothing was sent."),
                  "fast": t("Please take at least {seconds} seconds to fill in and check the form before "
                            "sending it. Nothing was sent; press “Send the proposal” again.", seconds=int(wait)),
                  "trap": t("The proposal could not be sent. Nothing was sent.")}[kind], icon="⏳")


def public_form():
    """The "Propose a practice" form with its receipt, refusals and preview."""
    tabs = state.tables()
    prefix = f"{PUBLIC}{_gen()}"
    if f"{prefix}_language" not in st.session_state:
        st.session_state[f"{prefix}_language"] = language()
    errors = st.session_state.get(ERRORS_KEY) or {}
    st.session_state.setdefault(_started_key(prefix), time.time())  # the proof-of-human clock
    trap = _honeypot_key(prefix)
    # the trap field is moved off screen (not display:none, which some robots skip); people
    # never see it, a screen reader reads its label
    st.html(f"<style>.st-key-{trap} {{position:absolute; left:-10000px; top:auto; width:1px; height:1px; "
            "overflow:hidden}</style>")
    region_mode(prefix)
    with st.form(f"{prefix}_form", border=True, enter_to_submit=False):
        field_widgets(prefix, tabs, errors)
        st.text_input(t("Leave this field empty"), key=trap, autocomplete="off")
        if errors:
            st.error(t("Please correct the fields marked above ({n}). Nothing was sent.", n=len(errors)))
        c1, c2 = st.columns(2)
        c1.form_submit_button(t("Preview"), on_click=_on_send, args=(prefix, False), width="stretch")
        c2.form_submit_button(t("Send the proposal"), type="primary", on_click=_on_send, args=(prefix, True),
                              width="stretch")
    _outcome()  # below the buttons, where the visitor is looking
    fields = st.session_state.get(PREVIEW_KEY)
    if fields:
        st.subheader(t("Preview: your practice as it would appear in the Integration Lab"), anchor=False)
        st.caption(t("This is a preview: nothing has been sent yet. Press “Send the proposal” when it is right."))
        preview(tabs, fields, "LAB-PREVIEW", map_key="proposal_preview_map")


# ------------------------------------------------------------------------------ moderation (staff)

def _flash(kind: str, text: str):
    st.session_state.setdefault(MOD_FLASH, []).append((kind, text))


def moderation_section(who: str):
    """The staff's queue: list, open one (card + map preview), edit, approve or reject."""
    if auth.current_staff() != who:
        return
    for kind, text in st.session_state.pop(MOD_FLASH, []):
        getattr(st, kind)(text)
    q = queue()
    pending = q.pending()
    tabs = state.tables()
    if not pending:
        st.info(t("No proposal is waiting for review."))
        _decided_list(q)
        return
    regions = tabs["regions"].drop_duplicates("region_id").set_index("region_id")["name"]
    rows = []
    for rec in pending:
        f = rec["fields"]
        dups = dp.duplicates(f, tabs["practices"], pending, exclude=rec["id"])
        place = (f.get("place") or {}).get("name")
        rows.append({"receipt": rec["id"], "submitted": rec["submitted"].replace("T", " ")[:16],
                     "title": f.get("title"), "region": place or regions.get(f.get("region_id"), f.get("region_id")),
                     "language": f.get("language"), "possible duplicate": "⚠ " + ", ".join(d["id"] for d in dups)
                     if dups else ""})
    st.caption(t("{n} proposals waiting for review, oldest first.", n=len(pending)))
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"receipt": t("Receipt"), "submitted": t("Received (UTC)"), "title": t("Title"),
                                "region": t("Region"), "language": t("Language"),
                                "possible duplicate": t("Possible duplicate of")})
    ids = [r["id"] for r in pending]
    if st.session_state.get(MOD_PICK) not in ids:
        st.session_state[MOD_PICK] = ids[0]
    titles = {r["id"]: r["fields"].get("title") or "" for r in pending}
    pick = st.selectbox(t("Open proposal"), ids, key=MOD_PICK,
                        format_func=lambda i: f"{i} · {titles[i][:80]}")
    bulk_reject(q, ids, titles, pick, who)
    review(q, next(r for r in pending if r["id"] == pick), tabs, pending, who)
    _decided_list(q)


def bulk_reject(q: dp.Queue, ids: list[str], titles: dict, pick: str, who: str):
    """Reject many proposals at once (spam): pick them, or every proposal from the sender of
    the open one, give one reason."""
    with st.expander(t("Reject several proposals at once (spam)"), icon=":material/delete_sweep:"):
        if st.button(t("Select every proposal from the sender of {id}", id=pick), key="mod_bulk_same"):
            st.session_state[BULK_KEY] = q.same_sender(pick)
        if any(r not in ids for r in st.session_state.get(BULK_KEY) or []):
            st.session_state[BULK_KEY] = [r for r in st.session_state[BULK_KEY] if r in ids]
        st.multiselect(t("Proposals to reject"), ids, key=BULK_KEY,
                       format_func=lambda i: f"{i} · {titles[i][:60]}")
        st.text_input(t("Reason for rejecting them (kept with each proposal)"), key="mod_bulk_reason",
                      max_chars=dp.MAX_LEN["reason"])
        st.button(t("Reject the selected proposals"), key="mod_bulk_reject", on_click=_on_bulk_reject,
                  args=(who,), disabled=not st.session_state.get(BULK_KEY))


def review(q: dp.Queue, rec: dict, tabs: dict, pending: list, who: str):
    receipt, f = rec["id"], rec["fields"]
    st.markdown(t("**Proposal {id}**, received {time} UTC, written in {lang}.", id=receipt,
                  time=rec["submitted"].replace("T", " ")[:16], lang=LANGUAGE_NAMES.get(f.get("language"), "?")))
    st.markdown(t("Contact (never published): {email}", email=safe.md(rec.get("email") or "—")))
    for d in dp.duplicates(f, tabs["practices"], pending, exclude=receipt):
        what = t("the published practice") if d["kind"] == "practice" else t("the pending proposal")
        st.warning(t("Possible duplicate: {what} {id} in the same region has a similar title "
                     "(“{title}”, similarity {s:.0%}).", what=what, id=d["id"], title=safe.md(d["title"]),
                     s=d["similarity"]), icon=":material/warning:")
    if f.get("place"):
        p = f["place"]
        st.info(t("A place not in the regions table: approving adds the region {id} ({name}, {country}, level "
                  "LAU) in the same publish.", id=f["region_id"], name=safe.md(p["name"]),
                  country=p["country"]), icon=":material/place:")
    if f.get("criteria"):
        with st.expander(t("How it meets the REGIN criteria (the proposer's sentences)"), expanded=False):
            for c, sentence in f["criteria"].items():
                st.markdown(f"**{safe.md(c)}:** {safe.md(sentence)}")
    append = st.checkbox(t("Add the criteria sentences to the published summary"), value=True,
                         key=f"mod_{receipt}_append")
    st.subheader(t("As it would appear on the map and card"), anchor=False)
    preview(tabs, f, receipt, append_criteria=append, map_key=f"mod_{receipt}_map")

    with st.expander(t("Edit the proposal"), icon=":material/edit:"):
        prefix = f"mod_{receipt}_{len(rec.get('events', []))}"
        errors = st.session_state.get(f"{prefix}_errors") or {}
        _prefill(prefix, {**f, "email": rec.get("email")})
        region_mode(prefix)
        with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
            field_widgets(prefix, tabs, errors, values={**f, "email": rec.get("email")})
            st.form_submit_button(t("Save changes"), on_click=_on_edit, args=(receipt, prefix, who))
    seen = state.version()
    c1, c2 = st.columns(2)
    with c1:
        st.button(t("Approve and publish"), type="primary", key=f"mod_{receipt}_approve", on_click=_on_approve,
                  args=(receipt, seen, who, f"mod_{receipt}_append"), width="stretch")
    with c2:
        st.text_input(t("Reason for rejecting (sent to no one; kept with the proposal)"), key=f"mod_{receipt}_reason",
                      max_chars=dp.MAX_LEN["reason"])
        st.button(t("Reject"), key=f"mod_{receipt}_reject", on_click=_on_reject, args=(receipt, who), width="stretch")


@boundary.guarded("editing a proposal")
def _on_edit(receipt: str, prefix: str, who: str):
    if auth.current_staff() != who:
        return
    fields, errors = dp.validate(raw_values(prefix), state.tables()["regions"], t=t_md)
    st.session_state[f"{prefix}_errors"] = errors
    if errors:
        return
    try:
        queue().edit(receipt, fields, who)
    except dp.QueueError as exc:
        _flash("error", str(exc))
        return
    _flash("success", t("Changes to {id} saved.", id=receipt))


@boundary.guarded("approving a proposal")
def _on_approve(receipt: str, seen: str | None, who: str, append_key: str):
    if auth.current_staff() != who:  # checked again at the moment of writing
        _flash("error", t("Only signed-in staff can approve."))
        return
    try:
        version = queue().approve(receipt, state.store(), who=who, base_version=seen,
                                  append_criteria=bool(st.session_state.get(append_key, True)))
    except StaleVersionError as exc:
        _flash("error", t("The data changed since you opened the proposal: version {current} was published "
                          "meanwhile. Nothing was published; look at the proposal again and approve.",
                          current=exc.current))
        return
    except (dp.QueueError, StoreError) as exc:
        _flash("error", t("The proposal was not approved: {why}", why=str(exc)))
        return
    audit.record("proposal-approve", user=who, client=clients.current(), receipt=receipt, version=version)
    st.session_state.pop(MOD_PICK, None)
    _flash("success", t("Proposal {id} approved: it is practice {id} in version {v}. Every open session sees it "
                        "on its next interaction.", id=receipt, v=version))


@boundary.guarded("rejecting a proposal")
def _on_reject(receipt: str, who: str):
    if auth.current_staff() != who:
        _flash("error", t("Only signed-in staff can reject."))
        return
    reason = (st.session_state.get(f"mod_{receipt}_reason") or "").strip()
    if not reason:
        _flash("error", t("Give a reason to reject {id}.", id=receipt))
        return
    try:
        queue().reject(receipt, who, reason)
    except dp.QueueError as exc:
        _flash("error", str(exc))
        return
    audit.record("proposal-reject", user=who, client=clients.current(), receipt=receipt)
    st.session_state.pop(MOD_PICK, None)
    _flash("success", t("Proposal {id} rejected.", id=receipt))


@boundary.guarded("rejecting proposals")
def _on_bulk_reject(who: str):
    if auth.current_staff() != who:
        _flash("error", t("Only signed-in staff can reject."))
        return
    receipts = list(st.session_state.get(BULK_KEY) or [])
    reason = (st.session_state.get("mod_bulk_reason") or "").strip()
    if not reason:
        _flash("error", t("Give a reason to reject the {n} selected proposals.", n=len(receipts)))
        return
    try:
        queue().reject_many(receipts, who, reason)
    except dp.QueueError as exc:
        _flash("error", str(exc))
        return
    audit.record("proposal-reject", user=who, client=clients.current(), receipts=",".join(receipts),
                 count=len(receipts))
    st.session_state.pop(BULK_KEY, None)
    st.session_state.pop("mod_bulk_reason", None)
    st.session_state.pop(MOD_PICK, None)
    _flash("success", t("{n} proposals rejected.", n=len(receipts)))


def _decided_list(q: dp.Queue):
    decided = q.decided()
    if not decided:
        return
    with st.expander(t("Decided proposals ({n})", n=len(decided))):
        status = {"approved": t("approved"), "rejected": t("rejected")}
        st.dataframe([{"receipt": r["id"], "status": status.get(r["status"], r["status"]), "by": r.get("decided_by"),
                       "when": (r.get("decided_at") or "").replace("T", " ")[:16], "title": r["fields"].get("title"),
                       "reason or version": r.get("reason") or r.get("version")} for r in decided[:500]],
                     hide_index=True, width="stretch")


def pending_count() -> int:
    return queue().count_pending()

