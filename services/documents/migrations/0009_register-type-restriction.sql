-- Up Migration

-- A register may be kept for some document types only (its own series, NĐ 30/2020 Điều 15.1:
-- each VBQPPL type numbers separately); NULL takes every type of its direction.
ALTER TABLE registers ADD COLUMN type_codes text[];

-- Down Migration
-- Forward-only.
