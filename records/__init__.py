"""The enforcement store: schema, validated import, named queries, snapshots and the writer lock, the demo builder."""

from records.db import DatabaseError, database_path, open_database
from records.store import Store

__all__ = ["DatabaseError", "Store", "database_path", "open_database"]
