"""Settings read explicitly from the environment, so every knob is named and typed in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping

SPOTIFY_SCOPES = "user-read-currently-playing user-read-recently-played user-top-read"


class ConfigError(RuntimeError):
    """A required setting is missing or malformed; raised at start-up, never per request."""


def _str(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip()


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _str(env, name)
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = _str(env, name)
    try:
        return float(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = _str(env, name).lower()
    return raw in {"1", "true", "yes", "on"} if raw else default


def _list(env: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in _str(env, name).split(",") if item.strip()]


class Config:
    """Production settings; every value comes from a named environment variable."""

    TESTING = False
    DEBUG = False

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.DEBUG = self.DEBUG or _bool(env, "FLASK_DEBUG")
        self.STAGE = _str(env, "STAGE", "local")
        self.SECRET_KEY = _str(env, "SECRET_KEY")
        self.LOG_LEVEL = _str(env, "LOG_LEVEL", "INFO").upper()
        self.TABLE_PREFIX = _str(env, "TABLE_PREFIX", f"spotify-api-{self.STAGE}")
        self.DYNAMODB_HOST = _str(env, "DYNAMODB_HOST")
        self.AWS_REGION = _str(env, "AWS_REGION") or _str(env, "AWS_DEFAULT_REGION", "us-east-1")
        # Short, unretried calls: a stalled DynamoDB costs a visitor at most STORAGE_DEADLINE.
        self.DYNAMODB_CONNECT_TIMEOUT = _float(env, "DYNAMODB_CONNECT_TIMEOUT", 0.5)
        self.DYNAMODB_READ_TIMEOUT = _float(env, "DYNAMODB_READ_TIMEOUT", 1.0)
        self.DYNAMODB_MAX_RETRIES = _int(env, "DYNAMODB_MAX_RETRIES", 0)
        self.DYNAMODB_BREAKER_SECONDS = _float(env, "DYNAMODB_BREAKER_SECONDS", 5.0)
        self.STORAGE_DEADLINE = _float(env, "STORAGE_DEADLINE", 2.0)
        # A local DynamoDB-compatible server takes any credentials; Lambda brings its role's.
        self.DYNAMODB_LOCAL_CREDENTIALS = bool(self.DYNAMODB_HOST) and not _str(
            env, "AWS_ACCESS_KEY_ID"
        )
        self.LAMBDA_FUNCTION_NAME = _str(env, "AWS_LAMBDA_FUNCTION_NAME")  # Lambda sets it
        self.ON_LAMBDA = bool(self.LAMBDA_FUNCTION_NAME)
        # Lambda sets the X-Ray endpoint when the function has active tracing (xray_tracing).
        self.XRAY_DAEMON_ADDRESS = _str(env, "AWS_XRAY_DAEMON_ADDRESS")
        tracing = "xray" if self.ON_LAMBDA and self.XRAY_DAEMON_ADDRESS else "off"
        self.TRACING = _str(env, "TRACING", tracing)  # "xray" or "off"
        # CloudWatch reads a Lambda function's log stream: there, EMF lines become metrics.
        self.METRICS = _str(env, "METRICS", "emf" if self.ON_LAMBDA else "off")  # or "off"

        self.SPOTIFY_CLIENT_ID = _str(env, "SPOTIFY_CLIENT_ID")
        self.SPOTIFY_CLIENT_SECRET = _str(env, "SPOTIFY_CLIENT_SECRET")
        self.SPOTIFY_OWNER_ID = _str(env, "SPOTIFY_OWNER_ID")
        self.SPOTIFY_REDIRECT_URI = _str(env, "SPOTIFY_REDIRECT_URI")
        self.SPOTIFY_SCOPES = _str(env, "SPOTIFY_SCOPES", SPOTIFY_SCOPES)
        self.SPOTIFY_ACCOUNTS_URL = _str(
            env, "SPOTIFY_ACCOUNTS_URL", "https://accounts.spotify.com"
        ).rstrip("/")
        self.SPOTIFY_API_URL = _str(env, "SPOTIFY_API_URL", "https://api.spotify.com/v1").rstrip(
            "/"
        )
        # Request-path calls: short, so a stalled Spotify costs a visitor at most this long.
        self.SPOTIFY_TIMEOUT = _float(env, "SPOTIFY_TIMEOUT", 1.5)
        self.SPOTIFY_DAILY_BUDGET = _int(env, "SPOTIFY_DAILY_BUDGET", 600)
        # Shares of the daily budget: listening keeps its reserve whatever search and builds do.
        self.BUDGET_LISTENING_RESERVE = _float(env, "BUDGET_LISTENING_RESERVE", 0.4)
        self.BUDGET_SEARCH_SHARE = _float(env, "BUDGET_SEARCH_SHARE", 0.1)
        self.BUDGET_BUILD_SHARE = _float(env, "BUDGET_BUILD_SHARE", 0.5)
        # Uncached work (a new search, a new artist) each visitor may cause per window.
        self.VISITOR_UNCACHED_LIMIT = _int(env, "VISITOR_UNCACHED_LIMIT", 20)
        self.VISITOR_WINDOW_SECONDS = _int(env, "VISITOR_WINDOW_SECONDS", 600)
        self.SPOTIFY_AUDIO_FEATURES = _bool(env, "SPOTIFY_AUDIO_FEATURES")
        self.SAMPLE_MODE = _bool(env, "SAMPLE_MODE")

        self.RECCOBEATS_URL = _str(env, "RECCOBEATS_URL", "https://api.reccobeats.com/v1").rstrip(
            "/"
        )
        self.FEATURES_BATCH_SIZE = _int(env, "FEATURES_BATCH_SIZE", 40)
        # The features provider is only called by builds, off the request path.
        self.FEATURES_TIMEOUT = _float(env, "FEATURES_TIMEOUT", 10.0)
        self.CATALOG_TTL_DAYS = _int(env, "CATALOG_TTL_DAYS", 7)
        self.BUILD_MODE = _str(env, "BUILD_MODE", "auto")  # auto | thread | inline | lambda
        # One build run's length; Lambda runs re-dispatch themselves to continue.
        self.BUILD_SLICE_SECONDS = _float(env, "BUILD_SLICE_SECONDS", 40.0)
        self.TOKEN_REFRESH_INTERVAL_MINUTES = _int(env, "TOKEN_REFRESH_INTERVAL_MINUTES", 45)

        # The listening history: what is public (stats | full | off), and how long answers keep.
        self.HISTORY_VISIBILITY = _str(env, "HISTORY_VISIBILITY", "stats").lower()
        self.HISTORY_CACHE_SECONDS = _int(env, "HISTORY_CACHE_SECONDS", 300)

        self.CORS_ORIGINS = _list(env, "CORS_ORIGINS")
        self.SITE_API_BASE = _str(env, "SITE_API_BASE")

        self.CACHE_TYPE = "app.cache_backend.DynamoDBCache"
        self.CACHE_DEFAULT_TIMEOUT = 7 * 24 * 3600
        self.SESSION_COOKIE_SECURE = self.STAGE not in {"local", "test"}
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"

        self.API_TITLE = "Spotify data API"
        self.API_VERSION = "1.0.0"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"

        if self.DEBUG and not self.SECRET_KEY:
            self.SECRET_KEY = "local-development-only-secret-key"

    @property
    def spotify_configured(self) -> bool:
        """Whether any Spotify credential is set; none at all means sample mode."""
        return bool(self.SPOTIFY_CLIENT_ID or self.SPOTIFY_CLIENT_SECRET or self.SPOTIFY_OWNER_ID)

    def missing_settings(self) -> list[str]:
        """Name every required setting that is unset, so start-up can fail with one clear list."""
        missing = [] if self.SECRET_KEY else ["SECRET_KEY"]
        if self.spotify_configured or not (self.SAMPLE_MODE or self.DEBUG or self.TESTING):
            names = ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_OWNER_ID")
            missing += [name for name in names if not getattr(self, name)]
        return missing

    def validate(self) -> None:
        """Fail fast at start-up when a required secret is missing or the shares do not add up."""
        shares = (self.BUDGET_LISTENING_RESERVE, self.BUDGET_SEARCH_SHARE, self.BUDGET_BUILD_SHARE)
        if any(not 0 <= s <= 1 for s in shares) or self.BUDGET_SEARCH_SHARE > 1 - shares[0]:
            raise ConfigError(
                "BUDGET_LISTENING_RESERVE, BUDGET_SEARCH_SHARE and BUDGET_BUILD_SHARE are "
                "fractions of SPOTIFY_DAILY_BUDGET (0 to 1), and search cannot exceed what the "
                "listening reserve leaves."
            )
        if self.HISTORY_VISIBILITY not in ("stats", "full", "off"):
            raise ConfigError("HISTORY_VISIBILITY must be stats, full or off")
        if self.VISITOR_WINDOW_SECONDS <= 0:
            raise ConfigError("VISITOR_WINDOW_SECONDS must be positive")
        if self.METRICS not in ("emf", "off"):
            raise ConfigError("METRICS is emf (CloudWatch Embedded Metric Format lines) or off")
        if self.TRACING not in ("xray", "off") or (
            self.TRACING == "xray" and not self.XRAY_DAEMON_ADDRESS
        ):
            raise ConfigError(
                "TRACING is xray (it needs AWS_XRAY_DAEMON_ADDRESS, which Lambda sets when the "
                "function has active tracing) or off"
            )
        missing = self.missing_settings()
        if missing:
            raise ConfigError(
                "Missing required settings: "
                + ", ".join(missing)
                + ". Set them in the environment (see .env.example and README 'Configuration'),"
                " or set SAMPLE_MODE=1 to serve bundled sample data without Spotify credentials."
            )


class TestingConfig(Config):
    """Settings for pytest: fixed secret, no cookies over HTTPS, builds run inline."""

    TESTING = True

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self.SECRET_KEY = self.SECRET_KEY or "test-secret-key"
        self.SESSION_COOKIE_SECURE = False
        self.BUILD_MODE = (
            env.get("BUILD_MODE", "inline")
            if env is not None
            else os.environ.get("BUILD_MODE", "inline")
        )
