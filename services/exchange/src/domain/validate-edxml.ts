import { createHash } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import { EdxmlRefused, hasErrors, parseEdxml } from './edxml/parse-edxml';
import { checkSignatureTrust } from './edxml/signature-trust';
import type { EdxmlValidation } from '../schemas/exchange';

export type ValidateEdxmlInput = { message: Buffer };

/**
 * What an integrator or a hub learns before sending: the parsed fields, the attachments found
 * (without their bytes) and every rule broken. A message that cannot be read at all is
 * answered as conformant=false with the one rule that stopped the parser, not as an error.
 */
export async function validateEdxml(
  input: ValidateEdxmlInput,
  options: { maxAttachmentBytes: number; trust?: Buffer[]; at?: Date },
): Promise<EdxmlValidation> {
  if (!Buffer.isBuffer(input.message) || input.message.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'send the edXML message as the request body (application/xml)');
  }
  const sha256 = createHash('sha256').update(input.message).digest('hex');
  try {
    const parsed = parseEdxml(input.message, { maxAttachmentBytes: options.maxAttachmentBytes });
    await checkSignatureTrust(parsed, { trust: options.trust ?? [], at: options.at ?? new Date() });
    if (parsed.kind === 'status') {
      return {
        conformant: !hasErrors(parsed.problems),
        kind: 'status',
        sha256,
        status: parsed.status,
        signature: parsed.signature,
        problems: parsed.problems,
      };
    }
    const { header, traceHeaders, business } = parsed.document;
    return {
      conformant: !hasErrors(parsed.problems),
      kind: 'edoc',
      sha256,
      header,
      traceHeaders,
      ...(business ? { business } : {}),
      attachments: parsed.attachments,
      signature: parsed.signature,
      problems: parsed.problems,
    };
  } catch (error) {
    if (!(error instanceof EdxmlRefused)) throw error;
    return {
      conformant: false,
      kind: 'unreadable',
      sha256,
      problems: [{ rule: error.rule, path: '/', message: error.message, severity: 'error' }],
    };
  }
}
