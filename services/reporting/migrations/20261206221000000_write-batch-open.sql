-- Up Migration

-- A transaction whose projection handlers queued writes in its write batch (services/reporting/src/repositories/
-- write-batch.ts) must send them before it commits. The batch used to rely on every caller passing the consumer's
-- `afterHandlers` next to its handlers; a caller that left it out committed the inbox rows (the events counted as
-- done) without their facts, silently. Now the batch marks itself open in the transaction on its first write and
-- removes the mark when it sends the writes; a deferred constraint trigger refuses to commit while the mark is there,
-- so the transaction fails, nothing of it is kept and the events are read again.
CREATE TABLE write_batch_open (
  xact bigint PRIMARY KEY DEFAULT txid_current()
);

CREATE FUNCTION write_batch_unsent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM write_batch_open WHERE xact = NEW.xact) THEN
    RAISE EXCEPTION USING
      MESSAGE = 'projection writes queued in this transaction were never sent: its write batch was not flushed',
      HINT = 'pass the consumer''s afterHandlers with its handlers (reportingConsumer)';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER write_batch_sent AFTER INSERT ON write_batch_open
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION write_batch_unsent();
