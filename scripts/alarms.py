"""CloudWatch alarms, an SNS topic that e-mails the owner, and a dashboard for one Zappa stage.

    ALERT_EMAIL=you@example.com python scripts/alarms.py --stage prod   # create or update
    python scripts/alarms.py --stage prod --delete                      # remove them again

`make alarms STAGE=prod` and `make alarms-delete STAGE=prod` run this. The deployer runs it with
their own AWS credentials (the default chain: AWS_PROFILE, the environment, SSO, ...); the
Lambda role gets no new rights. The region is the stage's `aws_region` in zappa_settings.json
unless AWS_REGION or AWS_DEFAULT_REGION is set; AWS_ENDPOINT_URL points every call elsewhere
(the tests use a local moto server).

It is idempotent: each run compares what exists with what is wanted (describe_alarms,
get_dashboard, list_subscriptions_by_topic), writes only what differs, and prints one line per
resource: created, updated, unchanged (or deleted, absent). The metrics are the ones the app
writes in CloudWatch's embedded metric format: namespace `SpotifyDataApi`, one dimension `stage`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "zappa_settings.json"
PROJECT = "spotify-data-api"
NAMESPACE = "SpotifyDataApi"
DEFAULT_REGION = "us-east-1"  # what docs/deploy.md says when a stage names no aws_region

MINUTE = 60
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class Alarm:
    """One alarm. `metrics` maps a metric-math id to (metric name, statistic); with one metric
    and no `expression` the alarm watches that metric directly, else `expression` over the ids."""

    name: str  # spotify-data-api-<stage>-<name>
    why: str  # one line: what it tells the owner; also the alarm's description
    metrics: dict[str, tuple[str, str]]
    period: int  # seconds per datapoint
    comparison: str
    threshold: float
    evaluation_periods: int = 1  # datapoints looked at ...
    datapoints_to_alarm: int = 1  # ... and how many of them must breach
    expression: str | None = None
    missing_data: str = "notBreaching"
    notify_ok: bool = True  # also e-mail when it clears


# Every alarm the stage gets, its threshold and why. Missing data counts as fine, except where
# noted: a metric written only every 45 minutes (by the token refresh) or only as requests come
# in leaves many 5-minute periods empty, and "ignore" holds such an alarm's state until the next
# value instead of clearing it and e-mailing again at each new value.
ALARMS: tuple[Alarm, ...] = (
    Alarm(
        name="token-expiring",
        why="The Spotify refresh token reaches its six-month limit within 14 days: log in again.",
        metrics={"m1": ("TokenDaysLeft", "Minimum")},
        period=HOUR,
        comparison="LessThanThreshold",
        threshold=14,
    ),
    Alarm(
        name="reauthorization-required",
        why="Spotify refused the token (revoked or expired): the owner must log in again.",
        metrics={"m1": ("ReauthorizationRequired", "Maximum")},
        period=5 * MINUTE,
        comparison="GreaterThanOrEqualToThreshold",
        threshold=1,
        missing_data="ignore",  # written every 45 min: hold the state until the next run says 0
    ),
    Alarm(
        name="budget-early",
        why="Over 90 % of the day's Spotify budget used before 18:00 UTC: answers go stale soon.",
        metrics={"m1": ("BudgetUsedPercent", "Maximum")},
        expression="IF(HOUR(m1) < 18, m1, 0)",
        period=5 * MINUTE,
        comparison="GreaterThanThreshold",
        threshold=90,
        missing_data="ignore",  # one e-mail a day, not one per burst of requests
        notify_ok=False,  # it clears at 18:00 or midnight UTC by the clock: no all-clear then
    ),
    Alarm(
        name="server-errors",
        why="Over 5 % of requests answered 5xx for 15 minutes: visitors see errors.",
        # LatencyMs is written once per request: its sample count is the request count.
        metrics={"errors": ("ServerErrors", "Sum"), "requests": ("LatencyMs", "SampleCount")},
        expression="IF(requests > 0, 100 * errors / requests, 0)",
        period=5 * MINUTE,
        comparison="GreaterThanThreshold",
        threshold=5,
        evaluation_periods=3,
        datapoints_to_alarm=3,
    ),
    Alarm(
        name="archive-behind",
        why="The newest archived play is over 2 hours old, or the archive task stopped reporting.",
        metrics={"m1": ("ArchiveLagMinutes", "Maximum")},
        period=30 * MINUTE,
        comparison="GreaterThanThreshold",
        threshold=120,
        missing_data="breaching",  # no datapoint means the task itself has stopped
    ),
)


class Fatal(Exception):
    """A one-line reason to stop, printed without a traceback."""


@dataclass
class Stage:
    name: str  # the Zappa stage
    region: str
    dimension: str  # the app's STAGE there: the value of every metric's `stage` dimension
    report: list[tuple[str, str, str]] = field(default_factory=list)

    def prefix(self) -> str:
        return f"{PROJECT}-{self.name}"

    def note(self, kind: str, name: str, outcome: str) -> None:
        self.report.append((kind, name, outcome))
        print(f"  {kind:<10} {name:<48} {outcome}", flush=True)


def load_stage(name: str, environ: Mapping[str, str]) -> Stage:
    """The stage's region and STAGE from zappa_settings.json (following `extends`)."""
    settings = json.loads(SETTINGS.read_text(encoding="utf-8"))
    if name not in settings:
        known = ", ".join(sorted(settings))
        raise Fatal(f"unknown stage {name!r}: zappa_settings.json has {known}")
    merged: dict[str, Any] = {}
    chain, current = [], name
    while current and current not in chain:
        chain.append(current)
        current = settings.get(current, {}).get("extends")
    for stage_name in reversed(chain):  # Zappa's `extends`: the child's keys replace the parent's
        merged.update(settings.get(stage_name, {}))
    region = (
        environ.get("AWS_REGION")
        or environ.get("AWS_DEFAULT_REGION")
        or merged.get("aws_region")
        or DEFAULT_REGION
    )
    dimension = (merged.get("environment_variables") or {}).get("STAGE") or name
    return Stage(name=name, region=region, dimension=dimension)


# --- what is wanted ---------------------------------------------------------------------------


def _metric(stage: Stage, metric_name: str) -> dict[str, Any]:
    return {
        "Namespace": NAMESPACE,
        "MetricName": metric_name,
        "Dimensions": [{"Name": "stage", "Value": stage.dimension}],
    }


def alarm_request(stage: Stage, alarm: Alarm, topic_arn: str) -> dict[str, Any]:
    """The put_metric_alarm arguments for one alarm."""
    request: dict[str, Any] = {
        "AlarmName": f"{stage.prefix()}-{alarm.name}",
        "AlarmDescription": alarm.why,
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn],
        "OKActions": [topic_arn] if alarm.notify_ok else [],
        "InsufficientDataActions": [],
        "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.datapoints_to_alarm,
        "Threshold": float(alarm.threshold),
        "ComparisonOperator": alarm.comparison,
        "TreatMissingData": alarm.missing_data,
    }
    if alarm.expression is None:
        ((metric_name, statistic),) = alarm.metrics.values()
        request.update(_metric(stage, metric_name))
        request.update(Statistic=statistic, Period=alarm.period)
        return request
    queries: list[dict[str, Any]] = [
        {
            "Id": query_id,
            "MetricStat": {
                "Metric": _metric(stage, metric_name),
                "Period": alarm.period,
                "Stat": statistic,
            },
            "ReturnData": False,
        }
        for query_id, (metric_name, statistic) in alarm.metrics.items()
    ]
    queries.append(
        {"Id": "e1", "Expression": alarm.expression, "Label": alarm.name, "ReturnData": True}
    )
    request["Metrics"] = queries
    return request


def _graph(
    stage: Stage,
    title: str,
    metrics: list[list[Any]],
    *,
    period: int = 5 * MINUTE,
    stat: str = "Sum",
    line: float | None = None,
    y_label: str = "",
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": title,
        "view": "timeSeries",
        "region": stage.region,
        "period": period,
        "stat": stat,
        "metrics": metrics,
    }
    if y_label:
        properties["yAxis"] = {"left": {"label": y_label, "min": 0}}
    if line is not None:
        properties["annotations"] = {"horizontal": [{"label": "alarm", "value": line}]}
    return {"type": "metric", "properties": properties}


CACHE_TOTAL = "FILL(hits, 0) + FILL(stale, 0) + FILL(misses, 0)"
CACHE_RATIO = "IF(total > 0, 100 * FILL(hits, 0) / total)"


def dashboard_body(stage: Stage, alarm_arns: Sequence[str]) -> dict[str, Any]:
    """The dashboard: alarm states on top, then six graphs, two to a row."""

    def m(metric_name: str, **options: Any) -> list[Any]:
        return [NAMESPACE, metric_name, "stage", stage.dimension, options]

    graphs = [
        _graph(
            stage,
            "Spotify calls vs budget",
            [
                m("SpotifyCalls", label="Spotify calls (per 5 min)"),
                m("BudgetUsedPercent", stat="Maximum", label="Budget used today %", yAxis="right"),
            ],
        ),
        _graph(
            stage,
            "Cache hit ratio",
            [
                [{"expression": CACHE_TOTAL, "id": "total", "visible": False}],
                [{"expression": CACHE_RATIO, "id": "ratio", "label": "Cache hits %"}],
                m("CacheHits", id="hits", visible=False),
                m("CacheStale", id="stale", visible=False),
                m("CacheMisses", id="misses", visible=False),
            ],
            y_label="%",
        ),
        _graph(
            stage,
            "Latency",
            [m("LatencyMs", stat="p50", label="p50"), m("LatencyMs", stat="p99", label="p99")],
            y_label="ms",
        ),
        _graph(
            stage,
            "Errors",
            [
                m("ServerErrors", label="5xx answers"),
                m("UpstreamErrors", label="Upstream errors"),
                m("BreakerOpenings", label="Breaker openings"),
            ],
        ),
        _graph(
            stage,
            "Token days left",
            [m("TokenDaysLeft", label="Days until the owner must log in again")],
            period=HOUR,
            stat="Minimum",
            line=14,
            y_label="days",
        ),
        _graph(
            stage,
            "Archive lag",
            [
                m("ArchiveLagMinutes", label="Minutes since the newest archived play"),
                m("ArchiveGaps", stat="Sum", label="Gaps recorded", yAxis="right"),
            ],
            period=30 * MINUTE,
            stat="Maximum",
            line=120,
        ),
    ]
    widgets: list[dict[str, Any]] = [
        {
            "type": "alarm",
            "x": 0,
            "y": 0,
            "width": 24,
            "height": 3,
            "properties": {"title": "Alarms", "alarms": list(alarm_arns)},
        }
    ]
    for index, graph in enumerate(graphs):
        graph.update(x=12 * (index % 2), y=3 + 6 * (index // 2), width=12, height=6)
        widgets.append(graph)
    return {"widgets": widgets}


# --- comparing --------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value is False or value == [] or value == {}


def matches(wanted: Any, existing: Any) -> bool:
    """True when `existing` holds everything `wanted` sets. AWS adds fields of its own (ARNs,
    state, timestamps) and leaves out empty ones, so a wanted empty value matches a missing one."""
    if isinstance(wanted, dict):
        if not isinstance(existing, dict):
            return _empty(existing) and all(_empty(v) for v in wanted.values())
        return all(
            matches(value, existing[key]) if key in existing else _empty(value)
            for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        if existing is None:
            return wanted == []
        return (
            isinstance(existing, list)
            and len(wanted) == len(existing)
            and all(matches(w, e) for w, e in zip(wanted, existing, strict=True))
        )
    if isinstance(wanted, bool) or isinstance(existing, bool):
        return wanted is existing or (_empty(wanted) and existing is None)
    if isinstance(wanted, int | float) and isinstance(existing, int | float):
        return float(wanted) == float(existing)
    return bool(wanted == existing)


# --- AWS --------------------------------------------------------------------------------------


class Aws:
    def __init__(self, region: str) -> None:
        import boto3  # type: ignore[import-untyped]  # no stubs for boto3 here

        session = boto3.session.Session(region_name=region)
        self.cloudwatch: Any = session.client("cloudwatch")
        self.sns: Any = session.client("sns")
        identity = session.client("sts").get_caller_identity()  # needs no permission
        self.account: str = identity["Account"]
        self.partition: str = identity["Arn"].split(":")[1]
        self.region = region

    @staticmethod
    def code(error: Exception) -> str:
        response = getattr(error, "response", None) or {}
        return str(response.get("Error", {}).get("Code", ""))

    def topic_arn(self, name: str) -> str:
        return f"arn:{self.partition}:sns:{self.region}:{self.account}:{name}"

    def alarm_arn(self, name: str) -> str:
        return f"arn:{self.partition}:cloudwatch:{self.region}:{self.account}:alarm:{name}"

    def subscriptions(self, topic_arn: str) -> list[dict[str, Any]] | None:
        """The topic's subscriptions, or None when there is no such topic."""
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TopicArn": topic_arn}
        while True:
            try:
                page = self.sns.list_subscriptions_by_topic(**request)
            except Exception as error:
                if self.code(error) in {"NotFound", "NotFoundException"}:
                    return None
                raise
            found.extend(page.get("Subscriptions", []))
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]

    def alarms(self, names: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {"AlarmNames": list(names), "AlarmTypes": ["MetricAlarm"]}
        while True:
            page = self.cloudwatch.describe_alarms(**request)
            found.update({a["AlarmName"]: a for a in page.get("MetricAlarms", [])})
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]

    def dashboard(self, name: str) -> dict[str, Any] | None:
        try:
            body = self.cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"]
        except Exception as error:
            if self.code(error) in {"ResourceNotFound", "DashboardNotFoundError"}:
                return None
            raise
        parsed: dict[str, Any] = json.loads(body)
        return parsed


def topic_name(stage: Stage) -> str:
    return f"{stage.prefix()}-alarms"


def dashboard_name(stage: Stage) -> str:
    return stage.prefix()


def apply(stage: Stage, aws: Aws, email: str) -> None:
    topic = topic_name(stage)
    topic_arn = aws.topic_arn(topic)
    subscriptions = aws.subscriptions(topic_arn)
    if subscriptions is None:
        topic_arn = aws.sns.create_topic(Name=topic)["TopicArn"]
        subscriptions = []
        stage.note("topic", topic, "created")
    else:
        stage.note("topic", topic, "unchanged")

    emails = [s for s in subscriptions if s.get("Protocol") == "email"]
    if any(s.get("Endpoint", "").lower() == email.lower() for s in emails):
        stage.note("e-mail", email, "unchanged")
    else:
        aws.sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=email)
        stage.note("e-mail", email, "subscribed: click the link in AWS's confirmation e-mail")
    for other in emails:
        if other.get("Endpoint", "").lower() != email.lower():
            stage.note(
                "e-mail",
                other.get("Endpoint", "?"),
                "kept: not ALERT_EMAIL (unsubscribe it in the SNS console)",
            )

    wanted = [alarm_request(stage, alarm, topic_arn) for alarm in ALARMS]
    existing = aws.alarms([request["AlarmName"] for request in wanted])
    for request in wanted:
        name = request["AlarmName"]
        current = existing.get(name)
        if current is not None and matches(request, current):
            stage.note("alarm", name, "unchanged")
            continue
        aws.cloudwatch.put_metric_alarm(**request)
        stage.note("alarm", name, "created" if current is None else "updated")

    name = dashboard_name(stage)
    body = dashboard_body(stage, [aws.alarm_arn(request["AlarmName"]) for request in wanted])
    current_body = aws.dashboard(name)
    if current_body == body:
        stage.note("dashboard", name, "unchanged")
    else:
        answer = aws.cloudwatch.put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))
        stage.note("dashboard", name, "created" if current_body is None else "updated")
        for message in answer.get("DashboardValidationMessages") or []:
            print(f"  warning    {message.get('DataPath', '')}: {message.get('Message', '')}")


def delete(stage: Stage, aws: Aws) -> None:
    names = [f"{stage.prefix()}-{alarm.name}" for alarm in ALARMS]
    existing = aws.alarms(names)
    if existing:
        aws.cloudwatch.delete_alarms(AlarmNames=sorted(existing))
    for name in names:
        stage.note("alarm", name, "deleted" if name in existing else "absent")

    name = dashboard_name(stage)
    if aws.dashboard(name) is None:
        stage.note("dashboard", name, "absent")
    else:
        aws.cloudwatch.delete_dashboards(DashboardNames=[name])
        stage.note("dashboard", name, "deleted")

    topic = topic_name(stage)
    topic_arn = aws.topic_arn(topic)
    if aws.subscriptions(topic_arn) is None:
        stage.note("topic", topic, "absent")
    else:
        aws.sns.delete_topic(TopicArn=topic_arn)  # its subscriptions go with it
        stage.note("topic", topic, "deleted")


CHANGES = ("created", "subscribed", "updated", "deleted")


def summary(stage: Stage) -> str:
    """One closing line: how many of each change, or that nothing changed."""
    words = [outcome.split(":")[0].split(" ")[0] for _, _, outcome in stage.report]
    changes = [f"{words.count(word)} {word}" for word in CHANGES if word in words]
    if not changes:
        return "Nothing changed."
    return ", ".join(changes) + f"; {words.count('unchanged')} unchanged."


def console_url(stage: Stage) -> str:
    region = stage.region
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#dashboards:name={dashboard_name(stage)}"
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(
        description="Create or update (or --delete) the stage's CloudWatch alarms, their SNS "
        "topic with the ALERT_EMAIL subscription, and its dashboard."
    )
    parser.add_argument("--stage", required=True, help="a stage in zappa_settings.json")
    parser.add_argument("--delete", action="store_true", help="remove alarms, dashboard, topic")
    args = parser.parse_args(argv)
    try:
        stage = load_stage(args.stage, environ)
        email = environ.get("ALERT_EMAIL", "").strip()
        if not args.delete:
            if not email:
                raise Fatal(
                    "ALERT_EMAIL is not set: give the address the alarms e-mail, e.g. "
                    f"make alarms STAGE={stage.name} ALERT_EMAIL=you@example.com"
                )
            if "@" not in email or any(c.isspace() for c in email):
                raise Fatal(f"ALERT_EMAIL={email!r} is not an e-mail address")
        aws = Aws(stage.region)
        action = "deleting" if args.delete else "alarms for"
        print(f"{action} stage {stage.name} in {stage.region} (account {aws.account})")
        if args.delete:
            delete(stage, aws)
        else:
            apply(stage, aws, email)
    except Fatal as error:
        print(f"alarms: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # credentials, permissions, throttling: one line, no traceback
        if type(error).__module__.split(".")[0] not in {"botocore", "boto3"}:
            raise
        print(f"alarms: AWS call failed: {error}", file=sys.stderr)
        return 1
    print(summary(stage))
    if not args.delete:
        print(f"Dashboard: {console_url(stage)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
