"""`airq-ingest`: one snapshot (`--once`), a dry run, or a loop every AIRQ_INGEST_INTERVAL seconds."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from botocore.exceptions import BotoCoreError, ClientError
from prometheus_client import start_http_server

from airq.config import Settings
from airq.feed import FeedError
from airq.ingest import metrics
from airq.ingest.run import ingest_once, load, print_dry_run
from airq.logs import setup_logging
from airq.store import StoreError

log = logging.getLogger("airq.ingest")

EXIT_OK = 0
EXIT_FEED = 1
EXIT_STORE = 3


def run_once(source: str, settings: Settings) -> int:
    try:
        ingest_once(source, settings)
        return EXIT_OK
    except FeedError as exc:
        metrics.RUNS.labels(outcome="feed_error").inc()
        log.error("feed rejected, nothing stored", extra={"source": source, "error": str(exc)})
        print(f"airq-ingest: feed rejected, nothing stored: {exc}", file=sys.stderr)
        return EXIT_FEED
    except (StoreError, BotoCoreError, ClientError) as exc:
        metrics.RUNS.labels(outcome="store_error").inc()
        log.error("could not store snapshot", extra={"source": source, "error": str(exc)})
        print(
            f"airq-ingest: could not store the snapshot (re-running is safe, writes are idempotent): {exc}",
            file=sys.stderr,
        )
        return EXIT_STORE


def run_loop(source: str, settings: Settings, stop: threading.Event) -> int:
    while not stop.is_set():
        run_once(source, settings)
        stop.wait(settings.ingest_interval)
    log.info("ingest loop stopped")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="airq-ingest",
        description="Ingest sensor.community PM readings with their UK DAQI into DynamoDB.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--once", action="store_true", help="fetch and store one snapshot; exit 0 only if stored"
    )
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="store nothing: print accepted readings as JSON lines on stdout",
    )
    parser.add_argument(
        "--feed", default=settings.feed_url, help="feed URL, file:// URL or path (default AIRQ_FEED_URL)"
    )
    parser.add_argument(
        "--interval", type=float, default=settings.ingest_interval, help="loop interval in seconds"
    )
    args = parser.parse_args(argv)
    setup_logging(settings.log_level, "ingest")

    if args.dry_run:
        try:
            print_dry_run(load(args.feed, settings))
        except FeedError as exc:
            print(f"airq-ingest: feed rejected: {exc}", file=sys.stderr)
            return EXIT_FEED
        return EXIT_OK
    if args.once:
        return run_once(args.feed, settings)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.bind_host)
    loop_settings = Settings(**{**settings.__dict__, "ingest_interval": args.interval})
    return run_loop(args.feed, loop_settings, stop)


if __name__ == "__main__":
    sys.exit(main())
