"""`make alarms` / scripts/alarms.py against a local moto server (nothing leaves 127.0.0.1).

The script runs as the deployer runs it, in a subprocess with AWS_ENDPOINT_URL pointing at moto
and dummy credentials; the tests then read back what it made with their own boto3 clients. The
expected alarms are spelled out here, from the metrics contract, not imported from the script.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
import requests
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "alarms.py"
BIN = Path(sys.executable).parent  # the venv running the tests: make uses its python
EMAIL = "owner@example.com"
ACCOUNT = "123456789012"  # moto's default account
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:spotify-data-api-prod-alarms"
PREFIX = "spotify-data-api-prod-"
DIMENSIONS = [{"Name": "stage", "Value": "prod"}]

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def clean_tables() -> None:
    """These tests use no DynamoDB: this replaces conftest's autouse fixture that starts one."""


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def endpoint(moto_endpoint: str) -> str:
    """The moto server, emptied: every test starts from an account with nothing in it."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    return moto_endpoint


def aws_env(endpoint: str, **extra: str) -> dict[str, str]:
    """The subprocess environment: no real AWS settings of the developer's, moto's endpoint."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in {"STAGE", "ALERT_EMAIL", "MAKEFLAGS"}
    }
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
        ALERT_EMAIL=EMAIL,
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v != ""}  # extra NAME="" removes NAME


def script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def make(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A make target, with the test venv as $(BIN) and its install step taken as done."""
    return subprocess.run(
        ["make", "--no-print-directory", "-o", f"{BIN}/.installed", f"BIN={BIN}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def client(endpoint: str, service: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def alarms(endpoint: str, region: str = "us-east-1") -> dict[str, dict[str, Any]]:
    found = client(endpoint, "cloudwatch", region).describe_alarms(AlarmNamePrefix=PREFIX)
    return {a["AlarmName"].removeprefix(PREFIX): a for a in found["MetricAlarms"]}


def dashboard(endpoint: str) -> dict[str, Any]:
    answer = client(endpoint, "cloudwatch").get_dashboard(DashboardName="spotify-data-api-prod")
    body: dict[str, Any] = json.loads(answer["DashboardBody"])
    return body


def topics(endpoint: str) -> list[str]:
    return [t["TopicArn"] for t in client(endpoint, "sns").list_topics()["Topics"]]


def subscriptions(endpoint: str) -> list[dict[str, Any]]:
    subs: list[dict[str, Any]] = client(endpoint, "sns").list_subscriptions_by_topic(
        TopicArn=TOPIC
    )["Subscriptions"]
    return subs


def stat(metric: str, statistic: str, period: int, query_id: str) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "SpotifyDataApi",
                "MetricName": metric,
                "Dimensions": DIMENSIONS,
            },
            "Period": period,
            "Stat": statistic,
        },
        "ReturnData": False,
    }


def expression(text: str) -> dict[str, Any]:
    return {"Id": "e1", "Expression": text, "ReturnData": True}


# What each alarm must be: its metric (name, statistic, period) or metric-math queries, then
# threshold, comparison, evaluation periods, datapoints to alarm, missing data, OK e-mail too.
SINGLE = {
    "token-expiring": (
        ("TokenDaysLeft", "Minimum", 3600),
        14, "LessThanThreshold", 1, 1, "notBreaching", True,
    ),
    "reauthorization-required": (
        ("ReauthorizationRequired", "Maximum", 300),
        1, "GreaterThanOrEqualToThreshold", 1, 1, "ignore", True,
    ),
    "archive-behind": (
        ("ArchiveLagMinutes", "Maximum", 1800),
        120, "GreaterThanThreshold", 1, 1, "breaching", True,
    ),
}  # fmt: skip
MATH = {
    "budget-early": (
        [stat("BudgetUsedPercent", "Maximum", 300, "m1"), expression("IF(HOUR(m1) < 18, m1, 0)")],
        90, "GreaterThanThreshold", 1, 1, "ignore", False,
    ),
    "server-errors": (
        [
            stat("ServerErrors", "Sum", 300, "errors"),
            stat("LatencyMs", "SampleCount", 300, "requests"),
            expression("IF(requests > 0, 100 * errors / requests, 0)"),
        ],
        5, "GreaterThanThreshold", 3, 3, "notBreaching", True,
    ),
}  # fmt: skip


def test_make_alarms_creates_every_alarm_the_topic_and_the_dashboard(endpoint: str) -> None:
    run = make(aws_env(endpoint), "alarms", "STAGE=prod")
    assert run.returncode == 0, run.stderr
    assert "scripts/alarms.py --stage 'prod'" in run.stdout
    assert "7 created, 1 subscribed; 0 unchanged." in run.stdout
    assert "#dashboards:name=spotify-data-api-prod" in run.stdout

    found = alarms(endpoint)
    assert sorted(found) == sorted([*SINGLE, *MATH])
    for name, (metric, *_) in SINGLE.items():
        alarm = found[name]
        assert (alarm["Namespace"], alarm["MetricName"]) == ("SpotifyDataApi", metric[0]), name
        assert alarm["Dimensions"] == DIMENSIONS, name
        assert (alarm["Statistic"], alarm["Period"]) == (metric[1], metric[2]), name
        assert not alarm.get("Metrics"), name
    for name, (queries, *_) in MATH.items():
        alarm = found[name]
        assert "MetricName" not in alarm and "Statistic" not in alarm, name
        keys = ("Id", "MetricStat", "Expression", "ReturnData")
        assert [{k: q[k] for k in keys if k in q} for q in alarm["Metrics"]] == queries, name
    every: dict[str, tuple[Any, ...]] = {**SINGLE, **MATH}
    for name, (_, threshold, comparison, periods, datapoints, missing, ok) in every.items():
        alarm = found[name]
        assert alarm["Threshold"] == threshold, name
        assert alarm["ComparisonOperator"] == comparison, name
        assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (periods, datapoints)
        assert alarm["TreatMissingData"] == missing, name
        assert alarm["ActionsEnabled"] is True, name
        assert alarm["AlarmActions"] == [TOPIC], name
        assert alarm["OKActions"] == ([TOPIC] if ok else []), name
        assert alarm["AlarmDescription"], name  # the one-line why

    assert topics(endpoint) == [TOPIC]
    subs = subscriptions(endpoint)
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("email", EMAIL)]


def test_the_dashboard_shows_calls_budget_cache_latency_errors_token_and_archive(
    endpoint: str,
) -> None:
    assert script(aws_env(endpoint), "--stage", "prod").returncode == 0
    widgets = dashboard(endpoint)["widgets"]

    alarm_widget = next(w for w in widgets if w["type"] == "alarm")
    assert alarm_widget["properties"]["alarms"] == [
        f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{PREFIX}{name}"
        for name in ("token-expiring", "reauthorization-required", "budget-early")
        + ("server-errors", "archive-behind")
    ]
    graphs = {w["properties"]["title"]: w["properties"] for w in widgets if w["type"] == "metric"}

    def metrics(title: str) -> dict[str, list[str]]:
        """metric name -> its statistics in the graph (the widget's own stat by default)."""
        found: dict[str, list[str]] = {}
        for row in graphs[title]["metrics"]:
            if "expression" in row[0]:
                continue
            namespace, name, dimension, value, options = row
            assert (namespace, dimension, value) == ("SpotifyDataApi", "stage", "prod")
            found.setdefault(name, []).append(options.get("stat", graphs[title]["stat"]))
        return found

    def expressions(title: str) -> list[str]:
        return [row[0]["expression"] for row in graphs[title]["metrics"] if "expression" in row[0]]

    assert metrics("Spotify calls vs budget") == {
        "SpotifyCalls": ["Sum"],
        "BudgetUsedPercent": ["Maximum"],
    }
    assert set(metrics("Cache hit ratio")) == {"CacheHits", "CacheStale", "CacheMisses"}
    cache = " ".join(expressions("Cache hit ratio"))
    assert "IF(total > 0, 100 * FILL(hits, 0) / total)" in cache
    assert "FILL(hits, 0) + FILL(stale, 0) + FILL(misses, 0)" in cache
    assert metrics("Latency") == {"LatencyMs": ["p50", "p99"]}
    assert metrics("Errors") == {
        "ServerErrors": ["Sum"],
        "UpstreamErrors": ["Sum"],
        "BreakerOpenings": ["Sum"],
    }
    assert metrics("Token days left") == {"TokenDaysLeft": ["Minimum"]}
    assert metrics("Archive lag") == {"ArchiveLagMinutes": ["Maximum"], "ArchiveGaps": ["Sum"]}
    assert {g["region"] for g in graphs.values()} == {"us-east-1"}


def test_a_second_run_changes_nothing(endpoint: str) -> None:
    env = aws_env(endpoint)
    assert script(env, "--stage", "prod").returncode == 0
    before = (alarms(endpoint), dashboard(endpoint), subscriptions(endpoint), topics(endpoint))

    again = script(env, "--stage", "prod")

    assert again.returncode == 0, again.stderr
    outcomes = [line.split()[-1] for line in again.stdout.splitlines() if line.startswith("  ")]
    assert outcomes == ["unchanged"] * 8, again.stdout
    assert "Nothing changed." in again.stdout
    after = (alarms(endpoint), dashboard(endpoint), subscriptions(endpoint), topics(endpoint))
    assert after == before  # timestamps and states included: nothing was put again
    assert len(after[2]) == 1  # the e-mail is not subscribed twice


def test_a_drifted_alarm_or_dashboard_is_put_back(endpoint: str) -> None:
    env = aws_env(endpoint)
    assert script(env, "--stage", "prod").returncode == 0
    cloudwatch = client(endpoint, "cloudwatch")
    token = alarms(endpoint)["token-expiring"]
    changed = {
        k: token[k]
        for k in ("AlarmName", "AlarmDescription", "AlarmActions", "OKActions", "MetricName")
        + ("Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods")
        + ("ComparisonOperator", "TreatMissingData")
    }
    cloudwatch.put_metric_alarm(**changed, Threshold=3.0)  # someone edited it in the console
    errors = alarms(endpoint)["server-errors"]
    metrics = [dict(q) for q in errors["Metrics"]]
    metrics[-1]["Expression"] = "100 * errors / requests"
    cloudwatch.put_metric_alarm(
        **{k: errors[k] for k in ("AlarmName", "EvaluationPeriods", "ComparisonOperator")},
        Threshold=errors["Threshold"],
        Metrics=metrics,
    )
    cloudwatch.put_dashboard(DashboardName="spotify-data-api-prod", DashboardBody='{"widgets": []}')

    run = script(env, "--stage", "prod")

    assert run.returncode == 0, run.stderr
    updated = [line.split()[1] for line in run.stdout.splitlines() if line.endswith(" updated")]
    assert updated == [f"{PREFIX}token-expiring", f"{PREFIX}server-errors", "spotify-data-api-prod"]
    found = alarms(endpoint)
    assert found["token-expiring"]["Threshold"] == 14
    assert (
        found["server-errors"]["Metrics"][-1]["Expression"]
        == MATH["server-errors"][0][-1]["Expression"]
    )
    assert found["server-errors"]["AlarmActions"] == [TOPIC]
    assert len(dashboard(endpoint)["widgets"]) == 7
    assert script(env, "--stage", "prod").stdout.count(" updated") == 0


def test_missing_alert_email_fails_with_one_clear_line_and_creates_nothing(endpoint: str) -> None:
    run = script(aws_env(endpoint, ALERT_EMAIL=""), "--stage", "prod")

    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("alarms: ALERT_EMAIL is not set")
    assert "make alarms STAGE=prod ALERT_EMAIL=you@example.com" in run.stderr
    assert alarms(endpoint) == {} and topics(endpoint) == []

    bad = script(aws_env(endpoint, ALERT_EMAIL="owner at example.com"), "--stage", "prod")
    assert bad.returncode == 2 and "is not an e-mail address" in bad.stderr


def test_an_unknown_or_local_stage_is_refused(endpoint: str) -> None:
    env = aws_env(endpoint)
    run = script(env, "--stage", "staging")
    assert run.returncode == 2
    assert run.stderr == "alarms: unknown stage 'staging': zappa_settings.json has dev, prod\n"

    for args in ([], ["STAGE=local"]):
        refused = make(env, "alarms", *args)
        assert refused.returncode == 2, refused.stdout
        assert "make alarms: STAGE must name a deployed stage (local is not one)" in refused.stderr
        assert "alarms.py" not in refused.stdout
    assert alarms(endpoint) == {} and topics(endpoint) == []


def test_make_alarms_delete_removes_everything_and_a_second_delete_is_harmless(
    endpoint: str,
) -> None:
    assert script(aws_env(endpoint), "--stage", "prod").returncode == 0
    assert script(aws_env(endpoint), "--stage", "dev").returncode == 0  # another stage's stay
    env = aws_env(endpoint, ALERT_EMAIL="")  # deleting needs no e-mail address

    run = make(env, "alarms-delete", "STAGE=prod")

    assert run.returncode == 0, run.stderr
    assert "scripts/alarms.py --stage 'prod' --delete" in run.stdout
    assert "7 deleted; 0 unchanged." in run.stdout
    assert alarms(endpoint) == {}
    assert topics(endpoint) == [TOPIC.replace("-prod-", "-dev-")]
    names = client(endpoint, "cloudwatch").list_dashboards()["DashboardEntries"]
    assert [d["DashboardName"] for d in names] == ["spotify-data-api-dev"]
    dev = client(endpoint, "cloudwatch").describe_alarms(AlarmNamePrefix="spotify-data-api-dev-")
    assert len(dev["MetricAlarms"]) == 5

    again = make(env, "alarms-delete", "STAGE=prod")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(" absent") == 7 and "Nothing changed." in again.stdout


def test_the_region_is_the_stages_unless_the_environment_names_one(endpoint: str) -> None:
    alarms_module = load_script()
    assert alarms_module.load_stage("prod", {}).region == "us-east-1"  # aws_region, via extends
    assert alarms_module.load_stage("prod", {"AWS_DEFAULT_REGION": "eu-west-1"}).region == (
        "eu-west-1"
    )
    assert alarms_module.load_stage("dev", {}).dimension == "dev"

    run = script(aws_env(endpoint, AWS_REGION="eu-west-1"), "--stage", "prod")

    assert run.returncode == 0, run.stderr
    assert "in eu-west-1" in run.stdout and "region=eu-west-1" in run.stdout
    assert alarms(endpoint) == {}
    placed = alarms(endpoint, "eu-west-1")
    assert len(placed) == 5
    assert {a["AlarmActions"][0] for a in placed.values()} == {
        TOPIC.replace("us-east-1", "eu-west-1")
    }


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("alarms_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
