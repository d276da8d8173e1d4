import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export type HashName = 'sha256' | 'sha384' | 'sha512';
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

export const hashOids: Record<HashName, string> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};
const hashLengths: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };
const rsaPkcs1Oids: Record<HashName, string> = {
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};
const ecdsaOids: Record<HashName, string> = {
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

export const hashAlgorithmIdentifier = (hash: HashName): pkijs.AlgorithmIdentifier =>
  new pkijs.AlgorithmIdentifier({ algorithmId: hashOids[hash], algorithmParams: new asn1js.Null() });

/** The signatureAlgorithm of a SignerInfo (RFC 5754, RFC 4056 for PSS, RFC 5758 for ECDSA). */
export function signatureAlgorithmIdentifier(scheme: SignatureScheme, hash: HashName): pkijs.AlgorithmIdentifier {
  if (scheme === 'rsa-pkcs1')
    return new pkijs.AlgorithmIdentifier({ algorithmId: rsaPkcs1Oids[hash], algorithmParams: new asn1js.Null() });
  if (scheme === 'ecdsa') return new pkijs.AlgorithmIdentifier({ algorithmId: ecdsaOids[hash] });
  const params = new pkijs.RSASSAPSSParams({
    hashAlgorithm: hashAlgorithmIdentifier(hash),
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: '1.2.840.113549.1.1.8',
      algorithmParams: hashAlgorithmIdentifier(hash).toSchema(),
    }),
    saltLength: hashLengths[hash],
  });
  return new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.113549.1.1.10', algorithmParams: params.toSchema() });
}

export const saltLengthOf = (hash: HashName): number => hashLengths[hash];
