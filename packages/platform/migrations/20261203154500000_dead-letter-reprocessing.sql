-- Up Migration

-- A dead letter stays for an operator (unreadable, schema-breaking, of an unknown version, or a handler that kept
-- failing) until reprocessDeadLetters takes it through the inbox again; reprocessed_at marks it done, in the same
-- transaction as the inbox row and the handler's writes (ARCHITECTURE.md "Events").
ALTER TABLE inbox_dead_letter ADD COLUMN reprocessed_at timestamptz;

-- One letter per message and consumer: a message delivered again (a redelivery before its offset was committed, a
-- rebuild's replay from offset 0) updates its letter instead of adding another. Earlier duplicates keep the oldest.
DELETE FROM inbox_dead_letter l USING inbox_dead_letter older
 WHERE older.consumer = l.consumer AND older.topic = l.topic AND older.kafka_partition = l.kafka_partition
   AND older.kafka_offset = l.kafka_offset AND older.id < l.id;
CREATE UNIQUE INDEX inbox_dead_letter_per_message ON inbox_dead_letter (consumer, topic, kafka_partition, kafka_offset);
CREATE INDEX inbox_dead_letter_open ON inbox_dead_letter (consumer, id) WHERE reprocessed_at IS NULL;

-- Down Migration
-- Forward-only: schema changes are never rolled back in place; a new migration corrects them.
