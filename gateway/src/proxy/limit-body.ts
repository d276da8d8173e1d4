import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { AppError } from '@vanthu/platform';

export class BodyTooLargeError extends AppError {
  constructor(limit: number) {
    super('PAYLOAD_TOO_LARGE', `uploads are limited to ${limit} bytes`);
  }
}

/**
 * Passes a request body through while counting it, and fails the stream the moment it passes
 * the limit. This covers bodies sent without a Content-Length (chunked), which the onRequest
 * check cannot see; nothing is buffered here, the bytes stream on to the service.
 */
export function limitBody(payload: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLargeError(limit));
      else callback(null, chunk);
    },
  });
  payload.on('error', (error) => counter.destroy(error));
  return payload.pipe(counter);
}
