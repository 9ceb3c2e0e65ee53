"""Bulk actions as jobs

Revision ID: 0013
Revises: 0012

`bulk_job`: one row per bulk action on an event (registration decisions, resending failed
emails); a partial unique index allows one queued or running job of a kind per event.
"""
from alembic import op
import sqlalchemy as sa

import partnering.db_types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade():
    op.create_table(
        'bulk_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('result', sa.Text(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', partnering.db_types.UTCDateTime(), nullable=False),
        sa.Column('started_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.Column('heartbeat_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.Column('finished_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['account.id'],
                                name=op.f('fk_bulk_job_created_by_id_account')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_bulk_job_event_id_event')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_job')),
        sa.CheckConstraint("kind IN ('decide', 'resend_failed')", name=op.f('ck_bulk_job_kind')),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f('ck_bulk_job_status')),
    )
    with op.batch_alter_table('bulk_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulk_job_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_bulk_job_active', ['event_id', 'kind'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade():
    with op.batch_alter_table('bulk_job', schema=None) as batch_op:
        batch_op.drop_index('uq_bulk_job_active')
        batch_op.drop_index(batch_op.f('ix_bulk_job_event_id'))
    op.drop_table('bulk_job')
