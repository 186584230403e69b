"""moto in a process of its own: the local runtime's storage, off the runtime's GIL.

The runtime (gateway, pollers, handlers) and moto used to share one interpreter, so every moto
request and every handler's CPU took turns on one GIL. `MotoProcess` starts
`python -m infra.local.moto_process` instead: moto's server with the runtime's patches applied
*in that process* (moto_dynamodb, moto_cognito, moto_s3, moto_perf, bus_faults), serving
127.0.0.1 like before. What the runtime used to do by reaching into moto's backends goes through
a few extra routes of that server, under `/_skailan/` (never an AWS path):

- `GET  /_skailan/streams/wait?after=N&timeout=S`: returns once a DynamoDB stream got a record
  after generation N (or S seconds pass): `{"generation", "tables": [names written since N]}`,
  so the outbox Pipes sleep until their own table has something (streams.py);
- `POST /_skailan/faults/eventbridge {"status","count","code"}`, `DELETE` clears, `GET` counts
  (bus_faults.py: `POST /_local/faults` for the bus);
- `GET  /_skailan/ses/sent`: the e-mail SES accepted (`/_local/mail`, seed.local_mail);
- `POST /_skailan/dynamodb/put_items {"table", "items"}`: items straight into a table
  (seed_conversations: thousands of demo conversations without one request per 25 items);
- `GET  /_skailan/requests`: how many requests moto served, by operation (`X-Amz-Target`, else
  method and first path segment) — what `bench channels e2e` divides by the messages stored.

The child exits when its stdin closes (the runtime stopped or died), so no moto outlives it.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import moto_remote

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120  # imports and an RSA key: slow on a loaded machine

class MotoProcess:
    """`python -m infra.local.moto_process` on host:port (0: a free one), until `stop()`."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])])
        self._process = subprocess.Popen(
            # Not `-m infra.local.moto_process`: the package's __init__ imports this module first.
            [sys.executable, "-c", "import sys; from infra.local.moto_process import main; sys.exit(main(sys.argv[1:]))",
             "--host", self.host, "--port", str(self.port)],
            cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        line = _read_line(self._process.stdout, START_TIMEOUT_SECONDS)
        if not line.startswith(b"moto-port "):
            self.stop()
            raise RuntimeError(f"moto process did not start: {line!r} (see its stderr above)")
        self.port = int(line.split()[1])
        moto_remote.set_endpoint(self.endpoint_url)
        self._watcher = threading.Thread(target=self._watch_streams, name="skailan-local-moto-streams",
                                         daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        moto_remote.clear_endpoint(self.endpoint_url)
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()  # the child's cue to exit
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def cpu_seconds(self) -> float | None:
        """CPU time the moto process has used so far (Linux /proc; None elsewhere)."""
        if self._process is None:
            return None
        try:
            fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def _watch_streams(self) -> None:
        """Wake the Pipes of the tables whose stream got a record (moto_dynamodb's waiters)."""
        from . import moto_dynamodb

        generation = -1
        while not self._stopping.is_set():
            try:
                answer = _get(f"{self.endpoint_url}/_skailan/streams/wait?after={generation}&timeout=1", 5)
            except OSError:
                if self._stopping.wait(0.2):
                    return
                continue
            changed = answer["tables"] if generation >= 0 else None  # first answer: wake everyone
            generation = int(answer["generation"])
            moto_dynamodb.wake_stream_waiters(changed)


def _get(url: str, timeout: float) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 - our own moto
        return json.loads(reply.read())


def _read_line(stream: Any, timeout: float) -> bytes:
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else b"(no answer in time)"


# ---------------------------------------------------------------- the child process


class _StreamGenerations:
    """A generation counter bumped per stream record, and the last generation of each table."""

    def __init__(self) -> None:
        self.generation = 0
        self.tables: dict[str, int] = {}
        self.changed = threading.Condition()

    def record(self, shard: Any, _record: Any) -> None:
        with self.changed:
            self.generation += 1
            self.tables[str(shard.table.name)] = self.generation
            self.changed.notify_all()

    def wait(self, after: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.generation <= after:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
            return {"generation": self.generation,
                    "tables": sorted(name for name, at in self.tables.items() if at > after)}


def _control_app(moto_app: Any, streams: _StreamGenerations) -> Callable[..., Iterable[bytes]]:
    from moto.core import DEFAULT_ACCOUNT_ID

    from . import bus_faults

    def answer(start_response: Any, status: int, body: Any) -> list[bytes]:
        data = json.dumps(body).encode()
        start_response(f"{status} {'OK' if status < 400 else 'Error'}",
                       [("content-type", "application/json"), ("content-length", str(len(data)))])
        return [data]

    served: collections.Counter[str] = collections.Counter()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_skailan/"):
            target = environ.get("HTTP_X_AMZ_TARGET")
            served[target or f"{environ['REQUEST_METHOD']} /{path.strip('/').split('/', 1)[0]}"] += 1
            return moto_app(environ, start_response)  # type: ignore[no-any-return]
        method = environ["REQUEST_METHOD"]
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body: dict[str, Any] = json.loads(environ["wsgi.input"].read(length)) if length else {}
        if path == "/_skailan/requests":
            return answer(start_response, 200, {"requests": dict(served)})
        if path == "/_skailan/streams/wait":
            return answer(start_response, 200, streams.wait(int(query.get("after", -1)),
                                                            min(float(query.get("timeout", 1)), 20)))
        if path == "/_skailan/faults/eventbridge":
            if method == "POST":
                bus_faults.add(int(body["status"]), int(body.get("count", 1)), body.get("code"))
            elif method == "DELETE":
                bus_faults.clear()
            return answer(start_response, 200, {"pending": bus_faults.pending()})
        if path == "/_skailan/ses/sent":
            from moto.ses.models import ses_backends

            from .ses_mail import _mail_entry, _raw_headers

            ses = ses_backends[DEFAULT_ACCOUNT_ID][query.get("region", "us-east-1")]
            if query.get("headers") == "1":  # the fake SES's campaign-mail watch: raw messages' headers
                return answer(start_response, 200, {"items": [_raw_headers(m) for m in ses.sent_messages]})
            return answer(start_response, 200, {"items": [_mail_entry(m) for m in ses.sent_messages]})
        if path == "/_skailan/dynamodb/put_items" and method == "POST":
            from moto.dynamodb.models import dynamodb_backends

            dynamodb = dynamodb_backends[DEFAULT_ACCOUNT_ID][body.get("region", "us-east-1")]
            for item in body["items"]:
                dynamodb.put_item(body["table"], item)
            return answer(start_response, 200, {"written": len(body["items"])})
        return answer(start_response, 404, {"message": f"no local route {method} {path}"})

    return app


def serve(host: str, port: int) -> None:
    from moto.moto_server import threaded_moto_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler
    from werkzeug.serving import make_server

    from . import bus_faults, moto_cognito, moto_dynamodb, moto_perf, moto_s3

    moto_dynamodb.install()  # O(transaction) TransactWriteItems, atomic across threads; streams
    moto_cognito.install()  # tokens signed with a key of this process; RevokeToken
    moto_s3.install()  # a PUT body is the object, whatever its Content-Type (as in S3)
    moto_perf.install()  # moto's own per-request overheads off the hot path (README: Throughput)
    bus_faults.install()  # POST /_local/faults for the bus: PutEvents fails here
    streams = _StreamGenerations()
    moto_dynamodb.stream_listeners.append(streams.record)

    # threaded_moto_server.create_backend_app, as moto_perf may have wrapped it (no Flask debug).
    moto_app = DomainDispatcherApplication(threaded_moto_server.create_backend_app)
    server = make_server(host, port, _control_app(moto_app, streams), threaded=True,
                         request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, name="moto-server", daemon=True).start()
    print(f"moto-port {server.server_address[1]}", flush=True)
    # Nobody reads our stdout past that line: anything printed later goes to stderr, never into a
    # pipe that would fill up and block us.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdin.buffer.read()  # until the runtime closes our stdin (or dies)
    server.shutdown()
    server.server_close()


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m infra.local.moto_process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    # Ctrl-C in a terminal reaches the whole process group: the runtime stops first (its workers
    # still need moto to finish their batches) and then closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from . import logs

    logs.configure()
    logs.quiet_werkzeug()
    serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
