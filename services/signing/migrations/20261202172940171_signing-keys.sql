-- Up Migration
-- Organisation seal keys an agency's administrator generates through the API (POST /v1/signing-keys) instead of
-- listing them in the service's configuration (HSM_SEALS, kept for bootstrapping). The private key is generated in
-- the HSM and never leaves it; this table holds what points to it (the token's CKA_ID), the public key and the
-- certification request made with it, and then the certificate the CA issued for it.
CREATE TABLE signing_keys (
  id uuid PRIMARY KEY,
  agency_code text NOT NULL,
  -- CKA_ID of the key pair in the token (SHA-1 of the RSA public key, the certificate's Subject Key Identifier)
  key_id_hex text NOT NULL UNIQUE CHECK (key_id_hex ~ '^[0-9a-f]+$'),
  key_label text NOT NULL,
  algorithm text NOT NULL CHECK (algorithm IN ('rsa-2048', 'rsa-3072')),
  -- SubjectPublicKeyInfo as the HSM reported it when the key was generated: a certificate must carry exactly this
  public_key_der bytea NOT NULL,
  -- the PKCS#10 request (RFC 2986) signed by the HSM key, handed to the CA
  csr_der bytea NOT NULL,
  subject text NOT NULL,
  -- pending: waiting for its certificate; active: it may seal; retired: it never seals again
  status text NOT NULL CHECK (status IN ('pending', 'active', 'retired')),
  -- the key this one replaces (rotation before the old certificate expires; both seal-valid during the overlap)
  rotates_key_id uuid REFERENCES signing_keys (id),
  certificate_der bytea,
  certificate_sha256 text CHECK (certificate_sha256 ~ '^[0-9a-f]{64}$'),
  certificate_subject text,
  certificate_issuer text,
  certificate_serial_hex text,
  -- the intermediates from the certificate up to (not including) the trusted root, DER, embedded in every seal
  chain_der bytea[] NOT NULL DEFAULT '{}',
  not_before timestamptz,
  not_after timestamptz,
  generated_by text NOT NULL,
  generated_at timestamptz NOT NULL,
  activated_by text,
  activated_at timestamptz,
  retired_by text,
  retired_at timestamptz,
  retirement_reason text,
  CHECK (status <> 'active' OR (certificate_der IS NOT NULL AND activated_at IS NOT NULL)),
  CHECK (status <> 'retired' OR retired_at IS NOT NULL),
  CHECK ((certificate_der IS NULL) = (certificate_sha256 IS NULL))
);

-- One request waiting for its certificate per agency at a time: a second generation (or rotation) while one is
-- pending is refused rather than leaving keys in the HSM that nobody certifies.
CREATE UNIQUE INDEX signing_keys_one_pending ON signing_keys (agency_code) WHERE status = 'pending';
-- The seal of an agency is its newest active key.
CREATE INDEX signing_keys_active ON signing_keys (agency_code, activated_at DESC) WHERE status = 'active';
