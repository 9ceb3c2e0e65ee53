"""Publications as jobs, and the announcements they leave to email

Revision ID: 0009
Revises: 0008

`publish_job`: one row per publication of an event's schedule; a partial unique index allows
one queued or running publication per event. `announcement`: the emails a publication decided
and has not yet queued in the outbox.
"""
from alembic import op
import sqlalchemy as sa

import partnering.db_types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade():
    op.create_table(
        'publish_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', partnering.db_types.UTCDateTime(), nullable=False),
        sa.Column('started_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.Column('heartbeat_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.Column('published_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.Column('finished_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.Column('newly_published', sa.Integer(), nullable=False),
        sa.Column('emails_queued', sa.Integer(), nullable=False),
        sa.Column('emails_left', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['account.id'],
                                name=op.f('fk_publish_job_created_by_id_account')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_publish_job_event_id_event')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publish_job')),
        sa.CheckConstraint("state IN ('unpublished', 'preliminary', 'final')",
                           name=op.f('ck_publish_job_state')),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f('ck_publish_job_status')),
    )
    with op.batch_alter_table('publish_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publish_job_event_id'), ['event_id'], unique=False)
        batch_op.create_index('uq_publish_job_active', ['event_id'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_table(
        'announcement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_announcement_event_id_event')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_announcement_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                                name=op.f('fk_announcement_participant_id_participant'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement')),
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_event_id'))
    op.drop_table('announcement')
    with op.batch_alter_table('publish_job', schema=None) as batch_op:
        batch_op.drop_index('uq_publish_job_active')
        batch_op.drop_index(batch_op.f('ix_publish_job_event_id'))
    op.drop_table('publish_job')
