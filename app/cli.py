"""Flask CLI groups for the owner: `flask db ...`, `flask token ...`, `flask artists ...`."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from app import db as database

db_cli = AppGroup("db", help="DynamoDB tables.")
token_cli = AppGroup("token", help="The owner's Spotify token.")
artists_cli = AppGroup("artists", help="Artist catalogs with audio features.")


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


def register(app: Flask) -> None:
    """Attach the CLI groups to the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(artists_cli)
