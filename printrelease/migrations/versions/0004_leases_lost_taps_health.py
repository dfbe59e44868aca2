"""release leases, lost jobs, idempotent taps, printer health

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:00:00
"""

from alembic import op
import sqlalchemy as sa
import printrelease.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_holder', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', printrelease.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('taps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))
        batch_op.create_unique_constraint('uq_taps_station_id_request_id', ['station_id', 'request_id'])
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_state', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_reasons', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status_message', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status_markers', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status_checked_at', printrelease.db.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('printers', schema=None) as batch_op:
        for column in ('status_checked_at', 'status_markers', 'status_message', 'status_reasons', 'status_state'):
            batch_op.drop_column(column)
    with op.batch_alter_table('taps', schema=None) as batch_op:
        batch_op.drop_constraint('uq_taps_station_id_request_id', type_='unique')
        batch_op.drop_column('answer')
        batch_op.drop_column('request_id')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('lease_holder')
