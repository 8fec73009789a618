"""The moderators' workspace: HTML pages under /moderate."""

from flask import Blueprint

bp = Blueprint("moderate", __name__, url_prefix="/moderate")

from . import accounts, audit, common, history, imports, remaining, reports, users  # noqa: E402, F401  (they attach their views to bp)
