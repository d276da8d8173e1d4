-- Up Migration

-- Projection of documents built only from events (ARCHITECTURE.md "Reporting from events": reporting owns
-- projections and can be rebuilt by replaying the topics from the beginning).
CREATE TABLE document_facts (
  document_id  uuid        PRIMARY KEY,
  agency_code  text        NOT NULL,
  direction    text        NOT NULL,
  created_at   timestamptz NOT NULL,
  event_id     uuid        NOT NULL
);
CREATE INDEX document_facts_by_agency_month ON document_facts (agency_code, created_at);

-- Down Migration
-- Forward-only.
