"""Flask CLI groups for the owner: `flask db ...`, `flask token ...`, `flask artists ...`."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import db as database

db_cli = AppGroup("db", help="DynamoDB tables.")
token_cli = AppGroup("token", help="The owner's Spotify token.")
artists_cli = AppGroup("artists", help="Artist catalogs with audio features.")
history_cli = AppGroup("history", help="The owner's listening history.")


@db_cli.command("create")
def db_create() -> None:
    """Create every missing table (idempotent)."""
    click.echo(json.dumps(database.create_tables(), indent=2))


@db_cli.command("status")
def db_status() -> None:
    """Show reachability and whether each table exists."""
    status = database.ping()
    if status["reachable"]:
        status["tables"] = database.table_status()
    click.echo(json.dumps(status, indent=2))


@token_cli.command("status")
def token_status() -> None:
    """Show the token's state (never its value)."""
    from app.services import owner

    click.echo(json.dumps(owner.token_status(), indent=2))


@token_cli.command("refresh")
@click.option("--within", type=int, help="Only refresh if it expires within N minutes.")
def token_refresh(within: int | None) -> None:
    """Refresh the token now, or with --within only when due (what the scheduled task does)."""
    from app.services import owner

    summary = owner.refresh_if_due(within if within is not None else 10**6)
    click.echo(json.dumps(summary, indent=2))
    if summary.get("reason") == "reauthorization_required":
        raise SystemExit(1)


@token_cli.command("disconnect")
def token_disconnect() -> None:
    """Delete the stored owner token."""
    from app.services import owner

    click.echo(json.dumps({"deleted": owner.disconnect()}))


@artists_cli.command("build")
@click.argument("artist_id")
def artists_build(artist_id: str) -> None:
    """Build (or resume) an artist's catalog here, with a progress bar."""
    from app.errors import AppError
    from app.models import ArtistCatalog
    from app.services import catalog

    try:
        record = catalog.ensure(artist_id)
    except AppError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from exc
    total = int(record.albums_total or 1)
    with click.progressbar(length=total, label="albums", show_pos=True) as bar:

        def advance(c: ArtistCatalog) -> None:
            bar.length = max(int(c.albums_total or 1), bar.length or 0)
            bar.update(int(c.albums_done or 0) - bar.pos)

        record = catalog.build_until_paused(artist_id, advance)
    click.echo(json.dumps(catalog.progress(record), indent=2))


@history_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def history_import(paths: tuple[Path, ...]) -> None:
    """Import Spotify's data export: the zip, its folder, or its streaming-history files.

    Runs against the tables of the environment's stage (TABLE_PREFIX, and DYNAMODB_HOST or AWS
    credentials). Importing again adds nothing; after fixing a rejected entry, run it again.
    """
    from app.services.history import exports, ingest
    from app.services.history.plays import Stream

    streams: list[Stream] = []
    rejected: list[exports.Rejected] = []
    try:
        for name, content in exports.history_files(list(paths)):
            for found in exports.read_file(name, content):
                if isinstance(found, exports.Rejected):
                    rejected.append(found)
                else:
                    streams.append(found)
    except exports.ExportError as exc:  # nothing is stored before every file has been read
        raise click.ClickException(str(exc)) from exc
    with click.progressbar(length=len(streams), label="storing plays", show_pos=True) as bar:
        stored = ingest.store(streams, progress=bar.update)
    for problem in rejected[:20]:
        click.echo(f"rejected: {problem}", err=True)
    if len(rejected) > 20:
        click.echo(f"rejected: … and {len(rejected) - 20} more", err=True)
    summary = {"added": stored.added, "duplicates": stored.duplicates, "rejected": len(rejected)}
    click.echo(json.dumps(summary, indent=2))


@history_cli.command("rebuild-rollups")
def history_rebuild() -> None:
    """Recompute every day, month and year summary from the plays themselves."""
    from app.services.history import records

    click.echo(json.dumps({"days": records.rebuild()}))


@history_cli.command("forget")
@click.option("--before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
def history_forget(before: datetime) -> None:
    """Delete the plays that ended before a UTC date, and their summaries."""
    from app.services.history import records

    click.echo(json.dumps({"deleted": records.forget_before(before.date())}))


@history_cli.command("export")
@click.option("--format", "kind", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--out", type=click.File("w"), default="-", help="A file; standard output if not.")
def history_export(kind: str, out: Any) -> None:
    """Write the whole archive, oldest first, as CSV or JSON lines."""
    from app.services.history import records

    rows = (records.play_json(s) for s in records.every_play())
    if kind == "json":
        for row in rows:
            out.write(json.dumps(row) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=records.EXPORT_FIELDS)
    writer.writeheader()
    writer.writerows(rows)


@history_cli.command("sample")
@click.option("--if-sample-mode", is_flag=True, help="Do nothing (and succeed) otherwise.")
def history_sample(if_sample_mode: bool) -> None:
    """Sample mode: fill the archive with about three years of synthetic plays (once)."""
    from app.services.history import archive, ingest, sample
    from app.services.history.answers import today

    if not current_app.config["SAMPLE"]:
        if if_sample_mode:
            return
        raise click.ClickException("only in sample mode: this would mix made-up plays in")
    if archive.coverage().get("sample"):
        click.echo(json.dumps({"added": 0, "already": True}))
        return
    stored = ingest.store(sample.streams(today()))
    click.echo(json.dumps({"added": stored.added}))


def register(app: Flask) -> None:
    """Attach the CLI groups to the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(artists_cli)
    app.cli.add_command(history_cli)
