"""Who sees which interview: every browser has an owner token; a shared app shows each browser its own.

The rule (also in RELIABILITY.md, "Sharing the app"):
- Each browser gets a random owner token, kept in its localStorage (gr.BrowserState), and every
  interview it starts (or drills) is stored with that token.
- Local app (loopback host, no --auth; the single-user default): every interview is visible,
  including those made by the CLI or imported (owner NULL).
- Shared app (any other host, or --auth): the table, detail, charts, exports, continue, delete,
  progress and drills see only the interviews carrying this browser's token; any other id (another
  browser's, the CLI's, or none at all) is refused with one message that does not tell them apart.

    owners = Owners(ctx.store, shared=is_shared(host, auth))
    owners.record(interview_id, token)       # the interview as this browser may see it, or NotFoundError
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from typing import Any

from agent.errors import NotFoundError
from agent.store import TranscriptStore

OWNER_KEY = "kaoda-owner"  # localStorage key; also the BrowserState secret, fixed so a restart keeps tokens
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: not guessable


def valid_token(token: Any) -> bool:
    return isinstance(token, str) and TOKEN.fullmatch(token) is not None


def claim(stored: Any) -> str:
    """This browser's token: the one it kept, or a new one when it has none (or a malformed one)."""
    return stored if valid_token(stored) else new_token()


def is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: may resolve to anything


def is_shared(host: str, auth: Any = None) -> bool:
    """Reachable by more than one person: bound beyond loopback, or behind a password."""
    return bool(auth) or not is_loopback(host)


class Owners:
    """The one place that decides what a browser may see (see the module docstring)."""

    def __init__(self, store: TranscriptStore, shared: bool = False) -> None:
        self.store, self.shared = store, shared

    def check(self, interview_id: str, token: str) -> None:
        """NotFoundError unless this browser may see the interview (it may not exist either)."""
        if not self.shared:
            return  # a missing interview is reported by whatever reads it next
        try:
            owner = self.store.owner(interview_id)
        except NotFoundError:
            owner = None
        if not (valid_token(token) and owner is not None and secrets.compare_digest(owner, token)):
            raise NotFoundError(
                f"no interview {interview_id!r} in this browser's history "
                "(this app is shared: each browser sees only the interviews it started)"
            )

    def record(self, interview_id: str, token: str) -> dict[str, Any]:
        """The whole interview, if this browser may see it."""
        self.check(interview_id, token)
        return self.store.get(interview_id)

    def list(self, token: str) -> list[dict[str, Any]]:
        """The interviews this browser may see, newest first."""
        if not self.shared:
            return self.store.list()
        return self.store.list(token) if valid_token(token) else []

    def scored_turns(self, token: str) -> list[dict[str, Any]]:
        """The scored answers progress, drills and comparisons are computed from."""
        if not self.shared:
            return self.store.scored_turns()
        return self.store.scored_turns(token) if valid_token(token) else []

    def can_start(self, token: str) -> bool:
        """A shared app starts interviews only for a browser with a token (else nobody could see them)."""
        return valid_token(token) or not self.shared

    def adopt(self, interview_id: str, token: str) -> None:
        """Store this browser's token with an interview it just started."""
        if valid_token(token):
            self.store.set_owner(interview_id, token)
