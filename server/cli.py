"""The `healthflags` command: serve, check, import, export, add-moderator.

Each command is a thin wrapper over one library call, as in sqlite-utils.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import auth, create_app, store
from . import db as dbm
from .formats import FORMATS, guess_format, write_records
from .matcher import embed_published


def _app(db_path: str | None):
    if db_path:
        os.environ["HEALTHFLAGS_DATABASE"] = str(Path(db_path).resolve())
    return create_app()


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    help="SQLite file (default: healthflags.db in the instance folder).",
)


@click.group()
@click.version_option(package_name="healthflags")
def main() -> None:
    """healthflags: checked health claims, found in the text readers read."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Processes.")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=int,
    help="Requests each process serves at once.",
)
@click.option(
    "--read-timeout",
    default=15.0,
    show_default=True,
    type=float,
    help="Seconds a client has to send a whole request.",
)
@click.option("--no-seed", is_flag=True, help="Do not load the curated claims on first start.")
@click.option(
    "--replica-of",
    metavar="URL",
    help="Serve read-only from a copy that Litestream follows; URL is the primary's.",
)
@db_option
def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    read_timeout: float,
    no_seed: bool,
    replica_of: str | None,
    db_path: str | None,
) -> None:
    """Serve the API and the workspace with gunicorn (threaded workers, see serving.py)."""
    if replica_of:
        _serve_replica(replica_of, host, port, workers, threads, read_timeout, db_path)
        return
    app = _app(db_path)
    database = app.config["DATABASE"]
    # Migrations and the first-run seed happen here, once, before any worker starts.
    db = dbm.open_db(database)
    if not no_seed:
        report = store.seed_if_new(db)
        if report:
            drafts = report["drafts"].get("created", 0)
            click.echo(
                f"Loaded {report['counts']['created']} curated claims into {database}"
                + (f" ({drafts} more as drafts awaiting evidence)." if drafts else ".")
            )
    from . import importer

    if stopped := importer.mark_dead(db):  # imports whose process died: resumable, never "running"
        click.echo(
            f"{stopped} import(s) stopped with the last server; resume them in the workspace."
        )
    if app.config["SEMANTIC"]:
        # Vectors for texts that have none, once, so no worker has to compute them.
        count = embed_published(app, db)
        click.echo(f"Semantic matching on: {count} published texts have vectors.")
    db.close()
    os.environ["HEALTHFLAGS_DATABASE"] = database
    os.environ["HEALTHFLAGS_WORKERS"] = str(workers)  # memory rate limits split across them
    click.echo(f"healthflags on http://{host}:{port}/ (database {database})")

    from .serving import Server

    Server(
        create_app,
        bind=f"{host}:{port}",
        workers=workers,
        threads=threads,
        read_timeout=read_timeout,
    ).run()


def _serve_replica(primary, host, port, workers, threads, read_timeout, db_path) -> None:
    """A read replica: no migration, seed or import recovery, which all write."""
    import time

    os.environ["HEALTHFLAGS_REPLICA_OF"] = primary
    app = _app(db_path)
    database = app.config["DATABASE"]
    deadline = time.monotonic() + 120
    while not Path(database).exists():  # the follower restores it first
        if time.monotonic() > deadline:
            raise click.ClickException(f"{database} was not restored within 120 s")
        time.sleep(0.2)
    os.environ["HEALTHFLAGS_DATABASE"] = database
    os.environ["HEALTHFLAGS_WORKERS"] = str(workers)
    click.echo(f"healthflags replica of {primary} on http://{host}:{port}/ (copy {database})")
    from .serving import Server

    Server(
        create_app, bind=f"{host}:{port}", workers=workers, threads=threads,
        read_timeout=read_timeout,
    ).run()


@main.command()
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--html/--text", "as_html", default=None, help="How to read SOURCE (guessed).")
@db_option
def check(source, as_json: bool, as_html: bool | None, db_path: str | None) -> None:
    """Show what would be flagged in a text or HTML file (- for standard input)."""
    from .pagetext import looks_like_html, segments_from_html, segments_from_text

    content = source.read()
    html = looks_like_html(content) if as_html is None else as_html
    segments = segments_from_html(content) if html else segments_from_text(content)
    app = _app(db_path)
    _seed_first_use(app.config["DATABASE"])
    with app.test_client() as client:
        answer = client.post("/v1/match", json={"segments": segments}).get_json()
    if "error" in answer:
        raise click.ClickException(answer["error"]["message"])
    if as_json:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    if not answer["matches"]:
        click.echo("Nothing flagged.")
        return
    colours = {"contradicts_evidence": "red", "consistent_with_evidence": "green"}
    for m in answer["matches"]:
        claim = answer["claims"][m["claim_id"]]
        label = claim["verdict"].replace("_", " ").upper()
        click.echo(
            click.style(f"[{label}]", fg=colours.get(m["assessment"], "yellow"), bold=True)
            + f" {m['exact']}"
        )
        click.echo(
            f"    claim: {claim['text']} ({m['tier']}, {m['stance']}, score {m['score']:.2f})"
        )
        if claim["evidence"]:
            click.echo(f"    evidence: {claim['evidence'][0]['url']}")
    click.echo(f"{len(answer['matches'])} flagged.")


def _seed_first_use(database: str) -> None:
    """A database that was never served gets the curated claims, as `serve` would
    load them; otherwise `check` would say "Nothing flagged." against an empty set."""
    db = dbm.open_db(database)
    try:
        report = store.seed_if_new(db)
    finally:
        db.close()
    if report:
        click.echo(
            f"First use of {database}: loaded {report['counts']['created']} curated claims.",
            err=True,  # standard output stays the answer (--json stays JSON)
        )


@main.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Guessed from the file.")
@click.option("--publish", is_flag=True, help="Publish the claims (default: drafts).")
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Import rows whose text matches another claim (default: list them, skip them).",
)
@click.option("--resume", "resume_id", type=int, help="Go on with a stopped import.")
@click.option("--actor", default="cli", show_default=True, help="Who the audit log names.")
@db_option
def import_(
    source: str | None,
    fmt: str | None,
    publish: bool,
    allow_duplicates: bool,
    resume_id: int | None,
    actor: str,
    db_path: str | None,
) -> None:
    """Import claims from JSON, NDJSON, CSV or ClaimReview JSON-LD, as a job: each row is
    reported, and a job stopped midway can be resumed with --resume."""
    from tqdm import tqdm

    from . import importer

    app = _app(db_path)
    db = dbm.open_db(app.config["DATABASE"])
    importer.mark_dead(db)
    if resume_id is not None:
        try:
            importer.resume(db, resume_id, actor)
        except (store.NotFound, ValueError) as exc:
            raise click.ClickException(f"import {resume_id} cannot be resumed: {exc}") from None
        job_id = resume_id
    elif source:
        with open(source, "rb") as f:
            head = f.read(4096).decode("utf-8", "ignore")
        job_id = importer.create_job(
            db,
            actor=actor,
            fmt=fmt or guess_format(source, head),
            filename=Path(source).name,
            upload_path=str(Path(source).resolve()),
            publish=publish,
            allow_duplicates=allow_duplicates,
        )
    else:
        raise click.UsageError("name a file to import, or --resume an import")
    job = importer.get_job(db, job_id)
    click.echo(f"import {job_id}: reading {job['filename']} ({job['format']})", err=True)
    with tqdm(
        total=job["bytes_total"],
        initial=job["bytes_done"],
        unit="B",
        unit_scale=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        job = importer.run_job(db, job_id, progress=lambda n: bar.update(n - bar.n))
    for row in importer.job_rows(db, job_id, problems_only=True):
        what = "; ".join(row["problems"]) or f"same text as {row['duplicate_of']}"
        click.echo(f"{row['location']} ({row['claim_id'] or 'no id'}): {what}", err=True)
    if job["publish"]:
        embed_published(app, db)  # with the semantic stage on: new texts' vectors, once
    counts = ", ".join(f"{job['counts'].get(k, 0)} {k}" for k in importer.COUNT_KEYS)
    if job["status"] != "done":
        raise click.ClickException(f"import {job_id} {job['status']}: {job['error']} ({counts})")
    click.echo(f"import {job_id}: {counts}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--status", type=click.Choice(["draft", "in_review", "published", "retired"]))
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8765",
    show_default=True,
    help="Where claim pages live, for ClaimReview urls.",
)
@db_option
def export(fmt: str, status: str | None, output, base_url: str, db_path: str | None) -> None:
    """Export claims (their latest revision) in any import format."""
    app = _app(db_path)
    db = dbm.open_db(app.config["DATABASE"])
    records = store.export_records(db, status=status)
    output.write(
        write_records(records, fmt, review_url=lambda cid: f"{base_url.rstrip('/')}/claims/{cid}")
    )


@main.command("add-moderator")
@click.argument("email")
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@db_option
def add_moderator(email: str, role: str, db_path: str | None) -> None:
    """Create a moderator account (password from standard input when it is not a terminal)."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    app = _app(db_path)
    db = dbm.open_db(app.config["DATABASE"])
    try:
        user = auth.add_user(db, email, password, role, actor="cli")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Added {user['email']} as {user['role']}.")


@main.command()
@click.argument("target", type=click.Path(dir_okay=False))
@db_option
def backup(target: str, db_path: str | None) -> None:
    """Write a consistent copy of the database to TARGET, even while it is in use."""
    if Path(target).exists():
        raise click.ClickException(f"{target} exists; choose a new file")
    app = _app(db_path)
    db = dbm.open_db(app.config["DATABASE"])
    dbm.backup(db, target)
    click.echo(f"Backed up {app.config['DATABASE']} to {target}.")
