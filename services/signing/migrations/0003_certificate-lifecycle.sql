-- Up Migration

-- A certificate's life after registration: released by its holder or an administrator
-- (unregistered, and then registrable again), or suspended by the service when its CA revokes it
-- or it expires. 'revoked' and 'deactivated' stay allowed for rows written before this migration.
ALTER TABLE certificates DROP CONSTRAINT certificates_status_check;
ALTER TABLE certificates ADD CONSTRAINT certificates_status_check
  CHECK (status IN ('registered', 'active', 'unregistered', 'suspended', 'revoked', 'deactivated'));
ALTER TABLE certificates
  ADD COLUMN suspended_at     timestamptz,
  ADD COLUMN suspension_cause text CHECK (suspension_cause IN ('revoked', 'expired')),
  ADD COLUMN revoked_at       timestamptz;

-- Who held which certificate when. One open holding per certificate at most.
CREATE TABLE certificate_holdings (
  id             uuid        PRIMARY KEY,
  certificate_id uuid        NOT NULL REFERENCES certificates (id),
  agency_code    text        NOT NULL,
  user_id        text        NOT NULL,
  held_from      timestamptz NOT NULL,
  held_until     timestamptz,
  ended_by       text,
  ended_how      text        CHECK (ended_how IN ('unregistered', 'reassigned')),
  end_reason     text,
  CHECK ((held_until IS NULL) = (ended_how IS NULL))
);
CREATE UNIQUE INDEX certificate_holdings_open ON certificate_holdings (certificate_id) WHERE held_until IS NULL;
CREATE INDEX certificate_holdings_by_user ON certificate_holdings (agency_code, user_id);

-- Every change to a certificate, who made it and why: the audit trail of the registry.
CREATE TABLE certificate_audit (
  id             bigserial   PRIMARY KEY,
  certificate_id uuid        NOT NULL REFERENCES certificates (id),
  agency_code    text        NOT NULL,
  action         text        NOT NULL CHECK (action IN ('registered', 'activated', 'unregistered', 'reassigned', 'suspended')),
  actor          text        NOT NULL,
  holder         text        NOT NULL,
  previous_holder text,
  reason         text,
  request_id     text,
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificate_audit_by_certificate ON certificate_audit (certificate_id, at);

-- Certificates registered before this migration: their holding starts at registration.
INSERT INTO certificate_holdings (id, certificate_id, agency_code, user_id, held_from)
  SELECT gen_random_uuid(), id, agency_code, user_id, registered_at FROM certificates;
