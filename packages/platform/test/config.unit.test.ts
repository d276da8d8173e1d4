import { Type } from '@sinclair/typebox';
import { ConfigError, loadConfig } from '../src/config';

const schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  LOG_LEVEL: Type.String({ default: 'info' }),
});

describe('loadConfig', () => {
  it('converts numbers and applies defaults', () => {
    const config = loadConfig('svc', schema, { PORT: '3101', DATABASE_URL: 'postgres://x@127.0.0.1/db' });
    expect(config).toEqual({ PORT: 3101, DATABASE_URL: 'postgres://x@127.0.0.1/db', LOG_LEVEL: 'info' });
  });

  it('reports every problem at once, naming each variable', () => {
    let caught: unknown;
    try {
      loadConfig('documents', schema, { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toMatch(/^documents: invalid configuration, refusing to start/);
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
  });

  it('treats an empty variable as missing', () => {
    expect(() => loadConfig('svc', schema, { PORT: '1', DATABASE_URL: '' })).toThrow(/DATABASE_URL.*missing/);
  });
});
