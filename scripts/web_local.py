#!/usr/bin/env python3
"""Serve the airq web page locally, with the API under /api/ of the same URL.

    python3 scripts/web_local.py [--server auto|nginx|python] [--port 8080] [--api http://127.0.0.1:8000]

1. Builds the static root (services/web/build.py: our files plus Leaflet and Chart.js from
   node_modules) into build/web, unless --no-build.
2. With nginx installed (or --server nginx): renders services/web/nginx/*.template into
   var/web/conf/ (pid and temp files under var/web too) and execs `nginx -g 'daemon off;'` in the
   foreground, so that a process manager (honcho, make run) owns it and SIGTERM/SIGQUIT stop it.
3. Otherwise (or --server python): the fallback, a small standard-library server that serves the
   same files with the same headers (read from services/web/nginx/security_headers.conf.template),
   the same cache rules and gzip, and proxies /api/, /healthz and /readyz to the API the same way
   (streamed, 503 JSON with Retry-After when the API cannot be reached). Fine for one person on a
   laptop; not a production server.

Settings (flags win over environment):
    AIRQ_WEB_PORT       8080                    port to listen on
    AIRQ_WEB_HOST       127.0.0.1               address to listen on
    AIRQ_API_UPSTREAM   http://127.0.0.1:8000   the API (scheme://host:port, no path)
    AIRQ_WEB_SERVER     auto                    auto | nginx | python
    AIRQ_WEB_ROOT       build/web               built static root
    AIRQ_WEB_STATE_DIR  var/web                 nginx config, pid and temp files
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import http.client
import importlib.util
import json
import mimetypes
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "services" / "web"
TEMPLATES = WEB / "nginx"
PLACEHOLDER = re.compile(r"\$\{(AIRQ_[A-Z0-9_]+)\}")
HEADER_LINE = re.compile(r'^\s*add_header\s+([A-Za-z-]+)\s+"([^"]*)"\s+always;', re.MULTILINE)
PROXIED_EXACT = ("/healthz", "/readyz")
PROXIED_PREFIX = "/api/"
IMMUTABLE_PREFIXES = ("/static/", "/vendor/")
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "image/svg+xml",
)
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
UNAVAILABLE_BODY = (
    json.dumps(
        {
            "error": {
                "code": "api_unavailable",
                "message": "The API is not reachable right now; try again in a few seconds.",
                "fields": {},
            }
        },
        separators=(",", ":"),
    )
    + "\n"
).encode()


def log(message: str) -> None:
    print(f"web_local: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- settings


def settings_from(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server", choices=("auto", "nginx", "python"), default=env.get("AIRQ_WEB_SERVER", "auto")
    )
    parser.add_argument("--host", default=env.get("AIRQ_WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("AIRQ_WEB_PORT", "8080")))
    parser.add_argument("--api", default=env.get("AIRQ_API_UPSTREAM", "http://127.0.0.1:8000"))
    parser.add_argument("--root", type=Path, default=Path(env.get("AIRQ_WEB_ROOT", ROOT / "build" / "web")))
    parser.add_argument(
        "--state-dir", type=Path, default=Path(env.get("AIRQ_WEB_STATE_DIR", ROOT / "var" / "web"))
    )
    parser.add_argument("--no-build", action="store_true", help="serve --root as it is")
    parser.add_argument("--check", action="store_true", help="render and test the nginx config, then exit")
    args = parser.parse_args(argv)
    api = urlsplit(args.api)
    if api.scheme != "http" or not api.hostname or api.path not in ("", "/") or api.query:
        parser.error(f"--api/AIRQ_API_UPSTREAM must be http://host:port, got {args.api!r}")
    args.api_host, args.api_port = api.hostname, api.port or 80
    args.root, args.state_dir = args.root.resolve(), args.state_dir.resolve()
    return args


def build_site(out: Path) -> None:
    spec = importlib.util.spec_from_file_location("airq_web_build", WEB / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        info = module.build(out)
    except module.BuildError as exc:
        raise SystemExit(f"web_local: {exc}") from exc
    log(f"built {out} (static {info['static']}, vendor {info['vendor']})")


# ------------------------------------------------------------------------------ nginx


def render(template: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for ${{{name}}}")
        return values[name]

    return PLACEHOLDER.sub(substitute, template)


def render_nginx(args: argparse.Namespace) -> Path:
    """Write the nginx config for these settings under the state dir; return nginx.conf's path."""
    conf_dir = args.state_dir / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    host = f"[{args.host}]" if ":" in args.host else args.host
    api_host = f"[{args.api_host}]" if ":" in args.api_host else args.api_host
    values = {
        "AIRQ_WEB_LISTEN": f"{host}:{args.port}",
        "AIRQ_API_ADDRESS": f"{api_host}:{args.api_port}",
        "AIRQ_WEB_ROOT": str(args.root),
        "AIRQ_NGINX_STATE": str(args.state_dir),
        "AIRQ_NGINX_WORKERS": "2",
    }
    for template in sorted(TEMPLATES.glob("*.template")):
        (conf_dir / template.name.removesuffix(".template")).write_text(render(template.read_text(), values))
    return conf_dir / "nginx.conf"


def readable_by_others(path: Path) -> bool:
    """nginx started as root serves files as `nobody`: every directory up to the root must let it in."""
    return all(directory.stat().st_mode & 1 for directory in [path, *path.parents])


def run_nginx(args: argparse.Namespace, nginx: str) -> int:
    if os.geteuid() == 0 and not readable_by_others(args.root):
        raise SystemExit(
            f"web_local: nginx workers run as `nobody` and cannot enter {args.root}; "
            "build somewhere world-readable (--root) or use --server python"
        )
    conf = render_nginx(args)
    command = [nginx, "-p", str(args.state_dir), "-c", str(conf), "-e", "stderr"]
    test = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if test.returncode != 0:
        raise SystemExit(f"web_local: nginx rejected {conf}:\n{test.stderr}")
    if args.check:
        log(f"{conf} is valid")
        return 0
    log(f"nginx serving {args.root} on http://{args.host}:{args.port}/ (API {args.api}), config {conf}")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(nginx, [*command, "-g", "daemon off;"])
    return 1  # not reached


# ------------------------------------------------------------------- fallback server


def security_headers() -> list[tuple[str, str]]:
    """The headers nginx adds (parsed from the same template), for the fallback to add too."""
    text = (TEMPLATES / "security_headers.conf.template").read_text()
    headers = HEADER_LINE.findall(text)
    if not headers:
        raise RuntimeError("no add_header lines found in security_headers.conf.template")
    return headers


class WebHandler(BaseHTTPRequestHandler):
    """Static files and an API proxy with the nginx config's behaviour (see the module docstring)."""

    protocol_version = "HTTP/1.1"
    server_version = "airq-web-fallback"
    root: Path
    api: tuple[str, int]
    headers_to_add: list[tuple[str, str]]

    # ---------------------------------------------------------------- plumbing

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        pass  # log_request writes one JSON line per request instead

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "service": "web",
            "server": "fallback",
            "remote": self.client_address[0],
            "method": self.command,
            "uri": self.path,
            "status": int(code) if str(code).isdigit() else code,
            "seconds": round(time.monotonic() - getattr(self, "_started", time.monotonic()), 3),
        }
        print(json.dumps(entry), flush=True)

    def parse_request(self) -> bool:
        self._started = time.monotonic()
        return super().parse_request()

    def _send_common(self) -> None:
        for name, value in self.headers_to_add:
            self.send_header(name, value)

    def _respond(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self._send_common()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # ---------------------------------------------------------------- routing

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith(PROXIED_PREFIX) or path in PROXIED_EXACT:
            self._proxy()
        elif path == "/nginx-healthz":
            self._respond(200, b"ok\n", "text/plain; charset=utf-8")
        elif self.command in ("GET", "HEAD"):
            self._static(path)
        else:
            self._respond(405, b"method not allowed\n", "text/plain; charset=utf-8", {"Allow": "GET, HEAD"})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route

    # ---------------------------------------------------------------- static

    def _static(self, path: str) -> None:
        if path.endswith("/"):
            path += "index.html"
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            self._respond(404, b"not found\n", "text/plain; charset=utf-8", {"Cache-Control": "no-cache"})
            return
        stat = target.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        cache = "public, max-age=31536000, immutable" if path.startswith(IMMUTABLE_PREFIXES) else "no-cache"
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".map":
            content_type = "application/json"
        if content_type.startswith(COMPRESSIBLE) and target.suffix != ".png":
            content_type += "; charset=utf-8"
        headers = {
            "Cache-Control": cache,
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
        }
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self._send_common()
            self.end_headers()
            return
        body = target.read_bytes()
        if content_type.startswith(COMPRESSIBLE):
            headers["Vary"] = "Accept-Encoding"
            if len(body) >= 1024 and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body, compresslevel=5, mtime=0)
                headers["Content-Encoding"] = "gzip"
        self._respond(200, body, content_type, headers)

    # ---------------------------------------------------------------- proxy

    def _proxy(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 16 * 1024:
            self._respond(413, b"request body too large\n", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        forwarded = ", ".join(filter(None, [self.headers.get("X-Forwarded-For"), self.client_address[0]]))
        headers.update({"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "http"})
        connection = http.client.HTTPConnection(*self.api, timeout=300)
        try:
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                upstream = connection.getresponse()
            except OSError:
                self._respond(
                    503,
                    UNAVAILABLE_BODY,
                    "application/json; charset=utf-8",
                    {"Retry-After": "5", "Cache-Control": "no-store"},
                )
                return
            self.send_response(upstream.status, upstream.reason)
            ours = {name.lower() for name, _ in self.headers_to_add}
            for name, value in upstream.getheaders():
                lowered = name.lower()
                if (
                    lowered in HOP_BY_HOP
                    or lowered in ours
                    or lowered in ("server", "date", "content-length")
                ):
                    continue
                self.send_header(name, value)
            upstream_length = upstream.getheader("Content-Length")
            chunked = upstream_length is None and self.command != "HEAD" and upstream.status not in (204, 304)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif upstream_length is not None:
                self.send_header("Content-Length", upstream_length)
            self._send_common()
            self.end_headers()
            if self.command == "HEAD":
                return
            while chunk := upstream.read1(64 * 1024):  # stream: a large CSV is never held whole
                if chunked:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    self.wfile.write(chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            connection.close()


def make_server(host: str, port: int, root: Path, api: tuple[str, int]) -> ThreadingHTTPServer:
    handler = type(
        "ConfiguredWebHandler",
        (WebHandler,),
        {"root": root, "api": api, "headers_to_add": security_headers()},
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_class = type(
        "WebServer", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True}
    )
    return server_class((host, port), handler)


def run_fallback(args: argparse.Namespace) -> int:
    if not (args.root / "index.html").is_file():
        raise SystemExit(f"web_local: {args.root} has no index.html; build it first (drop --no-build)")
    server = make_server(args.host, args.port, args.root, (args.api_host, args.api_port))
    log(
        f"fallback Python server (nginx not used) serving {args.root} on "
        f"http://{args.host}:{args.port}/ (API {args.api})"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


# ------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = settings_from(argv)
    if not args.no_build:
        build_site(args.root)
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if args.server == "nginx" and not nginx:
        raise SystemExit("web_local: nginx is not installed (make install-browser installs it)")
    if args.server == "nginx" or (args.server == "auto" and nginx):
        assert nginx
        return run_nginx(args, nginx)
    if args.check:
        log("no nginx: nothing to check")
        return 0
    if args.server == "auto":
        log("nginx is not installed: using the fallback Python server")
    return run_fallback(args)


if __name__ == "__main__":
    sys.exit(main())
