"""healthflags: checked health claims, found in the text readers read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import ClientDisconnected, HTTPException, MethodNotAllowed

from . import db, limits, replica
from .matching.config import DEFAULT as MATCHING
from .schemas import Limits

# Defaults; instance/config.py and HEALTHFLAGS_* variables override them (DATABASE
# defaults to healthflags.db in the instance folder).
DEFAULTS: dict[str, object] = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes of a request body
    "MATCH_MAX_SEGMENTS": Limits.segments,
    "MATCH_MAX_SEGMENT_CHARS": Limits.segment_chars,
    "MATCH_MAX_SENTENCES": MATCHING.max_sentences,
    # The operating points on the verified score (server/matching/config.py says what
    # bench/flags.py prints for them): imported claims, curated ones, possible flags.
    "MATCH_CONFIDENT": MATCHING.confident,
    "MATCH_CONFIDENT_CURATED": MATCHING.confident_curated,
    "MATCH_POSSIBLE": MATCHING.possible,
    "INDEX_CHECK_SECONDS": 2.0,  # how often a worker looks for a newer published set
    "MATCH_COUNTS_FLUSH_SECONDS": 60.0,
    "REPORT_MAX_CHARS": Limits.report_chars,
    # Per client (IP address); see limits.py for how workers share them.
    "RATELIMIT_MATCH": "600 per minute",
    "RATELIMIT_READ": "1200 per minute",
    "RATELIMIT_REPORTS": "30 per hour",
    "RATELIMIT_API_KEY": "6000 per minute",  # /v1/match per API key, instead of per address
    "API_KEY_USES_FLUSH_SECONDS": 60.0,  # how often each worker writes its keys' use counts
    "JSON_SORT_KEYS": False,
    # Moderators' workspace (server/moderate/, server/auth/).
    "SESSION_LIFETIME": 8 * 3600,  # seconds a login lasts at most
    "SESSION_IDLE_TIMEOUT": 3600,  # seconds without a request before a session ends
    "MODERATE_COOKIE_SECURE": None,  # None: Secure, except plain http on a loopback address
    # Failed logins (auth.LoginThrottle): per account from browsers it never logged
    # in from, and per address counting only that address's own failures.
    "LOGIN_RATE_LIMIT": "5 per minute;30 per hour",
    "LOGIN_RATE_LIMIT_ADDRESS": "20 per minute;100 per hour",
    "LOGIN_RATE_LIMIT_STORAGE": None,  # None: RATELIMIT_STORAGE_URI (memory:// is per worker)
    "PASSWORD_HASH_CHEAP": False,  # tests only: fast argon2 parameters for new hashes
    "MODERATE_MAX_UPLOAD": 10 * 1024 * 1024,  # bytes of an import file or a bench page
    # The semantic stage (`pip install -e '.[semantic]'`, HEALTHFLAGS_SEMANTIC=1):
    # claims repeated in other words, by sentence vectors computed on the CPU.
    "SEMANTIC": False,
    "SEMANTIC_THREADS": 1,  # onnxruntime threads per worker
    # More than one server (server/replica.py): the primary's URL makes this a
    # read-only replica; X-Forwarded-For is believed only from these addresses.
    "REPLICA_OF": None,
    "TRUSTED_PROXIES": (),
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, test_config)
    if app.config["SEMANTIC"]:
        from .matching.embed import Embedder

        # One model per worker process; a missing extra stops the start with why.
        app.extensions["healthflags_embedder"] = Embedder(
            threads=int(app.config["SEMANTIC_THREADS"])
        )
    db.init_app(app)
    limits.init_app(app)
    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    if app.config["REPLICA_OF"]:
        replica.init_app(app)  # a follower's copy: never migrated, never written
    else:
        db.open_db(app.config["DATABASE"]).close()
    replica.init_proxies(app)
    _allow_cross_origin(app)
    _register_blueprints(app)
    app.cli.add_command(db.init_db_command)
    app.after_request(security_headers)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DATABASE=str(Path(app.instance_path) / "healthflags.db"), **DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("HEALTHFLAGS")
    else:
        app.config.from_mapping(test_config)
    app.config.setdefault("SECRET_KEY", None)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app)
    app.json.sort_keys = False
    if not app.config.get("TESTING"):
        app.debug = False  # the debugger runs code from the browser: never outside tests


def _allow_cross_origin(app: Flask) -> None:
    from flask_cors import CORS

    # Public read and match routes answer any origin, without credentials; nothing
    # else is listed, so the workspace never answers cross-origin. Reports answer
    # only the extension (api.create_report also refuses other origins outright).
    CORS(
        app,
        resources={
            r"/v1/reports": {"origins": [r"chrome-extension://.*", r"moz-extension://.*"]},
            r"/v1/*": {"origins": "*", "send_wildcard": True},
        },
        supports_credentials=False,
        allow_headers=["Content-Type", "Authorization", "X-API-Key"],
        methods=["GET", "POST", "OPTIONS"],
        max_age=86400,
    )


def _register_blueprints(app: Flask) -> None:
    from . import api, moderate, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(moderate.bp)


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/v1/"):
        # Pages (the workspace included) load only our own files; nobody may frame them.
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    return response


def http_error(exc: HTTPException) -> ResponseReturnValue:
    from . import api

    if isinstance(exc, ClientDisconnected):
        # The body stopped coming: too slow (serving.py's read deadline) or gone.
        return _slow_client()
    if request.path.startswith("/v1/") or request.path == "/v1":
        message = exc.description or exc.name
        if exc.code == 429:
            message = f"Too many requests from this client (limit {message}); retry later."
        response, status = api.error(exc.code or 500, _code(exc), message)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, status
    return exc


def _slow_client() -> ResponseReturnValue:
    from . import api

    # The thread is free again; the client, if still there, learns why.
    if request.path.startswith("/v1/"):
        return api.error(408, "request_timeout", "The request was not sent in time.")
    return "Request timeout", 408


def unexpected(exc: Exception) -> ResponseReturnValue:
    from . import api

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if request.path.startswith("/v1/"):
        return api.error(500, "internal_error", "Something went wrong on our side.")
    return "Internal server error", 500


def _code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("-", "_")


def _instance_secret(app: Flask) -> str:
    """A random secret kept in the instance folder, made on first start."""
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()
