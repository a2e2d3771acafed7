"""zappa_settings.json and the IAM policies: stages, schedules, no secrets, least privilege."""

from __future__ import annotations

import json

import pytest

from tests.lambda_package import ROOT, scheduled_event, stage_config

STAGES = ("dev", "prod")
SECRETS = ("SECRET_KEY", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_OWNER_ID")


def _policy(path: str) -> dict:
    return json.loads((ROOT / path).read_text())


def _statements(stage: str) -> list[dict]:
    return _policy(stage_config(stage)["attach_policy"])["Statement"]


def _stage_tables(stage: str) -> list[str]:
    [tables] = [s["Resource"] for s in _statements(stage) if s["Sid"] == "StageTables"]
    return tables


def test_prod_extends_dev_and_differs_only_where_it_must() -> None:
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    assert set(settings) == set(STAGES) and settings["prod"]["extends"] == "dev"
    required = {"extends", "attach_policy", "remote_env", "environment_variables"}
    # README "Custom domain"
    custom_domain = {"domain", "certificate_arn", "base_path", "route53_enabled"}
    assert required <= set(settings["prod"]) <= required | custom_domain


@pytest.mark.parametrize("stage", STAGES)
def test_stage_settings(stage: str) -> None:
    config = stage_config(stage)
    assert config["app_function"] == "wsgi.app" and config["runtime"] == "python3.12"
    assert config["keep_warm"] is True and config["keep_warm_expression"].startswith("rate(")
    assert config["async_source"] == "lambda" and config["slim_handler"] is False
    assert config["debug"] is False and config["log_level"] == "INFO"
    assert config["use_precompiled_packages"] is False  # packaging must not download wheels
    assert {"boto3", "botocore", "tests", "bench", ".venv", "node_modules", ".env"} <= set(
        config["exclude"]
    )
    env = config["environment_variables"]
    assert env["STAGE"] == stage and env["TABLE_PREFIX"] == f"spotify-api-{stage}"
    assert not set(env) & set(SECRETS), "secrets belong in remote_env, never in git"
    assert config["remote_env"].endswith(f"/secrets/{stage}.json")


def test_prod_logs_at_info() -> None:
    assert stage_config("prod")["environment_variables"]["LOG_LEVEL"] == "INFO"


@pytest.mark.parametrize("stage", STAGES)
def test_scheduled_functions_exist_and_route_by_rule_name(stage: str) -> None:
    import importlib

    config = stage_config(stage)
    events = [
        *config["events"],
        {"function": "handler.keep_warm_callback", "name": "zappa-keep-warm"},
    ]
    for event in events:
        rule = scheduled_event(event["function"], stage, event.get("name"))["resources"][0]
        name = rule.split("/")[-1]
        assert len(name) <= 64 and name.split("-")[-1] == event["function"]
        if not event["function"].startswith("handler."):
            module, function = event["function"].rsplit(".", 1)
            assert callable(getattr(importlib.import_module(module), function))


@pytest.mark.parametrize("stage", STAGES)
def test_policy_is_least_privilege_for_its_stage(stage: str) -> None:
    statements = _statements(stage)
    assert _policy(stage_config(stage)["attach_policy"])["Version"] == "2012-10-17"
    function = f"spotify-data-api-{stage}"
    other = next(s for s in STAGES if s != stage)
    # X-Ray's two write actions take no resource (AWS documents "*"): exactly those, nothing more.
    [tracing] = [s for s in statements if s["Sid"] == "Tracing"]
    assert tracing["Action"] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    assert tracing["Resource"] == ["*"] and stage_config(stage)["xray_tracing"] is True
    for statement in statements:
        if statement is tracing:
            continue
        assert statement["Effect"] == "Allow" and statement["Sid"].isalnum()
        for action in statement["Action"]:
            assert "*" not in action, action
            assert action.split(":")[0] in {"dynamodb", "lambda", "logs", "s3"}, action
        for resource in statement["Resource"]:
            assert resource != "*" and other not in resource.replace(stage, ""), resource
            assert (
                f"spotify-api-{stage}-" in resource
                or function in resource
                or (resource.endswith(f"/secrets/{stage}.json"))
            ), resource


@pytest.mark.parametrize("stage", STAGES)
def test_policy_grants_what_the_service_uses_and_nothing_destructive(stage: str) -> None:
    actions = {a: s["Resource"] for s in _statements(stage) for a in s["Action"]}
    for needed in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"):
        assert actions[f"dynamodb:{needed}"] == _stage_tables(stage)
    for needed in ("BatchWriteItem", "DescribeTable", "CreateTable", "UpdateTimeToLive"):
        assert f"dynamodb:{needed}" in actions
    assert (
        f"arn:aws:lambda:*:*:function:spotify-data-api-{stage}" in actions["lambda:InvokeFunction"]
    )
    assert "logs:PutLogEvents" in actions
    bucket_key = stage_config(stage)["remote_env"].removeprefix("s3://")
    assert actions["s3:GetObject"] == [f"arn:aws:s3:::{bucket_key}"]
    assert not {"dynamodb:DeleteTable", "iam:PassRole", "s3:PutObject"} & set(actions)


def test_role_trusts_lambda_and_api_gateway_only() -> None:
    # Zappa's REST API integration invokes the function with this role's credentials.
    trust = _policy(stage_config("dev")["assume_policy"])["Statement"]
    assert [s["Principal"]["Service"] for s in trust] == [
        ["apigateway.amazonaws.com", "lambda.amazonaws.com"]
    ]
    assert stage_config("dev")["manage_roles"] is True


@pytest.mark.parametrize("stage", STAGES)
def test_policy_tables_are_exactly_the_models_tables(stage: str) -> None:
    from app.models import MODELS

    names = [model.Meta.table_suffix for model in MODELS]
    expected = [f"arn:aws:dynamodb:*:*:table/spotify-api-{stage}-{name}" for name in names]
    assert sorted(_stage_tables(stage)) == sorted(expected), "a model's table is missing or extra"


def test_schedules_refresh_the_token_and_resume_waiting_builds() -> None:
    events = {e["function"]: e["expression"] for e in stage_config("dev")["events"]}
    assert events == {
        "app.tasks.refresh_token": "rate(45 minutes)",
        "app.tasks.resume_builds": "rate(15 minutes)",
        "app.tasks.archive_plays": "rate(30 minutes)",
    }
    assert stage_config("prod")["events"] == stage_config("dev")["events"]


@pytest.mark.parametrize("stage", STAGES)
def test_a_build_run_ends_before_the_lambda_timeout(stage: str) -> None:
    from app.config import Config

    config = stage_config(stage)
    settings = Config(config["environment_variables"])
    # A run checks its time before each call, so it overruns its slice by about one call at most.
    longest_run = settings.BUILD_SLICE_SECONDS + settings.FEATURES_TIMEOUT
    assert longest_run + 5 <= config["timeout_seconds"]
