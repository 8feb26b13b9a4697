import pytest
from django.db import connection

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Postgres full-text search (tsvector, GIN, pg_trgm); SQLite has the simpler search",
)
