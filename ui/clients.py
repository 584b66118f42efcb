"""Who is asking: the client's address, as the configured proxy reports it.

Limits (proposals, staff sign-in) and the audit log need the visitor's address, not the
Streamlit session (a reload makes a new one). Behind a reverse proxy every connection comes
from the proxy, which passes the visitor's address in ``X-Forwarded-For`` — a header any
visitor can also send. So the header is believed only when the connection comes from a
configured proxy:

``MIPEXR_TRUSTED_PROXIES`` — addresses or networks (``10.0.0.5, 10.1.0.0/16``) of the reverse
proxies in front of the app. Empty (the default): the header is ignored and the connection's
address is the client's. Set: ``X-Forwarded-For`` is read from the right, skipping trusted
proxies; the first address that is not one is the client.

(The web server under Streamlit, uvicorn, itself replaces a connection from 127.0.0.1 by the
right-most ``X-Forwarded-For`` entry — its ``FORWARDED_ALLOW_IPS`` setting, default
``127.0.0.1,::1`` — so a proxy on the same machine is already taken into account there.)

The address comes from ``st.context`` (headers of the connection and its peer address);
:func:`client_address` is pure and tested directly.
"""

from __future__ import annotations

import ipaddress
import logging
import os

log = logging.getLogger("mipexr.clients")

ENV = "MIPEXR_TRUSTED_PROXIES"
#: What a connection from this machine (Streamlit reports no address for it) is called.
LOCAL = "local"


def trusted_networks(text: str | None) -> list:
    """``"10.0.0.5, 10.1.0.0/16"`` → networks; items that are not addresses are skipped with a warning."""
    out = []
    for item in (text or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            log.warning("%s: %r is not an address or network; ignored.", ENV, item)
    return out


def _address(text: str | None):
    text = (text or "").strip().strip('"')
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.5:51234"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: list[str], trusted: list) -> str:
    """The client's address: ``peer`` (the connection's, None for this machine) unless it is
    a trusted proxy, then the right-most address of ``forwarded_for`` (every
    ``X-Forwarded-For`` header, in order) that is not a trusted proxy.

    A malformed entry met while walking the chain stops it there: the last trusted hop is
    then the client (an attacker cannot hide behind garbage)."""
    current = _address(peer) if peer else ipaddress.ip_address("127.0.0.1")
    if current is None:
        return str(peer)

    def is_trusted(addr) -> bool:
        return any(addr.version == n.version and addr in n for n in trusted)

    if not is_trusted(current):
        return LOCAL if peer is None else str(current)
    chain = [p for header in forwarded_for for p in header.split(",") if p.strip()]
    for item in reversed(chain):
        addr = _address(item)
        if addr is None:
            break
        current = addr
        if not is_trusted(addr):
            return str(addr)
    return LOCAL if peer is None and str(current) == "127.0.0.1" else str(current)


def connection() -> tuple[str | None, list[str]]:
    """The session's connection: (peer address, None for this machine; every
    ``X-Forwarded-For`` header of its first request)."""
    import streamlit as st

    peer = st.context.ip_address
    headers = st.context.headers
    forwarded = headers.get_all("X-Forwarded-For") if headers is not None else []
    # (Streamlit's test harness has no connection: anything but text means this machine)
    peer = peer if isinstance(peer, str) else None
    forwarded = [h for h in forwarded if isinstance(h, str)] if isinstance(forwarded, list) else []
    return peer, forwarded


def current() -> str:
    """The client of the running session (see the module's doc)."""
    peer, forwarded = connection()
    return client_address(peer, forwarded, trusted_networks(os.environ.get(ENV)))
