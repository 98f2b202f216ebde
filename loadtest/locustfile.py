"""Load tests for the airq API (run by `make load`; never import this inside pytest).

Two user classes, picked with Locust's class arguments:
- `OriginalUser`: the original test, every user sending the same `POST /api/query` (country DE,
  a one-hour window, AQI 0-10, band Low).
- `RealisticUser`: a weighted mix: country-day readings as JSON, CSV downloads, summaries,
  countries, sensor histories, and now and then an export polled to completion; countries and
  hours are randomised so no cache answers everything.

Failures are 5xx, timeouts and broken connections. 202 (queued) and 429 (rate limited) are not
failures: each is also recorded as a zero-time pseudo-request of type `STATUS` named `202` or
`429`, so Locust's own stats (also in distributed mode) count them apart.

Options: `--load-day YYYY-MM-DD` (the day of data loaded), `--max-requests N` (stop after N
requests: the original matrix is N requests with U users).
"""

# Locust must be imported first: it monkey-patches the standard library (gevent).
from locust import FastHttpUser, between, events, task  # isort: skip

import json
import random
import threading
from typing import Any

import gevent
from locust.env import Environment
from locust.runners import MasterRunner

COUNTED_APART = (202, 429)
_state: dict[str, Any] = {"countries": ["DE"], "sensors": [], "requests": 0}
_lock = threading.Lock()


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--load-day", default="", help="UTC day with data, YYYY-MM-DD")
    parser.add_argument(
        "--max-requests", type=int, default=0, help="stop after this many requests (0: no cap)"
    )


@events.test_start.add_listener
def _discover(environment: Environment, **_: Any) -> None:
    """Learn which countries and sensors have data that day, once per process."""
    if isinstance(environment.runner, MasterRunner) or not environment.host:
        return
    import urllib.request  # patched by gevent already

    day = environment.parsed_options.load_day
    try:
        with urllib.request.urlopen(f"{environment.host}/api/countries?day={day}", timeout=10) as response:
            body = json.loads(response.read())
        countries = [c["country"] for c in body.get("data", []) if c.get("readings", 0) > 0]
        if countries:
            _state["countries"] = countries
        url = f"{environment.host}/api/readings?start={day}&end={day}&country=DE&limit=200"
        with urllib.request.urlopen(url, timeout=10) as response:
            rows = json.loads(response.read()).get("data", [])
        _state["sensors"] = sorted({row["sensor_id"] for row in rows})
    except Exception as exc:  # the run still starts: the requests themselves will show the fault
        print(f"locustfile: could not discover countries/sensors: {exc}")


@events.request.add_listener
def _count(request_type: str, **_: Any) -> None:
    if request_type == "STATUS":
        return
    cap = _environment.parsed_options.max_requests if _environment else 0
    with _lock:
        _state["requests"] += 1
        reached = cap and _state["requests"] >= cap and not _state.get("quitting")
        if reached:
            _state["quitting"] = True
    if reached and _environment and _environment.runner:
        # Not inside this listener: the stats listener has yet to record the request that reached
        # the cap. A spawned greenlet runs once this event has been handled.
        gevent.spawn(_environment.runner.quit)


_environment: Environment | None = None


@events.init.add_listener
def _keep(environment: Environment, **_: Any) -> None:
    global _environment
    _environment = environment


def _day(user: FastHttpUser) -> str:
    return user.environment.parsed_options.load_day


def _judge(user: FastHttpUser, response: Any) -> None:
    """Only 5xx and transport errors fail; 202 and 429 are recorded apart."""
    status = response.status_code
    if status in COUNTED_APART:
        user.environment.events.request.fire(
            request_type="STATUS",
            name=str(status),
            response_time=0,
            response_length=0,
            exception=None,
            context={},
        )
        response.success()
    elif status == 0 or status >= 500:
        response.failure(f"HTTP {status}: {response.error or response.text[:200]}")
    else:
        response.success()


class OriginalUser(FastHttpUser):
    """The original report's test: the same body from every user."""

    wait_time = between(0.0, 0.05)

    @task
    def query(self) -> None:
        day = _day(self)
        body = {
            "startDate": f"{day}T10:00:00",
            "endDate": f"{day}T11:00:00",
            "country": "DE",
            "minAqi": 0,
            "maxAqi": 10,
            "range": "Low",
        }
        with self.client.post(
            "/api/query", json=body, name="POST /api/query", catch_response=True
        ) as response:
            _judge(self, response)


class RealisticUser(FastHttpUser):
    wait_time = between(0.2, 1.5)

    def _get(self, url: str, name: str) -> Any:
        with self.client.get(url, name=name, catch_response=True) as response:
            _judge(self, response)
            return response

    def _window(self) -> tuple[str, str]:
        hour = random.randrange(24)
        day = _day(self)
        return f"{day}T{hour:02d}:00:00Z", f"{day}T{hour:02d}:59:59Z"

    @task(10)
    def latest_country_day_json(self) -> None:
        country = random.choice(_state["countries"])
        day = _day(self)
        self._get(
            f"/api/readings?country={country}&start={day}&end={day}&format=json", "GET /api/readings json"
        )

    @task(4)
    def csv_download(self) -> None:
        start, end = self._window()
        country = random.choice(_state["countries"])
        self._get(
            f"/api/readings?country={country}&start={start}&end={end}&format=csv", "GET /api/readings csv"
        )

    @task(3)
    def geojson(self) -> None:
        start, end = self._window()
        country = random.choice(_state["countries"])
        self._get(
            f"/api/readings?country={country}&start={start}&end={end}&format=geojson",
            "GET /api/readings geojson",
        )

    @task(4)
    def summary(self) -> None:
        day = _day(self)
        country = random.choice([*_state["countries"], ""])
        self._get(f"/api/summary?start={day}&end={day}&country={country}", "GET /api/summary")

    @task(2)
    def countries(self) -> None:
        self._get(f"/api/countries?day={_day(self)}", "GET /api/countries")

    @task(3)
    def sensor_history(self) -> None:
        if _state["sensors"]:
            sensor = random.choice(_state["sensors"])
            day = _day(self)
            self._get(f"/api/sensors/{sensor}?start={day}&end={day}", "GET /api/sensors/{id}")

    @task(1)
    def export_to_completion(self) -> None:
        start, end = self._window()
        body = {"start": start, "end": end, "country": random.choice(_state["countries"])}
        with self.client.post(
            "/api/exports", json=body, name="POST /api/exports", catch_response=True
        ) as response:
            _judge(self, response)
            if response.status_code != 202:
                return
            status_url = response.json()["status_url"]
        for _ in range(60):
            poll = self._get(status_url, "GET /api/exports/{id}")
            if poll.status_code != 200:
                return
            state = poll.json().get("status")
            if state in ("done", "failed"):
                if state == "failed":
                    self.environment.events.request.fire(
                        request_type="EXPORT", name="failed export", response_time=0, response_length=0,
                        exception=RuntimeError(poll.json().get("error")), context={},
                    )  # fmt: skip
                return
            self.wait()
