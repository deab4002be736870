"""A real OpenAI-compatible HTTP server on 127.0.0.1 that replays scripted replies (bad ones too).

    server = FakeOpenAI().start()
    server.enqueue('{"move": "deeper", ...}', {"status": 429}, {"hang": 5}, {"close": True})
    ... point KAODA_LLM_BASE_URL at server.url ...
    server.requests   # every request body received, for assertions

A reply is a string (the assistant's content) or a dict: {"status": 500} answers with that HTTP
status; {"hang": s} waits s seconds before answering (past the client's timeout); {"close": True}
drops the connection; {"content": str, "chunks": n} streams content in n pieces; a callable gets the
request body and returns one of those (a scripted "model"). When the queue is empty, `default` is
used (None = HTTP 500).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | dict[str, Any] | Callable[[dict[str, Any]], "str | dict[str, Any]"]


class FakeOpenAI:
    def __init__(self, default: Reply | None = None) -> None:
        self.queue: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.default = default
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self.queue.extend(replies)

    def _next(self) -> Reply | None:
        with self._lock:
            return self.queue.popleft() if self.queue else self.default

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                return

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers))
                if self.path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [
                        {"object": "embedding", "index": i, "embedding": _toy_vector(t)} for i, t in enumerate(inputs)
                    ]
                    self._json(200, {"object": "list", "data": data, "model": body.get("model"), "usage": {}})
                    return
                reply = fake._next()
                if callable(reply):
                    reply = reply(body)
                if reply is None:
                    self._json(500, {"error": {"message": "no scripted reply"}})
                    return
                if isinstance(reply, dict) and reply.get("hang"):
                    time.sleep(float(reply["hang"]))
                    reply = reply.get("then", "{}")
                if isinstance(reply, dict) and reply.get("close"):
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if isinstance(reply, dict) and reply.get("status"):
                    self._json(int(reply["status"]), {"error": {"message": f"scripted {reply['status']}"}})
                    return
                content = reply if isinstance(reply, str) else str(reply.get("content", ""))
                chunks = 1 if isinstance(reply, str) else int(reply.get("chunks", 1))
                if body.get("stream"):
                    self._stream(body, content, max(chunks, 4))
                else:
                    self._json(200, _completion(body, content))

            def _stream(self, body: dict[str, Any], content: str, pieces: int) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                step = max(1, len(content) // pieces)
                parts = [content[i : i + step] for i in range(0, len(content), step)] or [""]
                for part in parts:
                    chunk = {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {"index": 0, "delta": {"role": "assistant", "content": part}, "finish_reason": None}
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                final = {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body.get("model"),
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    "usage": _usage(body, content),
                }
                self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def _usage(body: dict[str, Any], content: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4
    return {"prompt_tokens": prompt, "completion_tokens": len(content) // 4, "total_tokens": prompt + len(content) // 4}


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": _usage(body, content),
    }


def _toy_vector(text: str, dim: int = 16) -> list[float]:
    """A deterministic embedding for tests of the embeddings endpoint path."""
    vector = [0.0] * dim
    for i, ch in enumerate(text):
        vector[(ord(ch) + i) % dim] += 1.0
    return vector
