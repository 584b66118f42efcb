"""The staff member's side: sign-in and upload in the sidebar; report, preview, publish,
templates, history and rollback in the main area of the staff page.

Every function that shows or does something for staff checks :func:`ui.auth.current_staff`
itself, so a visitor gets nothing from reaching a function by another path. The logic lives
in ``data/`` (plan, diff, publish, rollback, exports); this module only renders it.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from data import audit
from data.config import settings
from data.diff import diff_table
from data.export import table_csv, table_xlsx
from data.imports import MODES, ImportPlan, Upload, plan_import, publish_plan
from data.memory import give_back
from data.problems import summarise
from data.schema import TABLE_ORDER, TABLES, empty_frame
from data.store import StaleVersionError, Store, StoreError
from data.templates import dictionary, empty_template, example_template
from ui import auth, boundary, clients, safe, state
from ui.i18n import N_, t

STAFF_PAGE = "pages/staff.py"
AUTO = "auto"
TABLE_LABELS = {AUTO: N_("Recognise it from the columns"), "regions": N_("Regions"),
                "indicators": N_("Indicators"), "scores": N_("Scores"),
                "practices": N_("Practices (Integration Lab)"), "outcomes": N_("Outcomes"),
                "measures": N_("Measures (the outcome catalogue)")}
#: Files read in a format of their own rather than as one table (data.readers.FORMATS).
FORMAT_LABELS = {"mipex": N_("MIPEX workbook (one sheet per country)")}
UPLOAD_KINDS = {**TABLE_LABELS, **FORMAT_LABELS}
#: Publish events of the store's history, as words of the interface.
ACTION_WORDS = {"publish": N_("publish"), "rollback": N_("rollback")}
MODE_LABELS = {"upsert": N_("Add and update rows (by key)"), "replace": N_("Replace the whole table")}
#: Rows shown on screen per detail table; the downloads always hold every row.
SHOW_ROWS = 500
PLAN_KEY, FLASH_KEY, UPLOAD_N_KEY = "_staff_plan", "_staff_flash", "_staff_upload_n"
SIGN_IN_KEY = "_staff_sign_in_failed"
#: Widget states forgotten after each publish (mode, empty cells, confirmations, sheets).
RESET_AFTER_PUBLISH = ("staff_note", "staff_mode", "staff_clear_empty", "staff_replace_",
                       "staff_ack_", "staff_sheet_")
#: The safe choices a publish puts back; assigned (not only forgotten), so that the browser,
#: which keeps a widget's last value, shows them too.
SAFE_CHOICES = {"staff_mode": "upsert", "staff_clear_empty": False}
RESET_KEY = "_staff_reset_choices"


# ------------------------------------------------------------------ sidebar

def sidebar_entry():
    """The "Staff" expander of the sidebar (call inside ``with st.sidebar``)."""
    who = auth.current_staff()
    with st.expander(t("Staff"), expanded=who is not None, icon=":material/lock:"):
        if who is not None:
            _signed_in_box(who)
        elif not auth.configured():
            st.caption(how_to_enable())
        else:
            _sign_in_box()


def how_to_enable() -> str:
    return t("Staff features are off: no staff account is configured. To turn them on, add "
             "staff accounts to `.streamlit/secrets.toml` under `[staff.users]` (name = bcrypt "
             "hash, made with `python -m ui.auth hash`) or to the environment variable "
             "`MIPEXR_STAFF_USERS`, or configure OpenID Connect sign-in (`[auth]` with "
             "`[staff] emails`). The README shows both.")


def _sign_in_box():
    if auth.oidc_configured():
        provider = auth.oidc_provider()
        st.button(t("Sign in with your organisation account"), key="staff_oidc",
                  on_click=st.login, args=(provider,) if provider else ())
        if st.user.get("is_logged_in", False):
            st.caption(t("You are signed in as {email}, which is not on the staff list.",
                         email=st.user.get("email", "?")))
            st.button(t("Sign out"), key="staff_oidc_out", on_click=st.logout)
    if not auth.accounts():
        return
    # The check runs in the submit callback, which then empties the password field's state
    # on the server (clear_on_submit only clears it in the browser): the password is
    # never kept in session state, shown, or logged.
    with st.form("staff_sign_in", clear_on_submit=True, border=False):
        st.text_input(t("Staff name"), key="staff_name", autocomplete="username")
        st.text_input(t("Password"), type="password", key="staff_password",
                      autocomplete="current-password")
        st.form_submit_button(t("Sign in"), on_click=_submit_sign_in)
    outcome = st.session_state.pop(SIGN_IN_KEY, None)
    if outcome is None:
        return
    if outcome > 120:
        st.error(t("Too many failed attempts: sign-in is paused for {minutes} minutes for this name "
                   "or from this address. Each further failure doubles the pause.",
                   minutes=math.ceil(outcome / 60)))
    elif outcome > 0:
        st.error(t("Too many failed attempts: sign-in is paused for {seconds} seconds for this name "
                   "or from this address. Each further failure doubles the pause.",
                   seconds=math.ceil(outcome)))
    else:
        st.error(t("Wrong name or password."))


@boundary.guarded("signing in")
def _submit_sign_in():
    name = st.session_state.get("staff_name") or ""
    password = st.session_state.get("staff_password") or ""
    st.session_state["staff_password"] = ""
    result = auth.sign_in(name, password)
    del password
    if not result.ok:
        st.session_state[SIGN_IN_KEY] = result.locked_seconds  # 0: wrong; > 0: locked


def _signed_in_box(who: str):
    st.caption(t("Signed in as **{who}**.", who=who))
    # the short name fits the sidebar (the long one was cut at "review, |"); it says the rest
    st.page_link(STAFF_PAGE, label=t("Data management"), icon=":material/database:",
                 help=t("Data management: review, publish, history"))
    if st.session_state.pop(RESET_KEY, False):
        st.session_state.update(SAFE_CHOICES)
    st.selectbox(t("What are you uploading?"), list(UPLOAD_KINDS), key="staff_table",
                 format_func=lambda k: t(UPLOAD_KINDS[k]))
    st.radio(t("How to apply it"), MODES, key="staff_mode",
             format_func=lambda k: t(MODE_LABELS[k]))
    if st.session_state.get("staff_mode", MODES[0]) == "upsert":
        st.checkbox(t("Empty cells clear values"), key="staff_clear_empty",
                    help=t("Off: an empty cell keeps the value already published (a code list "
                           "without coordinates keeps the regions' coordinates). On: empty "
                           "cells of rows already published clear their values."))
    cfg = settings()
    st.file_uploader(t("CSV or XLSX file (Eurostat's SDMX-CSV exports and NUTS code lists and "
                       "MIPEX's workbook are recognised)"),
                     type=["csv", "tsv", "txt", "xlsx"], accept_multiple_files=True,
                     key=_upload_key(), max_upload_size=max(1, math.ceil(cfg.max_upload_bytes / 2**20)),
                     help=t("Largest file: {mb} MB; at most {rows} rows.",
                            mb=f"{cfg.max_upload_bytes / 2**20:.0f}", rows=f"{cfg.max_rows:,}"))
    if uploaded_files():
        st.caption(t("The validation report and the preview of changes are on the data "
                     "management page."))
    st.button(t("Sign out"), key="staff_sign_out", on_click=auth.sign_out)


def _upload_key() -> str:
    return f"staff_files_{st.session_state.get(UPLOAD_N_KEY, 0)}"


def uploaded_files() -> list:
    files = st.session_state.get(_upload_key()) or []
    return files if isinstance(files, list) else [files]


# ------------------------------------------------------------------ the staff page

def visitor_notice():
    st.info(t("This page is for the index team's staff. Sign in under **Staff** in the "
              "sidebar."), icon=":material/lock:")
    if not auth.configured():
        st.caption(how_to_enable())


def show_flash():
    for kind, text in st.session_state.pop(FLASH_KEY, []):
        getattr(st, kind)(text)


def _flash(kind: str, text: str):
    st.session_state.setdefault(FLASH_KEY, []).append((kind, text))


SECTIONS = {"upload": N_("Upload and publish"), "catalogue": N_("Measure catalogue"),
            "templates": N_("Templates"), "history": N_("History"),
            "proposals": N_("Proposals")}


def section_choice() -> str:
    return st.radio(t("Section"), list(SECTIONS), key="staff_section", horizontal=True,
                    format_func=lambda k: t(SECTIONS[k]), label_visibility="collapsed")


def upload_section(who: str):
    if auth.current_staff() != who:
        return
    files = uploaded_files()
    if not files:
        st.info(t("Choose what you are uploading and the file under **Staff** in the sidebar; "
                  "the validation report and the preview of changes appear here. Templates "
                  "are in the Templates section."), icon="⬅️")
        return
    plan = current_plan(files)
    sheet_choice(plan, files)
    st.caption(t("Checked against version {v}.", v=f"`{plan.base_version}`") + " " + "  \n".join(
        t("{name}: read as {fmt}.", name=name, fmt=fmt) for name, fmt in plan.formats.items()))
    if plan.base_version != state.version():
        st.warning(t("The data changed since you started: version {current} was published "
                     "after this check. Review again before publishing.",
                     current=state.version()))
        st.button(t("Review again"), key="staff_review_again_early", on_click=_forget_plan)
    show_notes(plan)
    show_report(plan)
    show_checks(plan)
    if plan.ok:
        acknowledged = show_preview(plan)
        publish_box(plan, who, ready=acknowledged)


def show_notes(plan: ImportPlan):
    """What the import read, in words (which sheet, which format, which NUTS version)."""

    if plan.notes:
        st.info("  \n".join(safe.md(n) for n in plan.notes), icon=":material/description:")


CHECK_NAMES = {"mipex": N_("MIPEX workbook")}


def show_checks(plan: ImportPlan):
    """The dashboard's figures against a source's own (the MIPEX workbook's strand and
    overall scores): how many agree, every difference, all of them to download."""
    for name, frame in plan.checks.items():
        label = t(CHECK_NAMES.get(name, name))
        st.subheader(t("Check against the {source}'s own figures", source=label))
        differ = frame[~frame["same"]]
        summary = t("{same} of {n} strand and overall scores the dashboard computes equal the "
                    "workbook's to two decimals.", same=f"{int(frame['same'].sum()):,}",
                    n=f"{len(frame):,}")
        if differ.empty:
            st.success(summary)
        else:
            st.warning(summary + " " + t("The {k} that differ are listed below (the warnings "
                                         "above say why, where the workbook computes a figure "
                                         "differently).", k=len(differ)))
            shown = differ.drop(columns=["same"]).rename(columns={
                "sheet": t("Sheet"), "region_id": t("Region code"), "year": t("Year"),
                "what": t("Figure"), "cell": t("Cell"), "workbook": t("Workbook"),
                "dashboard": t("Dashboard"), "difference": t("Difference")})
            st.dataframe(shown.head(SHOW_ROWS), hide_index=True, width="stretch")
        st.download_button(t("Download every figure compared (CSV)"), table_csv(frame),
                           file_name=f"check_{name}.csv", mime="text/csv",
                           key=f"dl_check_{name}", on_click="ignore")


def _sheet_key(f) -> str:
    return f"staff_sheet_{f.file_id}"


def sheet_choice(plan: ImportPlan, files):
    """For each workbook with several sheets: which one to read (default: the one whose
    columns fit, as the note above the report says)."""
    for f in files:
        if f.name not in plan.sheets or len(plan.sheets[f.name][0]) < 2:
            continue
        sheets, read = plan.sheets[f.name]
        st.selectbox(t("Sheet of {file} to read", file=f.name), [AUTO, *sheets],
                     key=_sheet_key(f), format_func=lambda k, r=read: (
                         t("Recognised: {sheet}", sheet=r) if k == AUTO else k),
                     index=0)


def current_plan(files) -> ImportPlan:
    """The import plan for these files, table choice and mode (kept while they do not change)."""
    table = st.session_state.get("staff_table", AUTO)
    mode = st.session_state.get("staff_mode", MODES[0])
    clear = mode == "upsert" and bool(st.session_state.get("staff_clear_empty", False))
    sheets = {f.file_id: st.session_state.get(_sheet_key(f)) for f in files}
    sheets = {k: (None if v in (None, AUTO) else v) for k, v in sheets.items()}
    sig = (tuple((f.file_id, f.name, f.size) for f in files), table, mode, clear,
           tuple(sheets.values()))
    kept = st.session_state.get(PLAN_KEY)
    if kept and kept[0] == sig:
        return kept[1]
    st.session_state.pop(PLAN_KEY, None)  # the old plan's tables go before the new are made
    del kept
    bar = st.progress(0.0, text=t("Reading the file…"))
    fmt = table if table in FORMAT_LABELS else None
    uploads = [Upload(f.name, f.getvalue(), None if table in (AUTO, fmt) else table, mode, fmt,
                      clear_empty=clear, sheet=sheets[f.file_id]) for f in files]
    plan = plan_import(state.store(), uploads, settings(),
                       progress=lambda f, text: bar.progress(min(max(f, 0.0), 1.0), text=t(text)))
    bar.empty()
    st.session_state[PLAN_KEY] = (sig, plan)
    return plan


GROUPED_ORDER = ["column", "message", "count", "rows", "example", "fix", "severity", "table"]
DETAIL_ORDER = ["row", "column", "value", "message", "fix", "severity", "table"]


def _translated(frame: pd.DataFrame, columns=("message", "fix")) -> pd.DataFrame:
    """Messages and headers in the interface language (the data layer writes English)."""
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: t(v) if isinstance(v, str) else v)
    return out.rename(columns=t)


def show_report(plan: ImportPlan):
    st.subheader(t("Validation report"))
    problems = plan.problems
    n_err = int((problems["severity"] == "error").sum())
    n_warn = int((problems["severity"] == "warning").sum())
    if n_err:
        st.error(t("{n} errors: nothing can be published until they are fixed. Correct the "
                   "file and upload it again.", n=f"{n_err:,}"))
    elif n_warn:
        st.warning(t("No errors. Warnings: {n} (they do not block a publish).", n=f"{n_warn:,}"))
    else:
        st.success(t("No problems found."))
    if problems.empty:
        return
    st.markdown(t("**Grouped by table, column and problem**"))
    # Where and what first, how to fix it next; severity and table (mostly one value) last,
    # so that nothing a staff member needs is hidden behind the table's scroll bar.
    grouped = _translated(summarise(problems)[GROUPED_ORDER])
    st.dataframe(grouped, hide_index=True, width="stretch",
                 column_config={"count": st.column_config.NumberColumn(t("rows affected")),
                                "rows": t("first rows"), "example": t("example value"),
                                "fix": st.column_config.TextColumn(t("fix"), width="large")})
    st.markdown(t("**Every problem** (row numbers as a spreadsheet shows them: the header is "
                  "row 1)"))
    detail = problems.head(SHOW_ROWS)[DETAIL_ORDER]
    # a problem of the whole file or of a workbook cell (its address is in "column") has no
    # row: an empty cell, not "None"
    detail = detail.assign(row=detail["row"].astype("string").fillna(""))
    st.dataframe(_translated(detail), hide_index=True, width="stretch",
                 column_config={"fix": st.column_config.TextColumn(t("fix"), width="large")})
    if len(problems) > SHOW_ROWS:
        st.caption(t("Showing the first {n} of {total} problems; download them all.",
                     n=SHOW_ROWS, total=f"{len(problems):,}"))
    st.download_button(t("Download every problem (CSV)"), table_csv(_translated(problems)),
                       file_name="validation_report.csv", mime="text/csv", key="dl_problems",
                       on_click="ignore")


LOSS_WORDS = {"removed": N_("{table}: {n} rows removed"),
              "emptied": N_("{table}: '{column}' emptied in {n} rows")}


def show_losses(plan: ImportPlan) -> bool:
    """What a publish would remove or blank, first, in a warning to acknowledge. True when
    there is nothing to acknowledge or it was acknowledged."""
    losses = plan.losses()
    if losses.empty:
        return True
    lines = [t(LOSS_WORDS[r.what], table=t(TABLE_LABELS[r.table]), column=r.column,
               n=f"{r.rows:,}") for r in losses.itertuples()]
    st.warning(t("Publishing this removes or blanks data that is published now:") + "  \n"
               + "  \n".join(f"- {line}" for line in lines), icon=":material/warning:")
    return st.checkbox(t("I have read what this publish removes or blanks"),
                       key=f"staff_ack_{plan.token}")


def show_preview(plan: ImportPlan) -> bool:
    """The changes a publish would make; True when it may be published (the removals and
    blanks are acknowledged)."""
    st.subheader(t("What will change"))
    if not plan.changes:
        st.info(t("This upload changes nothing: the data already holds exactly these values."))
        return False
    ok = show_losses(plan)
    st.dataframe(plan.summary().rename(columns=lambda c: t(c)), hide_index=True)
    for table, d in plan.diffs.items():
        if d.empty:
            continue
        show_diff(d, table, key=f"plan_{table}")
    return ok


def show_diff(d, table: str, key: str, past: bool = False):
    """Rows added / changed (values old → new) / removed in one table."""
    label = t("{table}: {added} added, {changed} changed, {removed} removed",
              table=t(TABLE_LABELS[table]), added=len(d.added), changed=d.n_changed_rows,
              removed=len(d.removed))
    with st.expander(label, expanded=True):
        if len(d.removed) and past:
            st.caption(t("{n} rows were removed from the {table} table.", n=len(d.removed),
                         table=table))
        elif len(d.removed):
            st.warning(t("{n} rows will no longer be in the {table} table.", n=len(d.removed),
                         table=table))
        if len(d.changed):
            st.markdown(t("**Changed values** (old → new)"))
            changed = d.changed.head(SHOW_ROWS).copy()
            changed[t("change")] = (changed["old"].fillna("—") + " → "
                                    + changed["new"].fillna("—"))
            st.dataframe(changed, hide_index=True, width="stretch")
        for title, frame in ((t("**Added rows**"), d.added), (t("**Removed rows**"), d.removed)):
            if len(frame):
                st.markdown(title)
                st.dataframe(frame.head(SHOW_ROWS), hide_index=True, width="stretch")
        if max(len(d.added), len(d.changed), len(d.removed)) > SHOW_ROWS:
            st.caption(t("Showing the first {n} rows of each list.", n=SHOW_ROWS))
        st.download_button(t("Download the changes (XLSX)"), key=f"dl_{key}",
                           data=lambda: table_xlsx({"added": d.added, "changed": d.changed,
                                                    "removed": d.removed}),
                           file_name=f"changes_{table}.xlsx", on_click="ignore")


def replace_confirmed(plan: ImportPlan) -> bool:
    """"Replace the whole table" needs the table's name typed: one click cannot do it."""
    ok = True
    for table in plan.replaced:
        typed = st.text_input(
            t("This replaces the whole {table} table: rows not in the file are removed. Type "
              "{name} to confirm.", table=t(TABLE_LABELS[table]), name=table),
            key=f"staff_replace_{table}_{plan.token}", placeholder=table)
        if typed.strip() != table:
            ok = False
            if typed.strip():
                st.error(t("Type the table name exactly: {name}", name=table))
    return ok


def publish_box(plan: ImportPlan, who: str, forget=None, *, ready: bool = True,
                confirm: bool = True):
    st.subheader(t("Publish"))
    note = st.text_input(t("Note (optional): what this version is"), key="staff_note",
                         max_chars=500)  # the field shows its count against the limit
    confirmed = replace_confirmed(plan) if confirm else True
    if not ready:
        st.caption(t("Tick the box under the warning above to publish."))
    if st.button(t("Publish"), type="primary", key="staff_publish",
                 disabled=not (plan.changes and ready and confirmed)):
        if auth.current_staff() != who:  # checked again at the moment of writing
            st.error(t("Only signed-in staff can publish."))
            return
        try:
            with st.spinner(t("Publishing…")):
                version = publish_plan(state.store(), plan, who=who, note=note.strip())
        except StaleVersionError as exc:
            audit.record("publish", user=who, client=clients.current(), outcome="refused-stale",
                         base=exc.base, current=exc.current)
            st.error(t("The data changed since you started: version {current} was published "
                       "after the version {base} your preview was based on. Nothing was "
                       "published. Review again.", current=exc.current, base=exc.base))
            st.button(t("Review again"), key="staff_review_again", on_click=_forget_plan)
            return
        audit.record("publish", user=who, client=clients.current(), version=version, base=plan.base_version)
        (forget or _forget_plan)()
        st.session_state[UPLOAD_N_KEY] = st.session_state.get(UPLOAD_N_KEY, 0) + 1
        # every publish starts the next one from the safe choices: upsert, empty cells keep
        for key in [k for k in st.session_state if str(k).startswith(RESET_AFTER_PUBLISH)]:
            st.session_state.pop(key, None)
        st.session_state[RESET_KEY] = True  # set in the sidebar before its widgets are drawn
        give_back()  # the preview's tables are gone: their memory goes back to the system
        _flash("success", t("Published version {v}. Every open session sees it on its next "
                            "interaction.", v=version))
        st.rerun()


def _forget_plan():
    st.session_state.pop(PLAN_KEY, None)


# ------------------------------------------------------------------ measure catalogue

CATALOGUE_PLAN_KEY = "_staff_catalogue_plan"


def catalogue_section(who: str):
    """Edit the measure catalogue in place; the edit goes through the same checks, preview
    and publish as an uploaded measures table."""
    if auth.current_staff() != who:
        return
    current = state.tables()["measures"]
    st.markdown(t("What each outcome measure is: its label, unit, whether higher is better, the "
                  "policy areas it speaks to (as in the indicators table; the first measure "
                  "linked to an area is shown with it) and the two groups its gap compares. "
                  "Imports add an entry for every new measure; they never change one that is "
                  "here."))
    spec = TABLES["measures"]
    cfg = {c.name: st.column_config.Column(help=t(c.help)) for c in spec.columns}
    cfg["direction"] = st.column_config.SelectboxColumn(help=t(spec.column("direction").help),
                                                        options=[1, -1])
    cfg["basis"] = st.column_config.SelectboxColumn(help=t(spec.column("basis").help),
                                                    options=list(spec.column("basis").choices))
    edited = st.data_editor(current, key="staff_catalogue_editor", hide_index=True,
                            width="stretch", num_rows="dynamic", column_config=cfg)
    if st.button(t("Check the changes"), key="staff_catalogue_check"):
        content = table_csv(edited)
        st.session_state[CATALOGUE_PLAN_KEY] = plan_import(
            state.store(), [Upload("measures (edited).csv", content, "measures", "replace")],
            settings())
    plan = st.session_state.get(CATALOGUE_PLAN_KEY)
    if plan is None:
        return
    if plan.base_version != state.version():
        st.warning(t("The data changed since you started: version {current} was published "
                     "after this check. Review again before publishing.",
                     current=state.version()))
    show_report(plan)
    if plan.ok:
        acknowledged = show_preview(plan)
        # the editor shows the whole catalogue: its "replace" needs no typed table name
        publish_box(plan, who, forget=_forget_catalogue, ready=acknowledged, confirm=False)


def _forget_catalogue():
    for key in (CATALOGUE_PLAN_KEY, "staff_catalogue_editor"):
        st.session_state.pop(key, None)


# ------------------------------------------------------------------ templates

def templates_section(who: str):
    if auth.current_staff() != who:
        return
    st.markdown(t("For each table: an empty template (only the header) and a filled example "
                  "(the first rows of the published data). The data dictionary explains every "
                  "column."))
    current = state.tables()
    for table in TABLE_ORDER:
        spec = TABLES[table]
        st.markdown(f"**{t(TABLE_LABELS[table])}** — {t(spec.help)}  \n"
                    + t("Key: {key}", key=", ".join(f"`{k}`" for k in spec.key)))
        c1, c2, c3 = st.columns(3)
        c1.download_button(t("Empty template (CSV)"), empty_template(table),
                           file_name=f"{table}_template.csv", mime="text/csv",
                           key=f"tpl_empty_{table}", on_click="ignore")
        example = current[table]
        c2.download_button(t("Filled example (CSV)"), lambda e=example, n=table:
                           example_template(n, e), file_name=f"{table}_example.csv",
                           mime="text/csv", key=f"tpl_ex_{table}", on_click="ignore")
        c3.download_button(t("Filled example (XLSX)"), lambda e=example, n=table:
                           table_xlsx(e.head(5) if len(e) else _schema_example(n), sheet=n),
                           file_name=f"{table}_example.xlsx", key=f"tpl_xlsx_{table}",
                           on_click="ignore")
    st.subheader(t("Data dictionary"))
    dic = dictionary()
    st.dataframe(_translated(dic, ("meaning",)), hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    c1.download_button(t("Data dictionary (CSV)"), table_csv(dic), file_name="data_dictionary.csv",
                       mime="text/csv", key="dict_csv", on_click="ignore")
    c2.download_button(t("Data dictionary (XLSX)"), lambda: table_xlsx(dic, sheet="dictionary"),
                       file_name="data_dictionary.xlsx", key="dict_xlsx", on_click="ignore")


def _schema_example(table: str) -> pd.DataFrame:
    return pd.DataFrame([{c.name: c.example for c in TABLES[table].columns}])


# ------------------------------------------------------------------ history

def history_frame(history: list[dict], current: str | None) -> pd.DataFrame:
    """One row per publish, newest first; ● on the newest, which made the current version."""
    rows = []
    for i, e in enumerate(history):
        rows.append({
            "time": e["time"].replace("T", " ")[:19], "action": e.get("action", "publish"),
            "version": e["version"] + (" ●" if i == 0 and e["version"] == current else ""),
            "who": e.get("who", ""), "note": e.get("note", ""),
            "sources": "; ".join(f"{s['name']} (sha256 {s['sha256'][:12]}…)"
                                 for s in e.get("sources", [])),
            **{t_: e.get("rows", {}).get(t_) for t_ in TABLE_ORDER},
            "kept": e.get("kept", False)})
    return pd.DataFrame(rows)


@st.cache_data(max_entries=2, show_spinner=False)  # each holds two versions' differences
def _version_diff(path: str, old: str | None, new: str) -> dict:
    """What version ``new`` changed against ``old`` (both immutable, so cached by their ids)."""
    store = Store(path)
    before = store.tables(old) if old else {t_: empty_frame(t_) for t_ in TABLE_ORDER}
    after = store.tables(new)
    return {t_: diff_table(t_, before[t_], after[t_]) for t_ in TABLE_ORDER}


def history_section(who: str):
    if auth.current_staff() != who:
        return
    store = state.store()
    history = store.history()
    current = store.current_id()
    if not history:
        st.info(t("Nothing has been published yet."))
        return
    st.caption(t("Every publish, newest first; ● marks the current version. A version no "
                 "longer kept (older than the newest {n}) can be seen here but not restored.",
                 n=store.keep_versions))
    st.dataframe(history_frame(history, current).rename(columns=t), hide_index=True,
                 width="stretch")
    # Options are event numbers counted from the first publish, not list positions, so that
    # a publish meanwhile does not shift the choice.
    events = {len(history) - i: e for i, e in enumerate(history)}
    pick = st.selectbox(t("Version"), list(events), key="staff_history_pick",
                        format_func=lambda k: " · ".join(
                            [f"#{k}", events[k]["time"].replace("T", " ")[:16],
                             t(ACTION_WORDS.get(events[k].get("action", "publish"),
                                                events[k].get("action", ""))), events[k]["version"],
                             events[k].get("who", "")]))
    event = events[pick]
    version = event["version"]
    st.markdown(t("**Version {v}** published by {who} on {time}.", v=f"`{version}`",
                  who=safe.md(event.get("who", "?")), time=event["time"].replace("T", " ")))
    if event.get("note"):
        st.markdown(t("Note: {note}", note=safe.md(event["note"])))
    if event.get("sources"):
        st.dataframe(pd.DataFrame(event["sources"]), hide_index=True, width="stretch")
    if not event.get("kept"):
        st.warning(t("This version is no longer kept in the store."))
        return
    previous = event.get("previous")
    if previous and not store.has_version(previous):
        st.caption(t("The version before it ({v}) is no longer kept: its changes cannot be "
                     "shown.", v=previous))
    else:
        with st.spinner(t("Comparing versions…")):
            diffs = _version_diff(str(store.root), previous, version)
        changed = {k: d for k, d in diffs.items() if not d.empty}
        st.markdown(t("**What it changed** against {v}", v=f"`{previous}`" if previous else
                      t("an empty store")))
        if not changed:
            st.caption(t("No change in content."))
        for table, d in changed.items():
            show_diff(d, table, key=f"hist_{version}_{table}", past=True)
    export_box(store, version)
    if version != current:
        rollback_box(store, version, current, who)


def export_box(store: Store, version: str):
    st.markdown(t("**Export a table of this version**"))
    c1, c2, c3 = st.columns([2, 1, 1])
    table = c1.selectbox(t("Table"), TABLE_ORDER, key="staff_export_table",
                         format_func=lambda k: t(TABLE_LABELS[k]), label_visibility="collapsed")
    path = str(store.root)
    c2.download_button(t("CSV"), lambda: table_csv(Store(path).read_table(table, version)),
                       file_name=f"{table}_{version}.csv", mime="text/csv",
                       key=f"exp_csv_{version}_{table}", on_click="ignore")
    c3.download_button(t("XLSX"), lambda: table_xlsx(Store(path).read_table(table, version),
                                                     sheet=table),
                       file_name=f"{table}_{version}.xlsx", key=f"exp_xlsx_{version}_{table}",
                       on_click="ignore")


def rollback_box(store: Store, version: str, current: str | None, who: str):
    st.markdown(t("**Roll back**: make version {v} current again. This is recorded as a publish "
                  "of its own; nothing is deleted.", v=f"`{version}`"))
    st.text_input(t("Note (optional)"), key="staff_rollback_note", max_chars=500)
    # The version this page showed as current goes with the click: if someone published
    # since, the rollback is refused as stale instead of silently undoing their work.
    st.button(t("Roll back to {v}", v=version), key="staff_rollback", type="primary",
              on_click=_do_rollback, args=(version, current, who))


@boundary.guarded("a rollback")
def _do_rollback(version: str, seen_current: str | None, who: str):
    note = st.session_state.get("staff_rollback_note") or ""
    if auth.current_staff() != who:
        _flash("error", t("Only signed-in staff can roll back."))
        return
    try:
        new = state.store().rollback(version, base_version=seen_current, who=who,
                                     note=note.strip() or t("Rollback to {v}", v=version))
    except StaleVersionError as exc:
        audit.record("rollback", user=who, client=clients.current(), outcome="refused-stale", to=version)
        _flash("error", t("The data changed since you started: version {current} was published "
                          "after the version {base} you were looking at. Nothing was rolled "
                          "back. Review again.", current=exc.current, base=exc.base))
        return
    except StoreError as exc:
        audit.record("rollback", user=who, client=clients.current(), outcome="failed", to=version)
        _flash("error", t("The rollback failed: {why}", why=str(exc)))
        return
    audit.record("rollback", user=who, client=clients.current(), to=version, version=new)
    st.session_state.pop("staff_history_pick", None)  # show the newest event: this rollback
    give_back()
    _flash("success", t("Version {v} is current again. Every open session sees it on its next "
                        "interaction.", v=new))
