export type SignerInfo = { competence?: string; position?: string; fullName: string };

/**
 * Phụ lục VI SignerInfo of the delivered document: the issuer's declared signer, under the authority prefix the
 * approval was actually signed with (NĐ 30/2020 Điều 13: TM., KT., Q., TL., TUQ.), which wins over the declared one.
 */
export function deliveredSignerInfo(declared: unknown, approvalPrefix: string | null): SignerInfo | undefined {
  if (typeof declared !== 'object' || declared === null) return undefined;
  const { competence, position, fullName } = declared as Record<string, unknown>;
  if (typeof fullName !== 'string' || fullName.length === 0) return undefined;
  const prefix = approvalPrefix ?? (typeof competence === 'string' ? competence : undefined);
  return {
    fullName,
    ...(prefix ? { competence: prefix } : {}),
    ...(typeof position === 'string' ? { position } : {}),
  };
}
