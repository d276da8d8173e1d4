import { Writable } from 'node:stream';
import { createLogger } from '../src/logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger redaction', () => {
  it('never writes tokens, PINs, keys or personal ids', () => {
    const { stream, lines } = capture();
    const logger = createLogger('test', 'info', {}, stream);
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer eyJsecret',
            'x-vanthu-identity': 'eyJassertion',
            'x-request-id': 'req-12345678',
          },
        },
        hsm: { pin: '24681357', userPin: '87654321' },
        user: { password: 'hunter2', citizenId: '001085012345', name: 'Nguyễn Văn An' },
        key: { privateKey: '-----BEGIN PRIVATE KEY-----' },
      },
      'handled',
    );
    const text = JSON.stringify(lines());
    for (const secret of [
      'eyJsecret',
      'eyJassertion',
      '24681357',
      '87654321',
      'hunter2',
      '001085012345',
      'BEGIN PRIVATE KEY',
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain('req-12345678');
    expect(text).toContain('Nguyễn Văn An');
    expect(lines()[0]).toMatchObject({ service: 'test', msg: 'handled' });
  });
});
