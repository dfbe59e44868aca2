"""web UI core: roles and languages, release modes, kiosks and their pairing codes, claim codes a kiosk can show, the audit trail,
site settings, indexes for a user's history and a station's latest tap

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 19:45:00
"""

from alembic import op
import sqlalchemy as sa
import printrelease.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False, server_default='user'))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))

    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_mode', sa.String(length=8), nullable=False, server_default='all'))

    with op.batch_alter_table('taps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', printrelease.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claim_code_masked', sa.String(length=6), nullable=True))
        batch_op.create_index('ix_taps_station_at', ['station_id', 'at'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_owner_submitted', ['owner_id', 'submitted_at'], unique=False)

    op.create_table('kiosk_pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('expires_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', printrelease.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    with op.batch_alter_table('kiosk_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_pairings_station_id'), ['station_id'], unique=False)

    op.create_table('kiosks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=128), nullable=False),
    sa.Column('paired_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paired_from', sa.String(length=64), nullable=False),
    sa.Column('last_seen_at', printrelease.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['api_tokens.id'], ),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credential_id')
    )
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosks_station_id'), ['station_id'], unique=False)

    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_actor_at', ['actor', 'at'], unique=False)
        batch_op.create_index('ix_audit_action_at', ['action', 'at'], unique=False)

    op.create_table('settings',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('settings')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_action_at')
        batch_op.drop_index('ix_audit_actor_at')
        batch_op.drop_index(batch_op.f('ix_audit_at'))
    op.drop_table('audit')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_station_id'))
    op.drop_table('kiosks')
    with op.batch_alter_table('kiosk_pairings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_pairings_station_id'))
    op.drop_table('kiosk_pairings')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_owner_submitted')
    with op.batch_alter_table('taps', schema=None) as batch_op:
        batch_op.drop_index('ix_taps_station_at')
        batch_op.drop_column('claim_code_masked')
        batch_op.drop_column('ended_at')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('release_mode')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('role')
