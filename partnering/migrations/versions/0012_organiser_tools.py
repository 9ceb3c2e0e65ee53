"""Organiser tools: an email written to the log is not "sent"; invitations; the digest

Revision ID: 0012
Revises: 0011

- outbox_message.status may be 'logged': written to the log because no mail server is set up.
- invitation: an organiser's invitation of an imported participant (one per participant).
- registration_digest: per event, up to when registrations were in the organisers' digest.
"""
from alembic import op
import sqlalchemy as sa

import partnering.db_types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BEFORE = ('waiting', 'sending', 'sent', 'failed')
AFTER = ('waiting', 'sending', 'sent', 'logged', 'failed')


def _condition(values):
    """The check as SQLAlchemy writes it for the models' Enum columns, so both agree."""
    return f"status IN ({', '.join(repr(v) for v in values)})"


def _outbox_states(values):
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_outbox_message_status'), _condition(values)
        )


def upgrade():
    _outbox_states(AFTER)
    op.create_table(
        'invitation',
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('invited_at', partnering.db_types.UTCDateTime(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['invited_by_id'], ['account.id'],
                                name=op.f('fk_invitation_invited_by_id_account')),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE',
                                name=op.f('fk_invitation_participant_id_participant')),
        sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_invitation')),
    )
    op.create_table(
        'registration_digest',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('sent_through', partnering.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_registration_digest_event_id_event')),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_registration_digest')),
    )


def downgrade():
    op.drop_table('registration_digest')
    op.drop_table('invitation')
    # Before this revision an email written to the log was recorded as sent.
    op.execute("UPDATE outbox_message SET status = 'sent' WHERE status = 'logged'")
    _outbox_states(BEFORE)
