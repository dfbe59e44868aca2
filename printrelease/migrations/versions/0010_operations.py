"""operations: an index on job_events.kind, so that /metrics counts the releases without reading every event

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.create_index('ix_job_events_kind', ['kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_events', schema=None) as batch_op:
        batch_op.drop_index('ix_job_events_kind')
