"""The claim store: every read and write of claims, reports and the audit log.

Views and commands call these functions directly (`from server import store`).
Every write that reads first runs in `db.transaction` (BEGIN IMMEDIATE, or a
savepoint inside the caller's), together with its audit entry, so a change never
lands without its record.

What lives where:
  claims        create and edit claims (each edit a revision), the workspace's lists
  revisions     the append-only history of each claim, and the export of it
  lifecycle     submit, approve, publish, return, retire, merge, discard a pending edit
  public        what readers see: the matching index, the API's claims, topics
  generic       imported claims too generic to flag safely (issue 16)
  imports       imports held in memory and the curated seed (jobs: server/importer)
  reports       readers' reports and their queue
  match_counts  per-claim, per-day match counts (aggregates only)
  vectors       the semantic stage's stored vectors
  audit_log     the append-only audit log
  base          the clock, stored JSON, the errors
"""

from . import audit_log
from .audit_log import append as audit
from .audit_log import count as audit_count
from .audit_log import events as audit_events
from .base import AlreadyExists, Conflict, NotFound, now, to_json
from .claims import (
    CLAIM_STATUSES,
    all_topics,
    claim_counts,
    create_claim,
    get_claim,
    is_public,
    list_claims,
    review_queue,
    save_claim,
)
from .generic import too_generic
from .imports import SEED_DIR, import_claims, seed_if_new, seed_records
from .lifecycle import (
    PUBLISHED_ROWS,
    approve_claim,
    discard_pending,
    in_review,
    publish_claim,
    published_version,
    retire,
    retire_claim,
    return_to_draft,
    submit_claim,
    submit_for_review,
)
from .match_counts import add_match_counts, match_series
from .public import (
    decode_cursor,
    encode_cursor,
    index_rows,
    list_public_claims,
    public_claims,
    topics,
)
from .reports import (
    REPORT_STATES,
    create_report,
    get_report,
    list_reports,
    next_open_report,
    report_counts,
    resolve_report,
)
from .revisions import claim_revisions, export_records, revision, revision_info
from .vectors import load_vectors, published_texts, save_vectors

__all__ = [
    "too_generic",
    "CLAIM_STATUSES",
    "PUBLISHED_ROWS",
    "REPORT_STATES",
    "SEED_DIR",
    "AlreadyExists",
    "Conflict",
    "NotFound",
    "add_match_counts",
    "all_topics",
    "approve_claim",
    "audit",
    "audit_count",
    "audit_events",
    "audit_log",
    "claim_counts",
    "claim_revisions",
    "create_claim",
    "create_report",
    "decode_cursor",
    "discard_pending",
    "encode_cursor",
    "export_records",
    "get_claim",
    "get_report",
    "import_claims",
    "in_review",
    "index_rows",
    "is_public",
    "list_claims",
    "list_public_claims",
    "list_reports",
    "load_vectors",
    "match_series",
    "next_open_report",
    "now",
    "public_claims",
    "publish_claim",
    "published_version",
    "published_texts",
    "report_counts",
    "resolve_report",
    "retire",
    "retire_claim",
    "return_to_draft",
    "review_queue",
    "revision",
    "revision_info",
    "save_claim",
    "save_vectors",
    "seed_if_new",
    "seed_records",
    "submit_claim",
    "submit_for_review",
    "to_json",
    "topics",
]
