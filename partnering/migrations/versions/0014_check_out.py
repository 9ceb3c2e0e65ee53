"""Check-out

Revision ID: 0014
Revises: 0013

`check_in.checked_out_at`, `check_in.checked_out_by_id`: when a participant who left early was
checked out that day, and by whom (both empty while they are there).
"""
from alembic import op
import sqlalchemy as sa

import partnering.db_types


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_out_at', partnering.db_types.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('checked_out_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_check_in_checked_out_by_id_account'),
                                    'account', ['checked_out_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_check_in_checked_out_by_id_account'),
                                 type_='foreignkey')
        batch_op.drop_column('checked_out_by_id')
        batch_op.drop_column('checked_out_at')
