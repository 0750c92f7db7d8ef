"""PostgreSQL: item rows announce their own changes (NOTIFY), whoever writes them.

One statement-level trigger per INSERT and UPDATE of queue_items sends, on the channel of
store/notify.py, one notice per new status ({"event": "status", "status", "items": ids}), one per
progress write ({"event": "progress", "item", "batch", "node", "fraction"}) and one for cancel
requests. The server does it in the writing transaction, so a claim or a result costs no extra
round trip, and PostgreSQL delivers the notices at commit. Other databases: nothing to do.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHANNEL = "nodeeditor_queue"  # store/notify.py: CHANNEL
FUNCTION = f"""
CREATE OR REPLACE FUNCTION nodeeditor_queue_items_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR r IN SELECT status, (array_agg(id ORDER BY id))[1:200] AS ids FROM new_rows GROUP BY status LOOP
            PERFORM pg_notify('{CHANNEL}', json_build_object('event', 'status', 'status', r.status,
                                                             'items', r.ids)::text);
        END LOOP;
        RETURN NULL;
    END IF;
    FOR r IN SELECT n.status, (array_agg(n.id ORDER BY n.id))[1:200] AS ids
             FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.status IS DISTINCT FROM o.status GROUP BY n.status LOOP
        PERFORM pg_notify('{CHANNEL}', json_build_object('event', 'status', 'status', r.status,
                                                         'items', r.ids)::text);
    END LOOP;
    FOR r IN SELECT n.id, n.batch_id, n.progress_node, n.progress
             FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.status = o.status AND n.progress_at IS DISTINCT FROM o.progress_at
               AND n.progress_at IS NOT NULL
             ORDER BY n.id LIMIT 200 LOOP
        PERFORM pg_notify('{CHANNEL}', json_build_object('event', 'progress', 'item', r.id, 'batch', r.batch_id,
                                                         'node', r.progress_node, 'fraction', r.progress)::text);
    END LOOP;
    FOR r IN SELECT (array_agg(n.id ORDER BY n.id))[1:200] AS ids
             FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.cancel_requested AND NOT o.cancel_requested HAVING count(*) > 0 LOOP
        PERFORM pg_notify('{CHANNEL}', json_build_object('event', 'cancel_requested', 'items', r.ids)::text);
    END LOOP;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER queue_items_notify_insert AFTER INSERT ON queue_items"
               " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nodeeditor_queue_items_notify()")
    op.execute("CREATE TRIGGER queue_items_notify_update AFTER UPDATE ON queue_items"
               " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
               " FOR EACH STATEMENT EXECUTE FUNCTION nodeeditor_queue_items_notify()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS queue_items_notify_update ON queue_items")
    op.execute("DROP TRIGGER IF EXISTS queue_items_notify_insert ON queue_items")
    op.execute("DROP FUNCTION IF EXISTS nodeeditor_queue_items_notify()")
