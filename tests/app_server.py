"""The real app on a free loopback port, for the web, browser and reliability tests.

with served(ctx) as url: ...                 # as `kaoda ui` serves it on 127.0.0.1
with served(ctx, shared=True) as url: ...    # as `kaoda ui --host 0.0.0.0` or `--auth` would
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from agent.context import Context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(ctx: Context, shared: bool = False) -> Iterator[str]:
    """The app on ctx, launched in this process on 127.0.0.1; yields its URL."""
    from ui.app import create_app

    app = create_app(ctx, shared=shared)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
