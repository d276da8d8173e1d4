import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signature, signedHeaders } from '../src/adapters/webhook-signer';

// The signature is computed with node's crypto; the `standardwebhooks` package is the specification's reference.

describe('Standard Webhooks signatures', () => {
  it('equal the reference implementation’s for any message id, time and body', () => {
    const secrets = [newWebhookSecret(), newWebhookSecret()];
    fc.assert(
      fc.property(
        fc.constantFrom(...secrets),
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') }),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        (secret, id, at, body) => {
          expect(signature(secret, id, at, body)).toBe(new Webhook(secret).sign(id, at, body));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('verify with the reference verifier, with either secret during a rotation, and not with another', () => {
    const [oldSecret, newSecret, stranger] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ type: 'document.issued', data: { notation: '15/QĐ-UBND' } });
    const headers = signedHeaders([newSecret, oldSecret], 'msg_1', new Date(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(stranger).verify(body, headers)).toThrow(/no matching signature/i);
    expect(() => new Webhook(newSecret).verify(`${body} `, headers)).toThrow(/no matching signature/i);
  });
});
