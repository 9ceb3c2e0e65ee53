"""The event days: check-ins, no-show marks, re-planning runs

Revision ID: 0011
Revises: 0009

`check_in`: one row per participant and event day (unique), with when, by whom and how.
`no_show`: marks on meetings that did not take place; a partial unique index allows one standing
mark per meeting and slot. `schedule_run.replan_from` and `absent_cutoff`: a run that re-plans the rest
of the event.
"""
from alembic import op
import sqlalchemy as sa

import partnering.db_types


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None

MARKED = sa.text("status = 'marked'")


def upgrade():
    op.create_table(
        'check_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('checked_in_at', partnering.db_types.UTCDateTime(), nullable=False),
        sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['checked_in_by_id'], ['account.id'],
                                name=op.f('fk_check_in_checked_in_by_id_account')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_check_in_event_id_event')),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                                name=op.f('fk_check_in_participant_id_participant'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
        sa.UniqueConstraint('participant_id', 'day', name=op.f('uq_check_in_participant_id')),
        sa.CheckConstraint("method IN ('desk', 'self')", name=op.f('ck_check_in_method')),
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_participant_id'), ['participant_id'],
                              unique=False)
    op.create_table(
        'no_show',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('marked_by_id', sa.Integer(), nullable=False),
        sa.Column('marked_at', partnering.db_types.UTCDateTime(), nullable=False),
        sa.Column('undone_at', partnering.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_no_show_event_id_event')),
        sa.ForeignKeyConstraint(['marked_by_id'], ['account.id'],
                                name=op.f('fk_no_show_marked_by_id_account')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_no_show_meeting_id_meeting'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['slot_id'], ['slot.id'],
                                name=op.f('fk_no_show_slot_id_slot'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_no_show')),
        sa.CheckConstraint("status IN ('marked', 'undone')", name=op.f('ck_no_show_status')),
    )
    with op.batch_alter_table('no_show', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_no_show_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_no_show_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('uq_no_show_marked', ['meeting_id', 'slot_id'], unique=True,
                              sqlite_where=MARKED, postgresql_where=MARKED)
    with op.batch_alter_table('schedule_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replan_from', partnering.db_types.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('absent_cutoff', partnering.db_types.UTCDateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('schedule_run', schema=None) as batch_op:
        batch_op.drop_column('absent_cutoff')
        batch_op.drop_column('replan_from')
    with op.batch_alter_table('no_show', schema=None) as batch_op:
        batch_op.drop_index('uq_no_show_marked', sqlite_where=MARKED, postgresql_where=MARKED)
        batch_op.drop_index(batch_op.f('ix_no_show_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_no_show_event_id'))
    op.drop_table('no_show')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_participant_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_event_id'))
    op.drop_table('check_in')
