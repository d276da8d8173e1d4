-- Up Migration

-- The XML-DSig signature of each message as verified on receipt (integrity, signer, chain to the trust
-- store), or as signed on sending; NULL for messages recorded before signatures were handled.
ALTER TABLE exchanges ADD COLUMN signature jsonb;
