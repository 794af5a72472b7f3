"""Connection facts of the configured database, for code that talks to PostgreSQL directly (backups, test helpers)."""

from __future__ import annotations


def pg_params(settings_dict: dict) -> dict:
    """psycopg.connect() keyword arguments from a Django DATABASES entry (empty values left out)."""
    params = {"dbname": settings_dict["NAME"], "user": settings_dict.get("USER") or None,
              "password": settings_dict.get("PASSWORD") or None, "host": settings_dict.get("HOST") or None,
              "port": settings_dict.get("PORT") or None}
    return {key: value for key, value in params.items() if value is not None}
