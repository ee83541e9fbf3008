"""The enforcement database: schema, validated import, named queries and the demo data builder."""

from records.db import DatabaseError, database_path, open_database

__all__ = ["DatabaseError", "database_path", "open_database"]
