-- Up Migration

-- One row per edXML message this instance sent or received through a hub.
CREATE TABLE exchanges (
  id                 uuid        PRIMARY KEY,
  direction          text        NOT NULL CHECK (direction IN ('sent', 'received')),
  agency_code        text        NOT NULL,
  delivery_id        uuid,
  document_id        uuid,
  document_version   integer,
  hub                text        NOT NULL,
  edxml_document_id  text,
  business_doc_type  smallint    NOT NULL DEFAULT 0,
  counterparts       jsonb       NOT NULL DEFAULT '[]',
  state              text        NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'received', 'rejected')),
  transport_id       text,
  edxml              bytea,
  edxml_sha256       text,
  problems           jsonb       NOT NULL DEFAULT '[]',
  last_error         text,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  sent_at            timestamptz,
  received_at        timestamptz
);
-- A delivery request is sent once however often it is redelivered.
CREATE UNIQUE INDEX exchanges_one_per_delivery ON exchanges (delivery_id) WHERE delivery_id IS NOT NULL;
-- A message fetched from a hub is received once per agency, whether polled or pushed twice.
CREATE UNIQUE INDEX exchanges_received_once ON exchanges (agency_code, hub, transport_id)
  WHERE direction = 'received' AND transport_id IS NOT NULL;
CREATE INDEX exchanges_by_agency ON exchanges (agency_code, created_at DESC);
CREATE INDEX exchanges_by_edxml_id ON exchanges (agency_code, edxml_document_id);

-- Status messages (QCVN 102:2016 StatusCode) per exchange, per organ and direction; append-only.
CREATE TABLE exchange_statuses (
  id            bigserial   PRIMARY KEY,
  exchange_id   uuid        NOT NULL REFERENCES exchanges (id),
  direction     text        NOT NULL CHECK (direction IN ('sent', 'received')),
  organ_id      text        NOT NULL,
  status_code   text        NOT NULL,
  description   text        NOT NULL,
  at            timestamptz NOT NULL,
  transport_id  text,
  created_at    timestamptz NOT NULL
);
CREATE INDEX exchange_statuses_by_exchange ON exchange_statuses (exchange_id, id);
CREATE UNIQUE INDEX exchange_statuses_received_once ON exchange_statuses (transport_id)
  WHERE direction = 'received' AND transport_id IS NOT NULL;

-- Work toward the hubs: a durable queue, retried with exponential backoff while a hub is down.
CREATE TABLE hub_jobs (
  id               uuid        PRIMARY KEY,
  exchange_id      uuid        NOT NULL REFERENCES exchanges (id),
  kind             text        NOT NULL CHECK (kind IN ('send-edoc', 'send-status', 'acknowledge')),
  payload          jsonb       NOT NULL DEFAULT '{}',
  state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL,
  finished_at      timestamptz
);
CREATE INDEX hub_jobs_due ON hub_jobs (next_attempt_at) WHERE state = 'pending';

-- The exchange log: every message sent and received, append-only and hash-chained, so an
-- auditor can prove a given edXML was sent or received at a given time and not altered since.
CREATE TABLE exchange_log (
  position        bigint      PRIMARY KEY,
  exchange_id     uuid        NOT NULL,
  agency_code     text        NOT NULL,
  direction       text        NOT NULL,
  message_kind    text        NOT NULL,
  hub             text        NOT NULL,
  transport_id    text,
  edxml_document_id text,
  message_sha256  text        NOT NULL,
  outcome         text        NOT NULL,
  at              timestamptz NOT NULL,
  previous_hash   text        NOT NULL,
  entry_hash      text        NOT NULL UNIQUE
);
CREATE INDEX exchange_log_by_exchange ON exchange_log (exchange_id, position);

CREATE FUNCTION exchange_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'exchange_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER exchange_log_no_update BEFORE UPDATE OR DELETE ON exchange_log
  FOR EACH ROW EXECUTE FUNCTION exchange_log_append_only();

-- Down Migration
-- Forward-only.
