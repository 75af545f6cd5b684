"""The trace store on its own: `python -m pizza_ops.telemetry --port 16686 --otlp-port 4318`.

Jaeger's stand-in in the compose stack where the Jaeger image cannot be had (docker-compose.local-
telemetry.yml): OTLP/HTTP in at `/v1/traces`, the Jaeger query API out, kept in one SpanStore.
Both ports answer both APIs; there are two so that it sits where Jaeger does, its query API on
16686 and its OTLP/HTTP receiver on 4318. Runs until SIGTERM or Ctrl-C; a port that cannot be
used ends it at once with one line on stderr.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from typing import NoReturn

from pizza_ops.telemetry.otlp_receiver import OtlpReceiver
from pizza_ops.telemetry.span_store import SpanStore
from pizza_ops.trace_store_options import add_max_spans_option

PROG = "python -m pizza_ops.telemetry"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Serve the trace store: OTLP/HTTP in, the Jaeger query API out.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 in a container)")
    parser.add_argument("--port", type=_port, default=16686, help="the query API's port (Jaeger's: 16686)")
    parser.add_argument("--otlp-port", type=_port, default=4318, help="the OTLP/HTTP port (4318)")
    parser.add_argument("--db", default=":memory:", help="SQLite file to keep spans in (default: memory)")
    add_max_spans_option(parser)
    return parser


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """Serve until `stop` is set (by SIGTERM or SIGINT when run as a program); 1 if a port is unusable."""
    args = build_parser().parse_args(argv)
    stop = stop or _stop_on_signals()
    store = SpanStore(args.db, max_spans=args.max_spans)
    ports = list(dict.fromkeys((args.port, args.otlp_port)))
    receivers = [OtlpReceiver(store, args.host, port) for port in ports]
    try:
        for receiver, port in zip(receivers, ports, strict=True):
            _start(receiver, args.host, port)
        print(f"trace store: query API {receivers[0].endpoint}, OTLP/HTTP {receivers[-1].traces_endpoint}", flush=True)
        while not stop.wait(timeout=1):
            pass
        return 0
    except _CannotListen as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    finally:
        for receiver in receivers:
            receiver.stop()
        store.close()


class _CannotListen(Exception):
    pass


def _start(receiver: OtlpReceiver, host: str, port: int) -> None:
    try:
        receiver.start()
    except OSError as error:
        reason = "already in use" if error.errno == errno.EADDRINUSE else error.strerror or str(error)
        raise _CannotListen(f"cannot listen on {host}:{port}: {reason}") from None


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


if __name__ == "__main__":
    sys.exit(main())
