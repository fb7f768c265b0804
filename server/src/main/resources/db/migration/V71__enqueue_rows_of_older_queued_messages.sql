-- A message left 'queued' by a hub from before V70 has no message_enqueues row, and the outbound sweeper
-- (docs/messages.md, "Messages that never reached the queue") re-queues only what such a row lists: one
-- that never reached the outbound queue would never be sent. Every such message gets a row here, 500 ids a
-- row, dated like its oldest message, so the first sweep after the upgrade queues them. One that did reach the
-- queue and still waits there is then on it twice, and sent once: the sender claims a message (queued ->
-- sending) before it sends, and the second delivery finds it no longer queued.
--
-- Only messages written before V70 was installed: the ones a V70 hub queued that have no row did reach the
-- queue (their sender deleted the row with the broker's commit), and a row listing them would carry the
-- duplicate-detection key of their sender's broker transaction (made from the least id), which the broker
-- drops as a duplicate together with every other id of the row.
INSERT INTO message_enqueues (message_ids, created_at)
SELECT array_agg(id ORDER BY id), min(created_at)
FROM (SELECT m.id, m.created_at, (row_number() OVER (ORDER BY m.id) - 1) / 500 AS n
      FROM messages m
      WHERE m.status = 'queued'
        AND m.created_at < (SELECT coalesce(min(installed_on), now()) FROM "${flyway:table}" WHERE version = '70')
        AND NOT EXISTS (SELECT 1 FROM message_enqueues e WHERE m.id = ANY (e.message_ids))) older
GROUP BY n;
