"""`airq-worker`: long-poll the exports queue and run exports until SIGTERM/SIGINT.

Exit codes: 0 after a clean stop (SIGTERM or SIGINT: the current export finished within the grace
period, or its message was released for another worker); 2 for bad configuration.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading

from airq.config import Settings
from airq.logs import setup_logging
from airq.worker.httpd import serve
from airq.worker.loop import Worker
from airq.worker.options import WorkerOptions

log = logging.getLogger("airq.worker")

EXIT_OK = 0
EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="airq-worker",
        description="Run asynchronous CSV exports from the SQS exports queue into S3 (DESIGN §6). "
        "Every option defaults to its AIRQ_* environment variable.",
    )
    parser.add_argument(
        "--grace",
        type=float,
        help="seconds the current export may run on after SIGTERM (AIRQ_WORKER_GRACE_SECONDS)",
    )
    parser.add_argument(
        "--wait-seconds", type=int, help="SQS long-poll wait, 0-20 (AIRQ_WORKER_WAIT_SECONDS)"
    )
    parser.add_argument(
        "--page-rows", type=int, help="DynamoDB page size while exporting (AIRQ_WORKER_PAGE_ROWS)"
    )
    parser.add_argument(
        "--metrics-port", type=int, help="port of /metrics and /healthz, 0 for none (AIRQ_METRICS_PORT)"
    )
    return parser


def relay_signals(worker: Worker) -> tuple[socket.socket, socket.socket]:
    """SIGTERM and SIGINT call worker.request_stop() on a relay thread, never in the handler.

    A Python signal handler runs in the main thread between any two bytecodes, possibly while that
    thread holds a threading lock (starting a thread, waiting on an Event): taking the same lock in
    the handler would deadlock. So the handlers do nothing; the C-level handler writes the signal
    number to a socket (signal.set_wakeup_fd) that the relay thread reads. The caller keeps the
    returned socket pair alive: a collected socket would close the wakeup fd under the signal module.
    """
    receiver, sender = socket.socketpair()
    sender.setblocking(False)
    signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _signum, _frame: None)

    def relay() -> None:
        while data := receiver.recv(64):
            for signum in data:
                if signum in (signal.SIGTERM, signal.SIGINT):
                    worker.request_stop()

    threading.Thread(target=relay, name="signals", daemon=True).start()
    return receiver, sender


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        options = WorkerOptions.from_env(
            grace_seconds=args.grace, wait_seconds=args.wait_seconds, page_rows=args.page_rows
        )
    except ValueError as exc:
        print(f"airq-worker: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, "worker")

    worker = Worker(settings, options)
    signal_sockets = relay_signals(worker)

    port = settings.metrics_port if args.metrics_port is None else args.metrics_port
    if port:
        server = serve(settings.bind_host, port, worker.health)
        log.info("metrics and health served", extra={"host": settings.bind_host, "port": server.server_port})

    stop_monitor = threading.Event()
    monitor = threading.Thread(target=worker.monitor, args=(stop_monitor,), name="monitor", daemon=True)
    monitor.start()
    try:
        return worker.run()
    finally:
        stop_monitor.set()
        signal.set_wakeup_fd(-1)
        signal_sockets[1].close()  # the relay thread reads EOF and ends


if __name__ == "__main__":
    sys.exit(main())
