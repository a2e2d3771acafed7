"""The factory, the one error shape, the OpenAPI document and the request log."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from app import config as settings
from app import create_app
from app.config import Config, ConfigError


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert error["request_id"] == response.headers["X-Request-Id"]
    return error


def test_factory_honours_test_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret-key"
    assert app.config["TABLE_PREFIX"] == "spotify-api-test"
    assert app.config["SAMPLE"] is True


def test_production_config_fails_fast_without_secrets():
    with pytest.raises(ConfigError) as info:
        create_app(Config)
    message = str(info.value)
    for name in ("SECRET_KEY", "SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_OWNER_ID"):
        assert name in message


def test_partial_spotify_credentials_fail_even_in_tests(monkeypatch):
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "abc")
    with pytest.raises(ConfigError, match="SPOTIFY_CLIENT_SECRET, SPOTIFY_OWNER_ID"):
        create_app(settings.TestingConfig)


def test_explicit_sample_mode_starts_in_production(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("SAMPLE_MODE", "1")
    assert create_app(Config).config["SAMPLE"] is True


def test_malformed_number_is_a_clear_config_error(monkeypatch):
    monkeypatch.setenv("SPOTIFY_DAILY_BUDGET", "lots")
    with pytest.raises(ConfigError, match="SPOTIFY_DAILY_BUDGET must be an integer"):
        create_app(settings.TestingConfig)


def test_health_is_json(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unknown_route_is_json_404(client):
    assert_error_shape(client.get("/nope"), 404, "not_found")


def test_wrong_method_is_json_405(client):
    response = client.post("/health")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_unhandled_exception_is_json_500_without_exception_text(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: token=abc123")

    response = app.test_client().get("/boom")
    error = assert_error_shape(response, 500, "internal_error")
    assert "abc123" not in response.get_data(as_text=True)
    assert "internals" not in error["message"]


def test_bad_query_argument_is_json_400_naming_the_argument(app):
    import marshmallow as ma

    from app.extensions import api
    from app.routes import Blueprint
    from app.schemas import StrictSchema

    blp = Blueprint("probe", __name__)

    class Args(StrictSchema):
        limit = ma.fields.Integer(validate=ma.validate.Range(1, 50))

    @blp.route("/probe")
    @blp.arguments(Args, location="query")
    def probe(args):
        return args

    api.register_blueprint(blp)
    client = app.test_client()
    error = assert_error_shape(client.get("/probe?limit=99"), 400, "invalid_argument")
    assert "'limit'" in error["message"]
    error = assert_error_shape(client.get("/probe?limti=9"), 400, "invalid_argument")
    assert "Unknown query argument 'limti'" in error["message"]
    assert client.get("/probe?limit=5").get_json() == {"limit": 5}


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/health" in spec["paths"] and "/api/status" in spec["paths"]
    error_schema = spec["components"]["schemas"]["Error"]
    assert error_schema["required"] == ["error"]


def test_one_json_log_line_per_request(capsys, client):
    capsys.readouterr()
    response = client.get("/health", headers={"X-Request-Id": "req-123"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    access = [line for line in lines if line.get("logger") == "app.access"]
    assert len(access) == 1
    entry = access[0]
    assert entry["method"] == "GET" and entry["path"] == "/health" and entry["status"] == 200
    assert entry["request_id"] == "req-123" == response.headers["X-Request-Id"]
    assert isinstance(entry["duration_ms"], float)


def test_answers_are_checked_against_the_schema_they_document(app):
    from tests.documented import documented_schema_errors

    with app.test_request_context("/api/top/tracks"):
        good = {"time_range": "short_term", "items": [], "fetched_at": "x", "source": "spotify"}
        assert documented_schema_errors(app, 200, {**good, "stale": False}) == []
        [problem] = documented_schema_errors(app, 200, {**good, "stale": "no"})
        assert "stale" in problem and "boolean" in problem
        assert documented_schema_errors(app, 503, {"error": {"code": "x", "message": "y"}}) == []
        assert documented_schema_errors(app, 503, {"detail": "nope"})  # not the error shape
