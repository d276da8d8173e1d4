-- Up Migration

-- Transactional outbox: written in the same transaction as the change it announces, published
-- to Kafka by the relay, never lost while Kafka is down (ARCHITECTURE.md "Events").
CREATE TABLE outbox (
  position        bigserial PRIMARY KEY,
  event_id        uuid        NOT NULL UNIQUE,
  topic           text        NOT NULL,
  message_key     text        NOT NULL,
  event_type      text        NOT NULL,
  source          text        NOT NULL,
  subject         text,
  occurred_at     timestamptz NOT NULL,
  data            jsonb       NOT NULL,
  extensions      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz,
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text
);
CREATE INDEX outbox_pending ON outbox (position) WHERE published_at IS NULL;

-- Wake the relay as soon as a row commits (NOTIFY is delivered only on commit).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox_pending', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Idempotent inbox: one row per consumed event id; the handler's writes commit with it.
CREATE TABLE inbox (
  event_id     uuid        NOT NULL,
  consumer     text        NOT NULL,
  event_type   text        NOT NULL,
  topic        text        NOT NULL,
  kafka_partition integer  NOT NULL,
  kafka_offset bigint      NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

-- Events a handler kept failing on; kept for an operator instead of blocking the partition.
CREATE TABLE inbox_dead_letter (
  id           bigserial PRIMARY KEY,
  consumer     text        NOT NULL,
  event_id     text,
  event_type   text,
  topic        text        NOT NULL,
  kafka_partition integer  NOT NULL,
  kafka_offset bigint      NOT NULL,
  headers      jsonb       NOT NULL,
  payload      text,
  error        text        NOT NULL,
  failed_at    timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key (ARCHITECTURE.md "Conventions"): a repeat of a mutating POST returns the
-- first result. Scoped to the caller so one agency's key never answers another's request.
CREATE TABLE idempotency_keys (
  agency_code     text        NOT NULL,
  user_id         text        NOT NULL,
  idempotency_key text        NOT NULL,
  request_hash    text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  PRIMARY KEY (agency_code, user_id, idempotency_key)
);

-- Down Migration
-- Forward-only: schema changes are never rolled back in place; a new migration corrects them.
