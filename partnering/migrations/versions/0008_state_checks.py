"""The database checks every state column: it holds one of its state machine's values

Revision ID: 0008
Revises: 0006

Check constraints ck_<table>_<column> on the states of events (publication), participants,
meetings, meeting requests, scheduler runs and outbox emails; the values are those of the
StrEnums in the models (partnering.states), written out here as they are at this revision.

A row that already holds a value outside its list is not guessed at (a meeting in an unknown
state might be one to keep or one to drop): the upgrade stops before changing anything and
names the table, column, values and rows, so that someone who knows the data corrects them
and upgrades again.
"""
from alembic import op
from alembic.util import CommandError
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STATES = {
    ('event', 'schedule_state'): ('unpublished', 'preliminary', 'final'),
    ('participant', 'status'): (
        'unconfirmed', 'invited', 'pending', 'approved', 'rejected', 'deleted',
    ),
    ('meeting', 'status'): ('active', 'cancelled'),
    ('meeting_request', 'status'): ('pending', 'accepted', 'declined', 'withdrawn', 'expired'),
    ('schedule_run', 'status'): (
        'queued', 'running', 'done', 'failed', 'cancelled', 'applied', 'rejected',
    ),
    ('outbox_message', 'status'): ('waiting', 'sending', 'sent', 'failed'),
}
SHOWN_IDS = 5
"""Row ids named per unknown value; the count says how many there are in all."""


def _condition(column, values):
    """The check as SQLAlchemy writes it for the models' Enum columns, so both agree."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _unknown_states(connection):
    """One phrase per unknown value: "meeting.status 'confirmed' (2 rows: ids 4, 9; allowed:
    active, cancelled)"."""
    found = []
    for (table_name, column_name), values in STATES.items():
        table = sa.table(table_name, sa.column('id', sa.Integer), sa.column(column_name))
        column = table.c[column_name]
        rows = connection.execute(
            sa.select(column, table.c.id)
            .where(sa.or_(column.is_(None), column.not_in(values)))
            .order_by(column, table.c.id)
        ).all()
        by_value = {}
        for value, row_id in rows:
            by_value.setdefault(value, []).append(row_id)
        for value, ids in by_value.items():
            shown = ', '.join(str(i) for i in ids[:SHOWN_IDS])
            more = ', ...' if len(ids) > SHOWN_IDS else ''
            plural = 's' if len(ids) != 1 else ''
            found.append(
                f"{table_name}.{column_name} {value!r} ({len(ids)} row{plural}:"
                f" id{plural} {shown}{more}; allowed: {', '.join(values)})"
            )
    return found


def upgrade():
    unknown = _unknown_states(op.get_bind())
    if unknown:
        raise CommandError(
            'Rows hold states the application does not know: ' + '; '.join(unknown)
            + '. Correct them to an allowed value, then upgrade again; nothing was changed.'
        )
    for (table_name, column_name), values in STATES.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.create_check_constraint(
                batch_op.f(f'ck_{table_name}_{column_name}'), _condition(column_name, values)
            )


def downgrade():
    for table_name, column_name in reversed(list(STATES)):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table_name}_{column_name}'), type_='check')
