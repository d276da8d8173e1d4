import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { registerCreatedV1 } from '@vanthu/contracts';
import type { RegisterCreatedV1 } from '@vanthu/contracts';
import { insertRegister } from '../repositories/registers-repository';
import { checkTypeCode } from '../documents/check-document-metadata';
import type { NewRegister, Register } from '../schemas/register';
import type { DocumentsContext } from '../context';
import { documentEventMeta } from '../documents/document-events';

/**
 * Opens a register (sổ đăng ký văn bản). Each register is its own number series per year;
 * separate series the decree requires (văn bản mật are refused anyway, each VBQPPL type, each
 * tổ chức tư vấn using the seal — NĐ 30/2020 Điều 15.1–15.2, Phụ lục I.II.3.a) are separate registers.
 */
export type CreateRegisterInput = { register: NewRegister };

export async function createRegister(input: CreateRegisterInput, ctx: DocumentsContext): Promise<Mutation<Register>> {
  const { identity } = ctx;
  requireRole(identity, 'clerk', 'admin');
  const typeCodes =
    input.register.typeCodes?.map((code, i) => checkTypeCode(code, `body.typeCodes.${i}`) as string) ?? null;
  const { result, replayed } = await ctx.runInTransaction(async (tx) => {
    const register = await insertRegister(tx, {
      typeCodes,
      id: randomUUID(),
      agencyCode: identity.agencyCode,
      name: input.register.name.normalize('NFC').trim(),
      direction: input.register.direction,
      description: input.register.description?.normalize('NFC') ?? null,
      createdBy: identity.userId,
    });
    if (!register) throw new AppError('CONFLICT', `the agency already has a register named ${input.register.name}`);
    const event: RegisterCreatedV1 = {
      registerId: register.id,
      agencyCode: register.agencyCode,
      name: register.name,
      direction: register.direction,
      createdBy: register.createdBy,
      createdAt: register.createdAt,
    };
    await enqueueEvent(tx, registerCreatedV1, register.id, event, documentEventMeta(ctx), ctx.topicPrefix);
    return register;
  });
  return { result, replayed };
}
