"""The schema, as sqlite-utils migrations applied at every start (idempotent): append
new ones at the end, never edit one that has been applied."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("healthflags")


@migrations()
def m001_schema(db: sqlite_utils.Database) -> None:
    db.executescript(_SCHEMA_001)


@migrations()
def m002_vectors_by_text(db: sqlite_utils.Database) -> None:
    # A vector depends only on the text and the model, so key it by those: the
    # canonical text and every phrasing share one table, and retiring a claim
    # never forces a recomputation for another claim that words it the same way.
    db.executescript(
        """
        DROP TABLE claim_vectors;
        CREATE TABLE claim_vectors (
          text_hash TEXT NOT NULL,
          model TEXT NOT NULL,
          dim INTEGER NOT NULL,
          vector BLOB NOT NULL,
          PRIMARY KEY (text_hash, model)
        );
        """
    )


@migrations()
def m003_counter_statements_and_review_date(db: sqlite_utils.Database) -> None:
    # The claim's other side, stored like phrasings so the engine can weigh a sentence
    # against both; and the day a moderator last checked the claim's evidence.
    db.executescript(
        """
        CREATE TABLE counter_statements (
          id INTEGER PRIMARY KEY,
          claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          text TEXT NOT NULL
        );
        CREATE INDEX counter_statements_claim ON counter_statements(claim_id);
        ALTER TABLE claims ADD COLUMN reviewed_at TEXT;
        """
    )


@migrations()
def m004_import_jobs(db: sqlite_utils.Database) -> None:
    # Imports become jobs that run in the background, keep their file until done,
    # commit their progress with every batch, and keep their report a row a line.
    db.executescript(
        """
        CREATE TABLE imports_new (
          id INTEGER PRIMARY KEY,
          actor TEXT NOT NULL,
          format TEXT NOT NULL,
          filename TEXT,
          upload_path TEXT,
          publish INTEGER NOT NULL DEFAULT 0,
          allow_duplicates INTEGER NOT NULL DEFAULT 0,
          status TEXT NOT NULL
            CHECK (status IN ('queued', 'running', 'done', 'failed', 'discarded')),
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          heartbeat_at TEXT,
          pid INTEGER,
          host TEXT,
          bytes_total INTEGER,
          bytes_done INTEGER NOT NULL DEFAULT 0,
          rows_done INTEGER NOT NULL DEFAULT 0,
          counts TEXT,
          error TEXT,
          report TEXT  -- the whole report of imports made before import_rows
        );
        INSERT INTO imports_new (id, actor, format, filename, publish, status, created_at,
                                 finished_at, counts, report, error)
          SELECT id, actor, format, filename, publish,
                 CASE status WHEN 'running' THEN 'failed' ELSE status END,
                 created_at, finished_at, counts, report,
                 CASE status WHEN 'running' THEN 'It stopped before it finished.' END
          FROM imports;
        DROP TABLE imports;
        ALTER TABLE imports_new RENAME TO imports;
        CREATE TABLE import_rows (
          import_id INTEGER NOT NULL REFERENCES imports(id),
          row INTEGER NOT NULL,
          location TEXT NOT NULL,
          claim_id TEXT,
          result TEXT NOT NULL,
          problems TEXT,
          duplicate_of TEXT,
          PRIMARY KEY (import_id, row)
        );
        """
    )


@migrations()
def m005_api_key_uses(db: sqlite_utils.Database) -> None:
    # How often each key was used (with last_used_at, shown in the workspace's list).
    db.execute("ALTER TABLE api_keys ADD COLUMN use_count INTEGER NOT NULL DEFAULT 0")


@migrations()
def m006_claim_search(db: sqlite_utils.Database) -> None:
    # Word search (porter-stemmed FTS5) over each claim's current and published
    # revisions; the store keeps it in step (see server/search.py).
    from . import search

    db.executescript(search.SCHEMA)
    search.reindex_all(db)


_SCHEMA_001 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('contributor', 'reviewer', 'admin')),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  password_changed_at TEXT
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE claims (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'retired')),
  -- What readers see: the published revision's fields, or the current revision's
  -- while the claim has never been published.
  text TEXT NOT NULL,
  verdict TEXT NOT NULL
    CHECK (verdict IN ('false', 'misleading', 'unproven', 'needs_context', 'supported')),
  rating_value INTEGER NOT NULL CHECK (rating_value BETWEEN 1 AND 5),
  summary TEXT NOT NULL,
  topic TEXT NOT NULL,
  harm TEXT NOT NULL CHECK (harm IN ('low', 'medium', 'high')),
  current_revision INTEGER NOT NULL,
  published_revision INTEGER,
  -- The state of a pending edit to a published claim ('draft' or 'in_review').
  pending_status TEXT CHECK (pending_status IN ('draft', 'in_review')),
  version INTEGER NOT NULL DEFAULT 1,
  superseded_by TEXT REFERENCES claims(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  published_at TEXT
);
CREATE INDEX claims_status ON claims(status);
CREATE INDEX claims_topic ON claims(topic);

CREATE TABLE claim_revisions (
  id INTEGER PRIMARY KEY,
  claim_id TEXT NOT NULL REFERENCES claims(id),
  number INTEGER NOT NULL,
  data TEXT NOT NULL,
  author TEXT NOT NULL,
  comment TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (claim_id, number)
);

-- The published revision's rows, so matching reads plain tables.
CREATE TABLE phrasings (
  id INTEGER PRIMARY KEY,
  claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX phrasings_claim ON phrasings(claim_id);

CREATE TABLE aliases (
  id INTEGER PRIMARY KEY,
  claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
  term TEXT NOT NULL,
  alias TEXT NOT NULL
);
CREATE INDEX aliases_claim ON aliases(claim_id);

CREATE TABLE required_terms (
  id INTEGER PRIMARY KEY,
  claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
  term TEXT NOT NULL
);
CREATE INDEX required_terms_claim ON required_terms(claim_id);

CREATE TABLE evidence (
  id INTEGER PRIMARY KEY,
  claim_id TEXT NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  url TEXT NOT NULL CHECK (url LIKE 'https://%'),
  title TEXT NOT NULL,
  publisher TEXT NOT NULL,
  source_type TEXT NOT NULL CHECK (source_type IN ('systematic_review', 'rct',
    'observational', 'guideline', 'regulator', 'public_health_agency', 'fact_check', 'other')),
  year INTEGER,
  doi TEXT,
  pmid TEXT
);
CREATE INDEX evidence_claim ON evidence(claim_id);

CREATE TABLE claim_vectors (
  phrasing_id INTEGER PRIMARY KEY REFERENCES phrasings(id) ON DELETE CASCADE,
  claim_id TEXT NOT NULL,
  model TEXT NOT NULL,
  vector BLOB NOT NULL
);

-- Aggregate counts only: never page text or URLs.
CREATE TABLE match_counts (
  claim_id TEXT NOT NULL,
  day TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (claim_id, day)
);

CREATE TABLE reports (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('wrong_flag', 'missed_claim')),
  claim_id TEXT REFERENCES claims(id),
  passage TEXT,
  url TEXT,
  comment TEXT,
  status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'actioned', 'dismissed_no_action', 'duplicate')),
  resolution_note TEXT,
  duplicate_of INTEGER REFERENCES reports(id),
  resolved_by TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT
);
CREATE INDEX reports_status ON reports(status);

CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX audit_object ON audit_events(object_type, object_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER revisions_no_update BEFORE UPDATE ON claim_revisions
  BEGIN SELECT RAISE(ABORT, 'claim_revisions is append-only'); END;

CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  actor TEXT NOT NULL,
  format TEXT NOT NULL,
  filename TEXT,
  publish INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  created_at TEXT NOT NULL,
  finished_at TEXT,
  counts TEXT,
  report TEXT
);

INSERT INTO meta (key, value) VALUES ('published_version', '0');
"""
