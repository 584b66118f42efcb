"""Server-level settings that Streamlit offers no option for.

**Nagle's algorithm on the websocket.** asyncio turns Nagle's algorithm off (TCP_NODELAY)
for the connections it accepts only when the listening socket was created with
``proto == IPPROTO_TCP``; Streamlit's server socket is created with ``proto == 0``, so
every browser connection keeps Nagle on. A rerun sends many small messages; with Nagle
the later ones wait for the browser's delayed acknowledgement, about 40 ms on Linux, on
every interaction (measured: a five-element page reran in 44 ms instead of 6 ms).
:func:`no_nagle` makes asyncio set TCP_NODELAY on every TCP stream socket, as it means to;
it applies to connections accepted after the first script run of the process.
"""

from __future__ import annotations

import asyncio.base_events
import socket
import threading

_lock = threading.Lock()
_done = False


def _set_nodelay(sock):
    if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
            and sock.proto in (0, socket.IPPROTO_TCP)):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # a socket already closed by the peer
            pass


def no_nagle() -> bool:
    """Install the TCP_NODELAY rule once per process; True when this call installed it."""
    global _done
    if not hasattr(socket, "TCP_NODELAY"):
        return False
    with _lock:
        if _done:
            return False
        asyncio.base_events._set_nodelay = _set_nodelay
        _done = True
        return True
