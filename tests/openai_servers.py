"""OpenAI-compatible servers for tests: llama-cpp-python's own ``llama_cpp.server`` serving the real test model
on 127.0.0.1, and a replay server for the stream shapes only other servers (vLLM, DeepSeek, Ollama) produce."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SERVED_NAME = "smollm2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaCppServer:
    """``python -m llama_cpp.server`` on the test model, with an API key; can be killed and started again."""

    def __init__(self, model_path: str, log_path: Path, *, api_key: str = "test-key", n_ctx: int = 2048) -> None:
        self.model_path, self.log_path, self.api_key, self.n_ctx = model_path, log_path, api_key, n_ctx
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 120.0) -> LlamaCppServer:
        # interrupt_requests off: a second request waits its turn instead of cutting off the reply being streamed
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", self.model_path, "--model_alias", SERVED_NAME,
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
               "--api_key", self.api_key, "--interrupt_requests", "false"]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.base_url}/models", timeout=2)
            except urllib.error.HTTPError:
                return self  # 401 without the key: it is up
            except OSError:
                time.sleep(0.2)
                continue
            return self
        raise RuntimeError("llama_cpp.server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def chunk(content: str | None = None, finish_reason: str | None = None, **extra: Any) -> dict:
    """One ``chat.completion.chunk`` whose delta holds ``content`` and any other fields (reasoning…)."""
    delta = {"content": content, **extra}
    return {"id": "replay", "object": "chat.completion.chunk", "created": 0, "model": "replay",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


class ReplayServer:
    """Replays scripted SSE streams on 127.0.0.1 and records every request body.

    ``script`` items: a list of chunks (one streamed reply), an int (answer with that HTTP status), "forever"
    (stream reasoning chunks until the client goes away), or ("cut", chunks) (stream then drop the connection).
    The last item repeats.
    """

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.requests: list[dict] = []
        self.keys: list[str] = []  # the Authorization header of each chat request
        self.disconnects = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": "replay", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found"}})
                    return
                with server.lock:
                    server.requests.append(body)
                    server.keys.append(self.headers.get("Authorization", ""))
                    step = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                if isinstance(step, int):
                    self._json(step, {"error": {"message": f"status {step}"}}, {"Retry-After": "0"})
                elif step == "forever":
                    self._stream(None)
                elif isinstance(step, tuple):
                    self._stream(step[1], cut=True)
                else:
                    self._stream(step)

            def _json(self, status: int, data: dict, headers: dict | None = None) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", "Content-Length": str(len(raw)),
                             **(headers or {})}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, chunks: list[dict] | None, cut: bool = False) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if chunks is None:
                        while True:
                            self._event(chunk(None, reasoning_content="still thinking "))
                            time.sleep(0.05)
                    for c in chunks:
                        self._event(c)
                    if cut:
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self._event(chunk(None, finish_reason="stop"))
                    self.wfile.write(b"data: [DONE]\n\n")
                except OSError:
                    with server.lock:
                        server.disconnects += 1
                self.close_connection = True

            def _event(self, data: dict) -> None:
                self.wfile.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HostileServer:
    """A server on 127.0.0.1 that answers in one hostile way: "huge" streams every reply as one SSE event of
    ``HUGE_BYTES`` (no line break until its end) and then holds the connection open; "trickle" answers every
    request (the model list too) a byte every 20 ms and never ends, so that no single read times out."""

    HUGE_BYTES = 10 << 20

    def __init__(self, mode: str) -> None:
        assert mode in ("huge", "trickle")
        self.mode = mode
        self.dropped = threading.Event()  # the client closed the connection
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                models = b'{"object": "list", "data": [{"id": "hostile", "object": "model"}]}'
                if server.mode == "huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(models)))
                    self.end_headers()
                    self.wfile.write(models)
                    return
                self._hostile("application/json", models)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event = json.dumps(chunk("x" * server.HUGE_BYTES if server.mode == "huge" else "x")).encode()
                self._hostile("text/event-stream", b"data: " + event + b"\n\n")

            def _hostile(self, kind: str, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if server.mode == "huge":
                        self.wfile.write(body)
                    while True:  # "huge": blank lines (no event) after it; "trickle": its body, a byte at a time
                        for byte in body if server.mode == "trickle" else b"\n":
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.02)
                except OSError:
                    server.dropped.set()
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
