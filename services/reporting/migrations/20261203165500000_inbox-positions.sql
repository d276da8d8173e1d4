-- Up Migration

-- Up to which event each source partition is counted, kept as the inbox grows instead of scanning every inbox row on
-- every report (the freshness block took a third of the province report at 60,000 events and grows with every event
-- ever counted: bench/reporting/results.md). One statement-level trigger per inbox insert (a batch of 500 is one
-- statement), so the projection pays one upsert per batch, not per event.
CREATE TABLE inbox_positions (
  consumer          text        NOT NULL,
  topic             text        NOT NULL,
  kafka_partition   integer     NOT NULL,
  events            bigint      NOT NULL,
  last_offset       bigint      NOT NULL,
  last_processed_at timestamptz NOT NULL,
  PRIMARY KEY (consumer, topic, kafka_partition)
);

CREATE FUNCTION inbox_positions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO inbox_positions (consumer, topic, kafka_partition, events, last_offset, last_processed_at)
  SELECT consumer, topic, kafka_partition, count(*), max(kafka_offset), max(processed_at)
    FROM added GROUP BY consumer, topic, kafka_partition
  ON CONFLICT (consumer, topic, kafka_partition) DO UPDATE SET
    events = inbox_positions.events + EXCLUDED.events,
    last_offset = GREATEST(inbox_positions.last_offset, EXCLUDED.last_offset),
    last_processed_at = GREATEST(inbox_positions.last_processed_at, EXCLUDED.last_processed_at);
  RETURN NULL;
END $$;

CREATE TRIGGER inbox_positions_add AFTER INSERT ON inbox
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION inbox_positions_add();

INSERT INTO inbox_positions (consumer, topic, kafka_partition, events, last_offset, last_processed_at)
SELECT consumer, topic, kafka_partition, count(*), max(kafka_offset), max(processed_at)
  FROM inbox GROUP BY consumer, topic, kafka_partition;

-- Down Migration
-- Forward-only: schema changes are never rolled back in place; a new migration corrects them.
