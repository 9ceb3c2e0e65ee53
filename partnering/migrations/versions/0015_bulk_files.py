"""Applying a run, importing participants and exporting every agenda as bulk jobs

Revision ID: 0015
Revises: 0014

- bulk_job.kind may be 'apply_run', 'import_participants' or 'export_agendas'.
- bulk_job.upload: the file a job reads (an import's CSV); bulk_job.download: the file it made
  (the agendas' ZIP). Kept in the database, which every machine running jobs shares.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BEFORE = ('decide', 'resend_failed')
AFTER = ('decide', 'resend_failed', 'apply_run', 'import_participants', 'export_agendas')


def _condition(values):
    """The check as SQLAlchemy writes it for the models' Enum columns, so both agree."""
    return f"kind IN ({', '.join(repr(v) for v in values)})"


def _kinds(batch_op, values):
    batch_op.drop_constraint(batch_op.f('ck_bulk_job_kind'), type_='check')
    batch_op.create_check_constraint(batch_op.f('ck_bulk_job_kind'), _condition(values))


def upgrade():
    with op.batch_alter_table('bulk_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('download', sa.LargeBinary(), nullable=True))
        _kinds(batch_op, AFTER)


def downgrade():
    # The jobs of the new kinds have no meaning before this revision.
    op.execute(f"DELETE FROM bulk_job WHERE kind NOT IN ({', '.join(repr(v) for v in BEFORE)})")
    with op.batch_alter_table('bulk_job', schema=None) as batch_op:
        _kinds(batch_op, BEFORE)
        batch_op.drop_column('download')
        batch_op.drop_column('upload')
