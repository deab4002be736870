"""Transcripts in SQLite (WAL): interviews, turns with scores and sources; named migrations.

Every turn goes through `save_turn`, committed before the caller shows the next question.

    store = TranscriptStore(settings.db_path)
    store.save_turn(interview_id, turn)        # insert or update one turn, committed
    store.get(interview_id)                    # {"id", ..., "owner", "turns": [...]}
    store.set_owner(interview_id, token)       # the browser that made it (ui/owners.py); NULL = CLI
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import InputError, NotFoundError, StoreError


def m001_initial(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE interviews (
            id TEXT PRIMARY KEY,
            company TEXT NOT NULL,
            role TEXT NOT NULL,
            lang TEXT NOT NULL,
            mode TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            created_at TEXT NOT NULL,
            finished_at TEXT,
            overall REAL,
            summary_json TEXT,
            state_json TEXT
        );
        CREATE TABLE turns (
            interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            move TEXT NOT NULL,
            question TEXT NOT NULL,
            question_id TEXT,
            topic_id TEXT,
            sources_json TEXT NOT NULL DEFAULT '[]',
            reason TEXT,
            answer TEXT,
            score REAL,
            score_json TEXT,
            fallback INTEGER NOT NULL DEFAULT 0,
            meta_json TEXT,
            asked_at TEXT NOT NULL,
            answered_at TEXT,
            PRIMARY KEY (interview_id, idx)
        );
        CREATE INDEX turns_topic ON turns(topic_id);
        """
    )


def m002_interview_kind(conn: sqlite3.Connection) -> None:
    """Interviews and drills side by side; scored turns read in time order for mastery."""
    conn.executescript(
        """
        ALTER TABLE interviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'interview';
        CREATE INDEX turns_answered ON turns(answered_at);
        """
    )


def m003_interview_owner(conn: sqlite3.Connection) -> None:
    """The browser that made an interview (a random token; NULL for the CLI and older rows)."""
    conn.executescript(
        """
        ALTER TABLE interviews ADD COLUMN owner TEXT;
        CREATE INDEX interviews_owner ON interviews(owner);
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial,
    m002_interview_kind,
    m003_interview_owner,
]  # append only


def exports_dir(db_path: Path) -> Path:
    """Where the web app writes export files (removed with their transcript).

    In the system temp folder (Gradio serves files only from there or the working folder), one
    folder per database so two KAODA_HOMEs never share exports.
    """
    import hashlib
    import tempfile

    key = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "kaoda-exports" / key


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TranscriptStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            self._migrate(conn)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection per operation (safe across Gradio's worker threads)."""
        try:
            conn = sqlite3.connect(self.path, timeout=10.0)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the transcript database {self.path}: {exc}") from exc
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        try:
            with conn:  # commits on success, rolls back on error
                yield conn
        except sqlite3.OperationalError as exc:
            raise StoreError(f"transcript database error ({exc}); is {self.path} writable?") from exc
        finally:
            conn.close()

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        for migration in MIGRATIONS:
            if migration.__name__ not in done:
                migration(conn)
                conn.execute("INSERT INTO migrations VALUES (?, ?)", (migration.__name__, now()))

    def create_interview(self, record: dict[str, Any]) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO interviews (id, company, role, lang, mode, kind, created_at, state_json, owner)"
                " VALUES (:id, :company, :role, :lang, :mode, :kind, :created_at, :state_json, :owner)",
                {
                    **record,
                    "kind": record.get("kind") or "interview",
                    "owner": record.get("owner"),
                    "created_at": record.get("created_at") or now(),
                    "state_json": record.get("state_json"),
                },
            )

    def set_owner(self, interview_id: str, owner: str | None) -> None:
        """Record which browser made the interview (the web app's owner token; see ui/owners.py)."""
        with self._connect() as conn:
            updated = conn.execute("UPDATE interviews SET owner=? WHERE id=?", (owner, interview_id)).rowcount
        if not updated:
            raise NotFoundError(f"no interview {interview_id!r}")

    def owner(self, interview_id: str) -> str | None:
        """The owner token of an interview (None: made by the CLI, imported, or older than owners)."""
        with self._connect() as conn:
            row = conn.execute("SELECT owner FROM interviews WHERE id=?", (interview_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no interview {interview_id!r}; see `kaoda transcripts list`")
        return row["owner"]

    def save_turn(self, interview_id: str, turn: dict[str, Any], state_json: str | None = None) -> None:
        """Insert or update one turn (and the resumable state) in one committed transaction."""
        with self._connect() as conn:
            self._write_turn(conn, interview_id, turn)
            if state_json is not None:
                conn.execute("UPDATE interviews SET state_json=? WHERE id=?", (state_json, interview_id))

    @staticmethod
    def _write_turn(conn: sqlite3.Connection, interview_id: str, turn: dict[str, Any]) -> None:
        score = turn.get("score")
        row = {
            "interview_id": interview_id,
            "idx": turn["index"],
            "move": turn["move"],
            "question": turn["question"],
            "question_id": turn.get("question_id"),
            "topic_id": turn.get("topic_id"),
            "sources_json": json.dumps(turn.get("sources", []), ensure_ascii=False),
            "reason": turn.get("reason"),
            "answer": turn.get("answer"),
            "score": score["score"] if score else None,
            "score_json": json.dumps(score, ensure_ascii=False) if score else None,
            "fallback": int(bool(turn.get("fallback"))),
            "meta_json": json.dumps(turn.get("meta", {}), ensure_ascii=False),
            "asked_at": turn.get("asked_at") or now(),
            "answered_at": turn.get("answered_at"),
        }
        conn.execute(
            "INSERT INTO turns VALUES (:interview_id, :idx, :move, :question, :question_id, :topic_id,"
            " :sources_json, :reason, :answer, :score, :score_json, :fallback, :meta_json, :asked_at,"
            " :answered_at) ON CONFLICT (interview_id, idx) DO UPDATE SET answer=excluded.answer,"
            " score=excluded.score, score_json=excluded.score_json, answered_at=excluded.answered_at,"
            " fallback=excluded.fallback, meta_json=excluded.meta_json",
            row,
        )

    def finish(self, interview_id: str, summary: dict[str, Any], state_json: str | None = None) -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE interviews SET status='finished', finished_at=?, overall=?, summary_json=?,"
                " state_json=COALESCE(?, state_json) WHERE id=?",
                (now(), summary.get("overall"), json.dumps(summary, ensure_ascii=False), state_json, interview_id),
            )

    def import_record(self, record: dict[str, Any]) -> None:
        """Insert a whole transcript (header and turns) in one transaction; the id must be new."""
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM interviews WHERE id=?", (record["id"],)).fetchone():
                raise InputError(f"interview {record['id']!r} already exists; import with --new-id to keep both")
            conn.execute(
                "INSERT INTO interviews (id, company, role, lang, mode, kind, status, created_at, finished_at,"
                " overall, summary_json, state_json) VALUES (:id, :company, :role, :lang, :mode, :kind, :status,"
                " :created_at, :finished_at, :overall, :summary_json, :state_json)",
                {
                    "id": record["id"],
                    "company": record["company"],
                    "role": record["role"],
                    "lang": record["lang"],
                    "mode": record["mode"],
                    "kind": record.get("kind") or "interview",
                    "status": record.get("status") or "finished",
                    "created_at": record.get("created_at") or now(),
                    "finished_at": record.get("finished_at"),
                    "overall": (record.get("summary") or {}).get("overall"),
                    "summary_json": json.dumps(record["summary"], ensure_ascii=False)
                    if record.get("summary")
                    else None,
                    "state_json": record.get("state_json"),
                },
            )
            for turn in record["turns"]:
                self._write_turn(conn, record["id"], turn)

    def scored_turns(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Every scored answer on a topic, oldest first: the history mastery is computed from.

        With `owner`, only the answers of that owner's interviews.
        """
        where = " AND t.interview_id IN (SELECT id FROM interviews WHERE owner=?)" if owner is not None else ""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT t.interview_id, t.idx, t.topic_id, t.question_id, t.score, t.answered_at, t.score_json"
                " FROM turns t WHERE t.score IS NOT NULL AND t.topic_id IS NOT NULL AND t.answered_at IS NOT NULL"
                f"{where} ORDER BY t.answered_at, t.interview_id, t.idx",
                (owner,) if owner is not None else (),
            ).fetchall()
        history = []
        for row in rows:
            score = json.loads(row["score_json"] or "{}")
            missed = [i for i, kp in enumerate(score.get("key_points", [])) if not kp.get("hit")]
            entry = dict(row)
            del entry["score_json"]
            history.append({**entry, "missed": missed})
        return history

    def list(self, owner: str | None = None) -> list[dict[str, Any]]:
        """Every interview, newest first (with `owner`, only that owner's); the owner itself is not listed."""
        where = " WHERE i.owner=?" if owner is not None else ""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT i.id, i.company, i.role, i.lang, i.mode, i.kind, i.status, i.created_at, i.overall,"
                " (SELECT COUNT(*) FROM turns t WHERE t.interview_id=i.id AND t.answer IS NOT NULL) AS answered"
                f" FROM interviews i{where} ORDER BY i.created_at DESC, i.rowid DESC",
                (owner,) if owner is not None else (),
            ).fetchall()
        return [dict(r) for r in rows]

    def get(self, interview_id: str) -> dict[str, Any]:
        with self._connect() as conn:
            head = conn.execute("SELECT * FROM interviews WHERE id=?", (interview_id,)).fetchone()
            if head is None:
                raise NotFoundError(f"no interview {interview_id!r}; see `kaoda transcripts list`")
            turns = conn.execute("SELECT * FROM turns WHERE interview_id=? ORDER BY idx", (interview_id,)).fetchall()
        record = dict(head)
        record["summary"] = json.loads(record.pop("summary_json") or "null")
        record["turns"] = [_turn(dict(t)) for t in turns]
        return record

    def state(self, interview_id: str) -> str:
        return str(self.get(interview_id).get("state_json") or "")

    def delete(self, interview_id: str) -> None:
        with self._connect() as conn:
            deleted = conn.execute("DELETE FROM interviews WHERE id=?", (interview_id,)).rowcount
        if not deleted:
            raise NotFoundError(f"no interview {interview_id!r}")
        for exported in exports_dir(self.path).glob(f"kaoda-{interview_id}.*"):
            exported.unlink(missing_ok=True)
        with self._connect() as conn:  # really gone: reclaim the pages that held it
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _vacuum(self.path)


def _vacuum(path: Path) -> None:
    conn = sqlite3.connect(path, timeout=10.0)
    try:
        conn.execute("VACUUM")
    except sqlite3.OperationalError:
        time.sleep(0)  # busy with another writer: the rows are deleted; space is reclaimed next time
    finally:
        conn.close()


def _turn(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": row["idx"],
        "move": row["move"],
        "question": row["question"],
        "question_id": row["question_id"],
        "topic_id": row["topic_id"],
        "sources": json.loads(row["sources_json"] or "[]"),
        "reason": row["reason"],
        "answer": row["answer"],
        "score": json.loads(row["score_json"]) if row["score_json"] else None,
        "fallback": bool(row["fallback"]),
        "meta": json.loads(row["meta_json"] or "{}"),
        "asked_at": row["asked_at"],
        "answered_at": row["answered_at"],
    }
