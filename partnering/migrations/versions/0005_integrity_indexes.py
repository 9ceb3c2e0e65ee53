"""The database refuses duplicates and double-bookings

Revision ID: 0005
Revises: 0004

Unique indexes: one active meeting per set of people in an event, one active meeting per slot
and table, nobody in two active meetings of one slot, one pending request per ordered pair,
one participant per calendar feed secret (a feed is found by its secret). Rows written before
these rules that break them are mended first, the way an organiser would: the older of two
duplicate meetings stays and the later is cancelled; of two meetings in one
place or one person's slot, the first stays placed and the other goes back to "not scheduled";
of two pending requests between the same people, the latest stays pending and the others are
withdrawn.
"""
from collections import defaultdict
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

meeting = sa.table(
    'meeting',
    sa.column('id', sa.Integer),
    sa.column('event_id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('slot_id', sa.Integer),
    sa.column('table_id', sa.Integer),
    sa.column('locked', sa.Boolean),
    sa.column('published_at', sa.DateTime),
    sa.column('cancelled_at', sa.DateTime),
    sa.column('sequence', sa.Integer),
    sa.column('participants_key', sa.String),
)
members = sa.table(
    'meeting_participant',
    sa.column('meeting_id', sa.Integer),
    sa.column('participant_id', sa.Integer),
    sa.column('slot_id', sa.Integer),
)
request = sa.table(
    'meeting_request',
    sa.column('id', sa.Integer),
    sa.column('sender_id', sa.Integer),
    sa.column('recipient_id', sa.Integer),
    sa.column('status', sa.String),
    sa.column('created_at', sa.DateTime),
    sa.column('answered_at', sa.DateTime),
)


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participants_key', sa.String(length=255), nullable=True))
    with op.batch_alter_table('meeting_participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_meeting_participant_slot_id_slot'), 'slot', ['slot_id'], ['id']
        )

    _mend_existing_rows(op.get_bind())

    active = sa.text("status = 'active'")
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(
            'uq_meeting_active_people', ['event_id', 'participants_key'], unique=True,
            sqlite_where=active, postgresql_where=active,
        )
        batch_op.create_index(
            'uq_meeting_active_place', ['slot_id', 'table_id'], unique=True,
            sqlite_where=active, postgresql_where=active,
        )
    with op.batch_alter_table('meeting_participant', schema=None) as batch_op:
        batch_op.create_index(
            'uq_meeting_participant_participant_slot', ['participant_id', 'slot_id'], unique=True
        )
    with op.batch_alter_table('feed_token', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_feed_token_secret'), ['secret'])
    pending = sa.text("status = 'pending'")
    with op.batch_alter_table('meeting_request', schema=None) as batch_op:
        batch_op.create_index(
            'uq_meeting_request_pending', ['sender_id', 'recipient_id'], unique=True,
            sqlite_where=pending, postgresql_where=pending,
        )


def _mend_existing_rows(bind):
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC
    people = defaultdict(list)
    for meeting_id, participant_id in bind.execute(
        sa.select(members.c.meeting_id, members.c.participant_id)
    ):
        people[meeting_id].append(participant_id)
    rows = bind.execute(
        sa.select(meeting.c.id, meeting.c.event_id, meeting.c.slot_id, meeting.c.table_id)
        .where(meeting.c.status == 'active')
        .order_by(meeting.c.id)
    ).all()

    keys, seen_people, cancelled = {}, set(), set()
    for m in rows:
        key = ','.join(str(p) for p in sorted(people[m.id]))
        keys[m.id] = key
        if (m.event_id, key) in seen_people:
            cancelled.add(m.id)
        seen_people.add((m.event_id, key))
    if keys:
        bind.execute(
            sa.update(meeting)
            .where(meeting.c.id == sa.bindparam('m_id'))
            .values(participants_key=sa.bindparam('key')),
            [{'m_id': m_id, 'key': key} for m_id, key in keys.items()],
        )
    if cancelled:
        bind.execute(
            sa.update(meeting)
            .where(meeting.c.id.in_(cancelled))
            .values(status='cancelled', cancelled_at=now, locked=False,
                    sequence=meeting.c.sequence + 1)
        )

    taken_places, taken_slots, unplaced = set(), set(), set()
    for m in rows:
        if m.id in cancelled or m.slot_id is None:
            continue
        place = (m.slot_id, m.table_id)
        slots = {(p, m.slot_id) for p in people[m.id]}
        if (m.table_id is not None and place in taken_places) or slots & taken_slots:
            unplaced.add(m.id)
            continue
        taken_places.add(place)
        taken_slots |= slots
    if unplaced:
        bind.execute(
            sa.update(meeting)
            .where(meeting.c.id.in_(unplaced))
            .values(slot_id=None, table_id=None, locked=False, published_at=None,
                    sequence=meeting.c.sequence + 1)
        )
    placed = [
        {'m_id': m.id, 'slot': m.slot_id}
        for m in rows
        if m.id not in cancelled and m.id not in unplaced and m.slot_id is not None
    ]
    if placed:
        bind.execute(
            sa.update(members)
            .where(members.c.meeting_id == sa.bindparam('m_id'))
            .values(slot_id=sa.bindparam('slot')),
            placed,
        )

    latest = {}
    stale = []
    for r in bind.execute(
        sa.select(request.c.id, request.c.sender_id, request.c.recipient_id)
        .where(request.c.status == 'pending')
        .order_by(request.c.created_at, request.c.id)
    ):
        pair = (r.sender_id, r.recipient_id)
        if pair in latest:
            stale.append(latest[pair])
        latest[pair] = r.id
    if stale:
        bind.execute(
            sa.update(request)
            .where(request.c.id.in_(stale))
            .values(status='withdrawn', answered_at=now)
        )


def downgrade():
    with op.batch_alter_table('feed_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_feed_token_secret'), type_='unique')
    with op.batch_alter_table('meeting_request', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_request_pending')
    with op.batch_alter_table('meeting_participant', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_participant_participant_slot')
        batch_op.drop_constraint(
            batch_op.f('fk_meeting_participant_slot_id_slot'), type_='foreignkey'
        )
        batch_op.drop_column('slot_id')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_active_place')
        batch_op.drop_index('uq_meeting_active_people')
        batch_op.drop_column('participants_key')
