import { Type } from '@sinclair/typebox';
import { SubmissionComponents } from './submission';
import type { Static, TSchema } from '@sinclair/typebox';
import { AgencyCode, AuthorityPrefix, TaskAuthority } from '@vanthu/contracts';
import { ProcessDefinitionBody } from '../definitions/definition-schema';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const StoredDefinitionSchema = Type.Object(
  {
    id: Uuid,
    agencyCode: Nullable(AgencyCode),
    kind: Type.String(),
    version: Type.Integer(),
    definition: ProcessDefinitionBody,
    createdBy: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'ProcessDefinition' },
);
export const DefinitionList = Type.Object({ items: Type.Array(StoredDefinitionSchema) });

export const StartProcessBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming'), Type.Literal('submission')], {
      description: 'submission: a dossier sent up to the higher level (hồ sơ trình), from the unit leader’s account',
    }),
    documentId: Uuid,
    /** Starting variables the definition's gateways and assignees may read. */
    variables: Type.Optional(Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,40}$' }), Type.Unknown())),
    /** A submission's dossier besides the draft (documentId): the tờ trình and the attachments. */
    components: Type.Optional(SubmissionComponents),
  },
  { additionalProperties: false },
);
export type StartProcessBody = Static<typeof StartProcessBody>;

export const TaskAssigneeSchema = Type.Object({
  userId: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  unit: Type.Optional(Type.String()),
});

export const TaskView = Type.Object(
  {
    id: Uuid,
    processId: Uuid,
    step: Type.String(),
    name: Type.String(),
    state: Type.String({ description: 'open, claimed, completed, returned, cancelled' }),
    assignee: TaskAssigneeSchema,
    ownerUserId: Nullable(Type.String()),
    documentId: Uuid,
    documentVersion: Type.Integer({ description: 'The document version this task concerns' }),
    awaitingSignature: Nullable(
      Type.Object({
        kind: Type.String({ description: 'initial (ký nháy), approval, issue (organisation seal)' }),
        version: Type.Integer(),
        signer: Nullable(Type.String()),
      }),
    ),
    allowedActions: Type.Array(Type.String()),
    priority: Type.Integer(),
    urgent: Type.Boolean({ description: 'khẩn, thượng khẩn, hỏa tốc: presented first, at once' }),
    distributionRole: Nullable(Type.String({ description: 'lead (chủ trì), cooperate (phối hợp), inform (để biết)' })),
    direction: Nullable(Type.String({ description: 'Ý kiến chỉ đạo of the leader' })),
    dueAt: Nullable(Timestamp),
    overdue: Type.Boolean(),
    createdAt: Timestamp,
    completedAt: Nullable(Timestamp),
    completedBy: Nullable(Type.String()),
    progress: Type.Array(
      Type.Object({ at: Timestamp, by: Type.String(), text: Type.String(), percent: Type.Optional(Type.Integer()) }),
    ),
    authority: Nullable(TaskAuthority),
    review: Nullable(
      Type.Object(
        {
          submittedBy: Type.String({ description: 'The delegate who did the work' }),
          submittedAt: Timestamp,
          comment: Nullable(Type.String()),
        },
        { description: 'Delegated work waiting for its owner’s review (ownerReview steps)' },
      ),
    ),
  },
  { $id: 'Task' },
);
export type TaskView = Static<typeof TaskView>;

export const TaskListQuery = Type.Object(
  {
    assignee: Type.Optional(Type.Literal('me', { description: 'Only `me` (the caller) is supported' })),
    state: Type.Optional(
      Type.Union(['open', 'claimed', 'completed', 'returned', 'cancelled'].map((s) => Type.Literal(s))),
    ),
    dueBefore: Type.Optional(Timestamp),
    cursor: Type.Optional(Type.String({ maxLength: 400 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type TaskListQuery = Static<typeof TaskListQuery>;

export const TaskList = Type.Object({
  items: Type.Array(TaskView),
  nextCursor: Nullable(Type.String()),
  counts: Type.Record(Type.String(), Type.Integer(), { description: 'The caller’s tasks per state' }),
});

export const ProcessView = Type.Object(
  {
    id: Uuid,
    agencyCode: AgencyCode,
    kind: Type.String(),
    definitionId: Uuid,
    definitionVersion: Type.Integer(),
    documentId: Uuid,
    documentVersion: Type.Integer(),
    contentVersion: Type.Integer({ description: 'The latest uploaded content; signatures on older content are stale' }),
    state: Type.String(),
    outcome: Nullable(Type.String()),
    urgency: Nullable(Type.String()),
    variables: Type.Record(Type.String(), Type.Unknown()),
    startedBy: Type.String(),
    startedAt: Timestamp,
    completedAt: Nullable(Timestamp),
    tasks: Type.Array(TaskView),
    signatures: Type.Array(
      Type.Object({
        signatureId: Uuid,
        step: Type.String(),
        kind: Type.String(),
        signerUserId: Nullable(Type.String()),
        signedVersion: Type.Integer(),
        version: Type.Integer(),
        authorityPrefix: Nullable(Type.String()),
        valid: Type.Boolean({ description: 'Still vouches for the current content' }),
        signedAt: Timestamp,
      }),
    ),
  },
  { $id: 'Process' },
);
export type ProcessView = Static<typeof ProcessView>;

const Assignment = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
    dueAt: Type.Optional(Timestamp),
    direction: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, description: 'A person, or a unit whose leader takes it (userId or unit)' },
);

export const CompleteTaskBody = Type.Object(
  {
    comment: Type.Optional(Type.String({ maxLength: 4000 })),
    submission: Type.Optional(
      Type.Object(
        { components: Type.Optional(SubmissionComponents) },
        { additionalProperties: false, description: 'The sender sends the dossier up (again), its components as now' },
      ),
    ),
    registration: Type.Optional(
      Type.Object(
        {
          registerId: Uuid,
          typeCode: Type.Optional(Type.String({ minLength: 1, maxLength: 10 })),
          unitCode: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
        },
        { additionalProperties: false, description: 'Register the document (documents’ registration API)' },
      ),
    ),
    distribution: Type.Optional(
      Type.Object(
        {
          direction: Type.String({ minLength: 1, maxLength: 4000, description: 'Ý kiến chỉ đạo' }),
          lead: Type.Optional(Assignment),
          cooperate: Type.Optional(Type.Array(Assignment, { maxItems: 50 })),
          inform: Type.Optional(Type.Array(Assignment, { maxItems: 200 })),
        },
        { additionalProperties: false, description: 'NĐ 30/2020 Điều 23: chủ trì, phối hợp, để biết' },
      ),
    ),
    issuance: Type.Optional(
      Type.Object(
        {
          recipients: Type.Optional(
            Type.Array(
              Type.Object(
                { organId: Type.String({ minLength: 1, maxLength: 13 }), organName: Type.String({ maxLength: 200 }) },
                { additionalProperties: false },
              ),
              { maxItems: 500 },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    closing: Type.Optional(
      Type.Object(
        { result: Type.String({ minLength: 1, maxLength: 4000 }), dossierId: Type.Optional(Uuid) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CompleteTaskBody = Static<typeof CompleteTaskBody>;

export const ReturnTaskBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    toStep: Type.Optional(Type.String({ description: 'Any earlier step; default the one just before' })),
  },
  { additionalProperties: false },
);
export type ReturnTaskBody = Static<typeof ReturnTaskBody>;

export const DelegateTaskBody = Type.Object(
  {
    to: Type.String({ minLength: 1, maxLength: 100 }),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    /** On an approval step: the prefix the colleague signs under for the owner (default TUQ.). */
    authorityPrefix: Type.Optional(AuthorityPrefix),
  },
  { additionalProperties: false },
);
export type DelegateTaskBody = Static<typeof DelegateTaskBody>;

export const ReviewTaskBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('accept'), Type.Literal('return')], {
      description: 'accept: the delegate’s completion is applied; return: back to the delegate with the reason',
    }),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Required to return' })),
  },
  { additionalProperties: false },
);
export type ReviewTaskBody = Static<typeof ReviewTaskBody>;

export const ProgressBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type ProgressBody = Static<typeof ProgressBody>;

export const HistoryView = Type.Object({
  items: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      at: Timestamp,
      actor: Type.String(),
      action: Type.String(),
      taskId: Nullable(Uuid),
      step: Nullable(Type.String()),
      detail: Type.Record(Type.String(), Type.Unknown()),
      previousHash: Type.String(),
      hash: Type.String(),
    }),
  ),
});

export const ChainVerification = Type.Object({
  valid: Type.Boolean(),
  entries: Type.Integer(),
  firstBrokenSeq: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
  headHash: Nullable(Type.String()),
});
