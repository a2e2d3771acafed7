"""CloudWatch metrics as Embedded Metric Format lines in the log stream: no API call, no daemon.

Counts and gauges gather in the current request's (or task's) collector as calls happen, and
one EMF line (AWS Lambda Powertools' EphemeralMetrics) is written when it ends: each metric
once per request or task, never per call. On Lambda only, where CloudWatch reads the stream.

Each metric name is a paid CloudWatch custom metric (ten are free per account), so the few that
alarms and the dashboard need are metrics, and the breakdowns (calls by endpoint class, budget
by share, errors by kind) ride on the same line as properties, which Logs Insights can chart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog
from flask import Flask, Response, request

NAMESPACE = "SpotifyDataApi"
_UNITS = {"LatencyMs": "Milliseconds", "BudgetUsedPercent": "Percent"}
_current: ContextVar[Collected | None] = ContextVar("metrics", default=None)
_stage: list[str] = []  # the stage every line is dimensioned by, once metrics are on
_STARTED = "app.metrics-started"


class Collected:
    """One request's or task's metrics, and the breakdowns written beside them."""

    __slots__ = ("details", "values")

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.details: dict[str, dict[str, Any]] = {}


def count(name: str, value: float = 1) -> None:
    """Add to a counter of the current request or task (nothing outside one)."""
    found = _current.get()
    if found is not None:
        found.values[name] = found.values.get(name, 0) + value


def gauge(name: str, value: float) -> None:
    """Set a gauge of the current request or task: its last value is the one written."""
    found = _current.get()
    if found is not None:
        found.values[name] = value


def detail(group: str, key: str, value: Any, *, add: bool = False) -> None:
    """Set (or add to) one entry of a breakdown written as a property, not a metric."""
    found = _current.get()
    if found is not None:
        entries = found.details.setdefault(group, {})
        entries[key] = entries.get(key, 0) + value if add else value


@contextmanager
def collecting() -> Iterator[None]:
    """Gather a task's metrics and write them as one line when it ends (the task builds its app
    inside, so whether metrics are on is known only then)."""
    collected = Collected()
    token = _current.set(collected)
    try:
        yield
    finally:
        _current.reset(token)
        write(collected)


def write(collected: Collected) -> None:
    """One EMF line with the collected metrics and breakdowns, dimensioned by the stage."""
    if not collected.values or not _stage:
        return
    from aws_lambda_powertools.metrics import EphemeralMetrics

    line = EphemeralMetrics(namespace=NAMESPACE)
    line.add_dimension(name="stage", value=_stage[0])
    for name, value in collected.values.items():
        line.add_metric(name=name, unit=_UNITS.get(name, "Count"), value=value)
    for group, entries in collected.details.items():
        line.add_metadata(key=group, value=entries)
    for key, value in structlog.contextvars.get_contextvars().items():
        line.add_metadata(key=key, value=value)  # request_id, or task and task_id: as every line
    line.flush_metrics()


def init_app(app: Flask) -> None:
    """Turn metrics on where CloudWatch reads the log stream (METRICS=emf), and give every
    request its line: ServerErrors and LatencyMs, and whatever it gathered."""
    on = app.config["METRICS"] == "emf"
    _stage[:] = [app.config["STAGE"]] if on else []  # the app built last decides, as in a task
    if not on:
        return
    app.before_request(_begin)
    app.after_request(_end)


def _begin() -> None:
    collected = Collected()
    request.environ[_STARTED] = (time.perf_counter(), collected, _current.set(collected))


def _end(response: Response) -> Response:
    """The request's line; LatencyMs's sample count is the request count (no extra metric)."""
    found = request.environ.pop(_STARTED, None)
    if found is None:
        return response
    started, collected, token = found
    _current.reset(token)
    collected.values["ServerErrors"] = int(response.status_code >= 500)
    collected.values["LatencyMs"] = round((time.perf_counter() - started) * 1000, 2)
    write(collected)
    return response
