"""station last seen: the agent's heartbeat, so doctor can name a station that went quiet

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-25 18:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import printrelease.db


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', printrelease.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
