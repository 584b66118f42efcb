"""No traceback reaches a visitor or a staff member: the error boundary around every page.

An unexpected error inside a page (or the sidebar, or the staff upload flow, which runs
inside the staff page) is caught here: the person sees a plain message with a short error
id, and the full traceback goes to the server's log under the same id (logger
``mipexr.errors``), where the team can find it. Streamlit's own control flow (``st.rerun``,
``st.stop``, ``st.switch_page``) passes through untouched.

Widget callbacks run before the page, outside it: those that write (sign-in, proposals,
moderation, rollback) are wrapped with :func:`guarded`. ``client.showErrorDetails = "none"``
in the Streamlit configuration is the last line: any other error shows Streamlit's generic
message, without the traceback.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets

import streamlit as st

from ui.i18n import t

log = logging.getLogger("mipexr.errors")


def new_error_id() -> str:
    return secrets.token_hex(4).upper()


def report(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new error id; show the plain message; return the id."""
    error_id = new_error_id()
    log.error("Error %s in %s: %s", error_id, where, type(exc).__name__, exc_info=exc)
    st.error(t("Something went wrong and this part of the page could not be shown. The error was "
               "recorded with the id {id}: quote it to the index team if it happens again. Reload the "
               "page, or go back to the Overview.", id=error_id), icon=":material/error:")
    return error_id


@contextlib.contextmanager
def catch(where: str):
    """Run a block; an error in it becomes :func:`report`'s message instead of a traceback."""
    try:
        yield
    # (st.rerun, st.stop and st.switch_page raise BaseExceptions: they pass through)
    except Exception as exc:  # the boundary: whatever failed, the person gets a plain message
        report(exc, where)


def guarded(where: str):
    """The boundary for a widget callback (it runs before the page, outside :func:`catch`)."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with catch(where):
                return fn(*args, **kwargs)
        return run
    return wrap
