import { AppError } from './errors';

// PostgreSQL's text cannot hold U+0000, and a lone UTF-16 surrogate has no UTF-8 form: either one reaching an
// INSERT fails the statement, which the caller would see as a 500 (and which a hostile client could use to probe).
// Every JSON body and multipart metadata part is checked once, at the edge, so that the refusal is a 400 naming
// the field and no use case has to think about it.

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (loneSurrogate.test(text)) return 'contains a lone UTF-16 surrogate, which is not text';
  return undefined;
}

/** The first string (value or key) of a parsed JSON value that no text column can store, with why. */
export function findUnstorableText(value: unknown, at: string): { field: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? { field: at, message } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnstorableText(value[i], `${at}.${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyMessage = unstorable(key);
      if (keyMessage) return { field: at, message: `a property name ${keyMessage}` };
      const found = findUnstorableText(item, `${at}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Refuses (400 VALIDATION_FAILED, naming the field) a parsed body holding text that cannot be stored. */
export function assertStorableText(value: unknown, at: string): void {
  const found = findUnstorableText(value, at);
  if (found) throw new AppError('VALIDATION_FAILED', `${found.field}: ${found.message}`, { errors: [found] });
}
