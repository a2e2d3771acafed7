"""Flask CLI groups: `flask db ...` (and, as features land, token and artist commands)."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from app import db as database

db_cli = AppGroup("db", help="DynamoDB tables.")


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


def register(app: Flask) -> None:
    """Attach the CLI groups to the app."""
    app.cli.add_command(db_cli)
