import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AuthorityPrefix } from '@vanthu/contracts';

// A process definition is data in BPMN 2.0 vocabulary (startEvent, userTask, exclusiveGateway,
// parallelGateway, endEvent, sequenceFlow, multiInstance, boundary timer events), stored as JSON,
// versioned per agency, so an agency changes its own flow without a release.

const Duration = Type.Object(
  {
    workingDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    workingHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 2000 })),
  },
  { additionalProperties: false, description: 'An amount of working time on the agency calendar' },
);

export const TaskAction = Type.Union([
  Type.Literal('claim'),
  Type.Literal('complete'),
  Type.Literal('return'),
  Type.Literal('delegate'),
  Type.Literal('forward'),
]);
export type TaskAction = Static<typeof TaskAction>;

const Assignee = Type.Object(
  {
    role: Type.String({ minLength: 1, description: 'The role that holds the task (clerk, unit-leader, …)' }),
    unit: Type.Optional(
      Type.String({ description: "'starter' = the unit of the person who started the process; else a unit code" }),
    ),
    user: Type.Optional(
      Type.String({
        description: "'starter' = the person who started the process; 'variable:<name>' = a process variable",
      }),
    ),
  },
  { additionalProperties: false },
);

const BoundaryTimer = Type.Object(
  {
    type: Type.Literal('timer'),
    kind: Type.Union([Type.Literal('reminder'), Type.Literal('escalation')]),
    /** Reminders fire before the deadline, escalations after it. */
    offset: Duration,
    interrupting: Type.Boolean({ default: false }),
    escalateTo: Type.Optional(Assignee),
  },
  { additionalProperties: false },
);

const UserTask = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }),
    type: Type.Literal('userTask'),
    name: Type.String({ minLength: 1 }),
    assignee: Assignee,
    actions: Type.Array(TaskAction, { minItems: 1, uniqueItems: true }),
    /** The step completes only when signing reports a signature of this kind by the assignee. */
    signature: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('initial'), Type.Literal('approval'), Type.Literal('issue')]),
          /** An approval signed under a prefix by whoever holds the step, e.g. TM. for a collective's head. */
          authorityPrefix: Type.Optional(AuthorityPrefix),
        },
        { additionalProperties: false },
      ),
    ),
    /** Earlier signature steps whose signatures must still vouch for the current content. */
    requiresSignaturesOf: Type.Optional(Type.Array(Type.String(), { uniqueItems: true })),
    /** A step of the author that hands a (new) version on: routing asks documents for the current version. */
    submitsVersion: Type.Optional(Type.Boolean()),
    /** A step whose completion carries a form: the leader's distribution, a registration, a closing. */
    form: Type.Optional(
      Type.Union([
        Type.Literal('registration'),
        Type.Literal('distribution'),
        Type.Literal('issuance'),
        Type.Literal('closing'),
        Type.Literal('submission'),
        Type.Literal('dossier-check'),
      ]),
    ),
    dueIn: Type.Optional(Duration),
    /**
     * Ủy quyền with review: when a delegate completes the step, it goes back to its owner, who accepts (the
     * completion is applied then) or returns it to the delegate with a reason. Not on signature steps.
     */
    ownerReview: Type.Optional(Type.Boolean()),
    multiInstance: Type.Optional(
      Type.Object(
        {
          collection: Type.String({ description: 'Process variable holding the list of assignees' }),
          completion: Type.Union([
            Type.Literal('all'),
            Type.Literal('any'),
            Type.Object({ quorum: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
          ]),
        },
        { additionalProperties: false },
      ),
    ),
    boundaryEvents: Type.Optional(Type.Array(BoundaryTimer)),
  },
  { additionalProperties: false },
);

const SimpleElement = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }),
    type: Type.Union([
      Type.Literal('startEvent'),
      Type.Literal('endEvent'),
      Type.Literal('exclusiveGateway'),
      Type.Literal('parallelGateway'),
    ]),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Condition = Type.Object(
  {
    variable: Type.String({ minLength: 1 }),
    equals: Type.Union([Type.String(), Type.Boolean(), Type.Number()]),
  },
  { additionalProperties: false },
);

const SequenceFlow = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    condition: Type.Optional(Condition),
  },
  { additionalProperties: false },
);

export const ProcessDefinitionBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming'), Type.Literal('submission')]),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    elements: Type.Array(Type.Union([UserTask, SimpleElement]), { minItems: 2, maxItems: 200 }),
    flows: Type.Array(SequenceFlow, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false, $id: 'ProcessDefinitionBody' },
);

export type ProcessDefinitionBody = Static<typeof ProcessDefinitionBody>;
export type DefinitionElement = ProcessDefinitionBody['elements'][number];
export type UserTaskElement = Static<typeof UserTask>;
export type SequenceFlow = Static<typeof SequenceFlow>;
export type Duration = Static<typeof Duration>;
