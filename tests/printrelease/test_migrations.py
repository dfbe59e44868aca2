"""The migrations and the models describe the same schema, on SQLite and PostgreSQL (no drift between them)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import printrelease.models  # noqa: F401  (fills Base.metadata)
from printrelease.db import Base


def test_a_migrated_database_matches_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "write a migration for these (or fix the model)"
