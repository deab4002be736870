"""SQLite transcripts: WAL, named migrations, upgrade of an older file, real deletion."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent.errors import NotFoundError
from agent.store import MIGRATIONS, TranscriptStore


def _turn(index: int, answer: str | None = None) -> dict:
    score = {"score": 3.0, "overall": 60, "dimensions": {}, "key_points": [], "feedback": "", "flags": []}
    return {
        "index": index,
        "move": "switch_topic",
        "question": f"Q{index}",
        "question_id": "zero-q1",
        "topic_id": "zero",
        "sources": ["zero-q1"],
        "answer": answer,
        "score": score if answer else None,
    }


def test_turns_round_trip_and_list(tmp_path: Path) -> None:
    store = TranscriptStore(tmp_path / "k.db")
    store.create_interview({"id": "abc", "company": "didi", "role": "infra", "lang": "zh", "mode": "offline"})
    store.save_turn("abc", _turn(0))
    store.save_turn("abc", _turn(0, "我的回答"))  # answering updates the same turn
    store.save_turn("abc", _turn(1))
    record = store.get("abc")
    assert [t["answer"] for t in record["turns"]] == ["我的回答", None]
    assert record["turns"][0]["score"]["score"] == 3.0 and record["turns"][0]["sources"] == ["zero-q1"]
    store.finish("abc", {"overall": 60, "weak_topics": []})
    assert store.list()[0]["overall"] == 60
    with sqlite3.connect(tmp_path / "k.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = [r[0] for r in conn.execute("SELECT name FROM migrations")]
    assert names == [m.__name__ for m in MIGRATIONS]


def test_an_older_database_is_upgraded_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # a file written before the migrations table existed
        MIGRATIONS[0](conn)
        conn.execute(
            "INSERT INTO interviews (id, company, role, lang, mode, created_at) "
            "VALUES ('old1', 'generic', 'data', 'en', 'offline', '2026-01-01')"
        )
        conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        conn.execute("INSERT INTO migrations VALUES ('m001_initial', '2026-01-01')")
    store = TranscriptStore(path)
    assert store.get("old1")["company"] == "generic"


def test_delete_really_deletes(tmp_path: Path) -> None:
    store = TranscriptStore(tmp_path / "k.db")
    store.create_interview({"id": "gone", "company": "x", "role": "y", "lang": "zh", "mode": "offline"})
    store.save_turn("gone", _turn(0, "secret answer text 12345"))
    store.delete("gone")
    with pytest.raises(NotFoundError):
        store.get("gone")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"secret answer text 12345" not in raw


def test_owners_added_by_migration_and_used_to_filter(tmp_path: Path) -> None:
    path = tmp_path / "before-owners.db"
    with sqlite3.connect(path) as conn:  # a file from before m003: no owner column
        MIGRATIONS[0](conn)
        MIGRATIONS[1](conn)
        conn.execute(
            "INSERT INTO interviews (id, company, role, lang, mode, created_at) "
            "VALUES ('old1', 'generic', 'data', 'en', 'offline', '2026-01-01')"
        )
        conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = [("m001_initial",), ("m002_interview_kind",)]
        conn.executemany("INSERT INTO migrations VALUES (?, '2026-01-01')", done)
    store = TranscriptStore(path)
    assert store.owner("old1") is None  # existing rows keep NULL
    store.create_interview({"id": "a1", "company": "x", "role": "y", "lang": "zh", "mode": "offline", "owner": "tok-a"})
    store.create_interview({"id": "b1", "company": "x", "role": "y", "lang": "zh", "mode": "offline"})
    store.set_owner("b1", "tok-b")
    answered = {"answered_at": "2026-01-02T00:00:00+00:00"}
    store.save_turn("a1", {**_turn(0, "A 的回答"), **answered})
    store.save_turn("b1", {**_turn(0, "B 的回答"), **answered})
    assert {r["id"] for r in store.list()} == {"old1", "a1", "b1"}
    assert [r["id"] for r in store.list("tok-a")] == ["a1"] and "owner" not in store.list()[0]
    assert [r["interview_id"] for r in store.scored_turns("tok-b")] == ["b1"]
    assert {r["interview_id"] for r in store.scored_turns()} == {"a1", "b1"}
    assert store.list("nobody") == [] and store.scored_turns("nobody") == []
    assert (store.owner("a1"), store.owner("b1")) == ("tok-a", "tok-b")
    with pytest.raises(NotFoundError):
        store.set_owner("missing", "tok-a")
    with pytest.raises(NotFoundError):
        store.owner("missing")
