"""hostile input: capture failures per CUPS job, claim codes on taps, server-side web sessions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:30:00
"""

from alembic import op
import sqlalchemy as sa
import printrelease.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('capture_failures',
    sa.Column('cups_job_uuid', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('first_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('cups_job_uuid')
    )
    with op.batch_alter_table('capture_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_failures_last_at'), ['last_at'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('remote_address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('taps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claim_failures', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('taps', schema=None) as batch_op:
        batch_op.drop_column('claim_failures')
        batch_op.drop_column('claim_code_hash')

    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))

    op.drop_table('web_sessions')
    with op.batch_alter_table('capture_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_failures_last_at'))

    op.drop_table('capture_failures')
