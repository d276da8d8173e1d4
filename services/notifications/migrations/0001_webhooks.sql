-- Up Migration

-- An integrator's endpoint for one agency (issue 15 item 2). The secret is kept in the clear because every
-- delivery is signed with it (Standard Webhooks 1.0 "Signature scheme": HMAC-SHA256 with the shared secret);
-- the previous secret keeps signing until previous_secret_until so a rotation never breaks pending deliveries.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  agency_code text NOT NULL,
  url text NOT NULL CHECK (url ~ '^https?://'),
  description text NOT NULL DEFAULT '',
  event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
  secret text NOT NULL CHECK (secret LIKE 'whsec_%'),
  previous_secret text CHECK (previous_secret LIKE 'whsec_%'),
  previous_secret_until timestamptz,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  -- The first failure after the last success: an endpoint failing for WEBHOOK_DISABLE_AFTER_DAYS is disabled.
  failing_since timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz,
  CHECK ((previous_secret IS NULL) = (previous_secret_until IS NULL)),
  CHECK ((state = 'disabled') = (disabled_at IS NOT NULL))
);
CREATE INDEX webhook_endpoints_agency ON webhook_endpoints (agency_code, created_at) WHERE deleted_at IS NULL;

-- One message per event and agency: its id is the webhook-id header, the same on every attempt and replay,
-- so receivers de-duplicate. The body is stored as sent (ids, versions and hashes; never document bytes).
CREATE TABLE webhook_messages (
  id text PRIMARY KEY,
  event_id uuid NOT NULL,
  agency_code text NOT NULL,
  event_type text NOT NULL,
  body text NOT NULL,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (event_id, event_type)
);

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id),
  message_id text NOT NULL REFERENCES webhook_messages (id),
  agency_code text NOT NULL,
  replay_of uuid REFERENCES webhook_deliveries (id),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  -- A worker holds a delivery while its request is in flight; an expired lease (crashed worker) is taken again.
  lease_until timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
-- The fan-out of one event to one endpoint happens once, however often the event arrives.
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (endpoint_id, message_id) WHERE replay_of IS NULL;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (endpoint_id) WHERE state = 'pending' AND lease_until IS NOT NULL;
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
  attempt integer NOT NULL CHECK (attempt >= 1),
  attempted_at timestamptz NOT NULL,
  status integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
