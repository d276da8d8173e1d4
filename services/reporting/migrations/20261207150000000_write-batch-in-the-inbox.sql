-- Up Migration

-- The write batch is the inbox consumer's now (packages/platform/src/inbox.ts `writeBatch`): the inbox makes it for
-- each transaction, gives the handlers its writer and sends it before the commit, so the pairing the database check
-- of migration 20261206221000000 guarded cannot be left out. That check cost every projection transaction an INSERT
-- and a DELETE on write_batch_open and a deferred constraint trigger (issue 9: the guard at the wrong depth).
DROP TABLE write_batch_open;
DROP FUNCTION write_batch_unsent();

-- Down Migration
-- Forward-only: schema changes are never rolled back in place; a new migration corrects them.
