"""Privacy: the event's privacy note and contact setting, when consent was given

Revision ID: 0006
Revises: 0005

Participants' status gains "unconfirmed", "invited" and "deleted" (a plain string column:
nothing to change in the schema for them).
"""
from alembic import op
import sqlalchemy as sa

import partnering.db_types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('privacy_note', sa.Text(), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('contact_visibility', sa.String(length=20), nullable=False,
                      server_default='meeting')
        )
    # The defaults filled the existing events; the models set them from Python, as elsewhere.
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('privacy_note', server_default=None)
        batch_op.alter_column('contact_visibility', server_default=None)
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('privacy_consent_at', partnering.db_types.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_column('privacy_consent_at')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('contact_visibility')
        batch_op.drop_column('privacy_note')
