"""Alembic migrations for the printrelease schema."""
