import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { roles } from '@vanthu/platform';

const UserId = Type.String({ minLength: 1, maxLength: 200 });

export const NewDelegation = Type.Object(
  {
    kind: Type.Union([Type.Literal('delegation'), Type.Literal('absence')], {
      description:
        'delegation: the caller hands all of their tasks to a colleague for a period (ủy quyền); absence: a leader ' +
        'records another person’s absence and who receives their tasks',
    }),
    delegatorUserId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Whose tasks (absence only; a delegation is the caller’s own)',
      }),
    ),
    delegateUserId: UserId,
    role: Type.Optional(
      Type.Union(
        roles.filter((r) => r !== 'service').map((r) => Type.Literal(r)),
        { description: 'The role the delegate acts in for these tasks' },
      ),
    ),
    validFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
    validUntil: Type.String({ format: 'date-time' }),
    reason: Type.String({ minLength: 3, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type NewDelegation = Static<typeof NewDelegation>;

export const Delegation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    kind: Type.Union([Type.Literal('delegation'), Type.Literal('absence')]),
    delegatorUserId: Type.String(),
    delegateUserId: Type.String(),
    role: Type.Union([Type.String(), Type.Null()]),
    validFrom: Type.String({ format: 'date-time' }),
    validUntil: Type.String({ format: 'date-time' }),
    reason: Type.String(),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    revokedBy: Type.Union([Type.String(), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type Delegation = Static<typeof Delegation>;

export const DelegationList = Type.Object({ items: Type.Array(Delegation) });
export const DelegationQuery = Type.Object({
  userId: Type.Optional(UserId),
  activeAt: Type.Optional(Type.String({ format: 'date-time', description: 'Only those in force at this instant' })),
});
export const DelegationIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const DelegateQuery = Type.Object({ at: Type.Optional(Type.String({ format: 'date-time' })) });
export const ResolvedDelegate = Type.Object(
  { userId: Type.String(), at: Type.String({ format: 'date-time' }), receivedBy: Type.String() },
  { additionalProperties: false },
);
