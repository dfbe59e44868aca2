"""finance: prices, frozen costs and corrections in usage rows, paper sizes, report runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 09:00:00

Chained after 0003 while it was written; the lead re-chains it after the other branches' revisions.
"""

from alembic import op
import sqlalchemy as sa
import printrelease.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=True),
    sa.Column('paper_size', sa.String(length=16), nullable=False),
    sa.Column('valid_from', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('mono_simplex', sa.BigInteger(), nullable=True),
    sa.Column('colour_simplex', sa.BigInteger(), nullable=True),
    sa.Column('mono_duplex', sa.BigInteger(), nullable=True),
    sa.Column('colour_duplex', sa.BigInteger(), nullable=True),
    sa.Column('set_by', sa.String(length=255), nullable=False),
    sa.Column('set_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['printer_id'], ['printers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('prices', schema=None) as batch_op:
        batch_op.create_index('ix_prices_lookup', ['paper_size', 'printer_id', 'valid_from'], unique=False)

    op.create_table('report_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', printrelease.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', printrelease.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'period')
    )

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_size', sa.String(length=16), nullable=True))

    # Rows printed before prices existed keep cost 0 and no currency: nothing was charged for them.
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.alter_column('job_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('paper_size', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('cost', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('price_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('original_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('corrected_by', sa.String(length=255), server_default='', nullable=False))
        batch_op.create_foreign_key('fk_usage_records_price_id', 'prices', ['price_id'], ['id'])
        batch_op.create_foreign_key('fk_usage_records_original_id', 'usage_records', ['original_id'], ['id'])
        batch_op.create_foreign_key('fk_usage_records_corrects_id', 'usage_records', ['corrects_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_usage_records_original_id'), ['original_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usage_records_original_id'))
        batch_op.drop_constraint('fk_usage_records_corrects_id', type_='foreignkey')
        batch_op.drop_constraint('fk_usage_records_original_id', type_='foreignkey')
        batch_op.drop_constraint('fk_usage_records_price_id', type_='foreignkey')
        for column in ('corrected_by', 'reason', 'corrects_id', 'original_id', 'price_id', 'cost', 'currency',
                       'paper_size'):
            batch_op.drop_column(column)
    # Corrections have no job; they cannot survive the return to one row per job.
    op.execute("DELETE FROM usage_records WHERE job_id IS NULL")
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.alter_column('job_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('paper_size')

    op.drop_table('report_runs')
    with op.batch_alter_table('prices', schema=None) as batch_op:
        batch_op.drop_index('ix_prices_lookup')
    op.drop_table('prices')
