"""The benchmarks' own PostgreSQL database, created on first use."""

from __future__ import annotations

import psycopg
from psycopg import sql


def ensure_database(url: str) -> None:
    """Create the database named by `url` when the server does not have it yet."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
