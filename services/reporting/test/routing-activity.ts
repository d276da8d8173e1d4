import { randomUUID } from 'node:crypto';
import type {
  ExchangeReceivedV1,
  ExchangeSentV1,
  ExchangeStatusV1,
  ProcessCompletedV1,
  ProcessStartedV1,
  TaskAssignedV1,
  TaskClaimedV1,
  TaskCompletedV1,
  TaskDelegatedV1,
  TaskOverdueV1,
  TaskReturnedV1,
} from '@vanthu/contracts';
import type { Activity } from './month-of-activity';
import { cloudEvent, random } from './month-of-activity';

// Routing's processes and tasks and exchange's hub traffic over the documents of a month of activity,
// as those services publish them, with the plain record of every task (its final assignee, deadline,
// completion) from which the test computes the on-time figure and the processing reports itself.

export type TaskRecord = {
  taskId: string;
  agencyCode: string;
  direction: 'incoming' | 'outgoing';
  lead: boolean;
  /** The distribution role of an incoming handling task (chủ trì, phối hợp); null for the other steps. */
  role: 'lead' | 'cooperate' | null;
  unit: string | null;
  person: string | null;
  dueAt: string | null;
  assignedAt: string;
  completedAt: string | null;
  returned: boolean;
  documentId: string;
};

const hour = 3_600_000;
const day = 24 * hour;
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Adds to `activity` an incoming process per incoming document (registration, distribution, the lead's
 * handling with a deadline in October, November or December, a cooperating unit) and an outgoing process
 * per issued document (review and signature steps), handled on time, late, never, returned or delegated;
 * an exchange through the hub for some issued documents (with statuses) and some incoming ones.
 */
export function addRoutingAndExchange(activity: Activity, seed: number, now: number): TaskRecord[] {
  const rnd = random(seed);
  const pick = (p: number): boolean => rnd() < p;
  const tasks: TaskRecord[] = [];
  const routing = (key: string, type: string, data: unknown, at: number): void => {
    activity.events.push({
      topic: 'vanthu.routing',
      key,
      event: cloudEvent(type, key, data, iso(at), '/vanthu/routing'),
    });
  };
  const exchange = (key: string, type: string, data: unknown, at: number): void => {
    activity.events.push({
      topic: 'vanthu.exchange',
      key,
      event: cloudEvent(type, key, data, iso(at), '/vanthu/exchange'),
    });
  };

  type Step = { step: string; unit: string | null; person: string | null; role?: 'lead' | 'cooperate'; due: number };
  const runProcess = (
    agencyCode: string,
    documentId: string,
    kind: 'incoming' | 'outgoing',
    startedMs: number,
    steps: Step[],
  ): void => {
    const processId = randomUUID();
    routing(
      processId,
      'vn.vanthu.process.started.v1',
      {
        processId,
        agencyCode,
        kind,
        definitionId: randomUUID(),
        definitionVersion: 1,
        documentId,
        startedBy: 'chuyen-vien',
        startedAt: iso(startedMs),
        urgency: 'normal',
      } satisfies ProcessStartedV1,
      startedMs,
    );
    let lastMs = startedMs;
    let open = false;
    for (const s of steps) {
      const taskId = randomUUID();
      const assignedMs = Math.min(startedMs + hour, s.due - hour);
      const withDeadline = pick(0.9);
      const dueAt = withDeadline ? iso(s.due) : undefined;
      const fields = { taskId, processId, agencyCode, step: s.step, documentId, ...(dueAt ? { dueAt } : {}) };
      let person = s.person;
      let at = assignedMs;
      // Routing names the whole current assignee in every task event.
      const unitOf = s.unit ? { unit: s.unit } : {};
      const current = () => (person ? { userId: person, ...unitOf } : { role: 'specialist', ...unitOf });
      routing(
        processId,
        'vn.vanthu.task.assigned.v1',
        {
          ...fields,
          assignee: current(),
          at: iso(assignedMs),
          ...(s.role ? { role: s.role } : {}),
        } satisfies TaskAssignedV1,
        assignedMs,
      );

      if (!person && pick(0.7)) {
        person = `chuyen-vien-${agencyCode}-${1 + Math.floor(rnd() * 3)}`;
        at += 60_000;
        routing(
          processId,
          'vn.vanthu.task.claimed.v1',
          { ...fields, assignee: current(), at: iso(at) } satisfies TaskClaimedV1,
          at,
        );
      }
      if (person && pick(0.2)) {
        const to = `pho-phong-${agencyCode}`;
        at += 60_000;
        routing(
          processId,
          'vn.vanthu.task.delegated.v1',
          {
            ...fields,
            assignee: { userId: to, ...unitOf },
            at: iso(at),
            from: person,
            to,
            mode: 'delegate',
          } satisfies TaskDelegatedV1,
          at,
        );
        person = to;
      }
      // Done on time, done late, returned, or left open (overdue once its deadline passed).
      const outcome = rnd();
      let completedAt: string | null = null;
      let returned = false;
      if (outcome < 0.45) {
        const doneMs = Math.max(at + 60_000, s.due - Math.floor(rnd() * 2 * day));
        completedAt = iso(Math.min(doneMs, s.due));
      } else if (outcome < 0.7) {
        completedAt = iso(s.due + hour + Math.floor(rnd() * 3 * day));
      } else if (outcome < 0.78 && kind === 'outgoing') {
        returned = true;
        const returnedMs = at + 2 * hour;
        routing(
          processId,
          'vn.vanthu.task.returned.v1',
          {
            ...fields,
            assignee: current(),
            at: iso(returnedMs),
            returnedBy: person ?? 'lanh-dao',
            toStep: 'draft',
            reason: 'Đề nghị chỉnh sửa thể thức',
          } satisfies TaskReturnedV1,
          returnedMs,
        );
      }
      // What happens after `now` has not happened yet.
      if (completedAt && Date.parse(completedAt) > now) completedAt = null;
      if (completedAt) {
        const doneMs = Date.parse(completedAt);
        lastMs = Math.max(lastMs, doneMs);
        routing(
          processId,
          'vn.vanthu.task.completed.v1',
          {
            ...fields,
            assignee: current(),
            at: completedAt,
            completedBy: person ?? 'van-thu',
            onTime: !dueAt || doneMs <= s.due,
          } satisfies TaskCompletedV1,
          doneMs,
        );
      } else if (!returned) {
        open = true;
        if (dueAt && s.due < now)
          activity.events.push({
            topic: 'vanthu.routing',
            key: taskId,
            event: cloudEvent(
              'vn.vanthu.task.overdue.v1',
              taskId,
              {
                ...fields,
                dueAt,
                assignee: current(),
                at: iso(s.due),
                escalatedTo: { role: 'unit-leader', ...unitOf },
              } satisfies TaskOverdueV1,
              iso(s.due),
              '/vanthu/routing',
            ),
          });
      }
      // The person a report names: the latest assignee, or who completed it.
      tasks.push({
        taskId,
        agencyCode,
        direction: kind,
        lead: s.role === 'lead',
        role: s.role ?? null,
        unit: s.unit,
        person: person ?? (completedAt ? 'van-thu' : null),
        dueAt: dueAt ?? null,
        assignedAt: iso(assignedMs),
        completedAt,
        returned: returned && !completedAt,
        documentId,
      });
    }
    if (!open)
      routing(
        processId,
        'vn.vanthu.process.completed.v1',
        {
          processId,
          agencyCode,
          kind,
          documentId,
          outcome: kind === 'incoming' ? 'closed' : 'issued',
          completedAt: iso(lastMs + 60_000),
        } satisfies ProcessCompletedV1,
        lastMs + 60_000,
      );
  };

  const units = ['VP', 'PKT', 'PNV'];
  // Deadlines from mid-October to mid-December, so some fall outside November on either side.
  const deadline = (): number => Date.parse('2026-10-20T10:00:00+07:00') + Math.floor(rnd() * 55 * day);

  for (const incoming of activity.incoming) {
    const { agencyCode, documentId } = incoming;
    const startedMs = Date.parse(incoming.createdAt);
    const leadUnit = units[Math.floor(rnd() * units.length)] as string;
    runProcess(agencyCode, documentId, 'incoming', startedMs, [
      { step: 'registration', unit: 'VP', person: `van-thu-${agencyCode}`, due: startedMs + day },
      { step: 'distribution', unit: null, person: `lanh-dao-${agencyCode}-1`, due: startedMs + 2 * day },
      {
        step: 'lead-handling',
        unit: leadUnit,
        person: pick(0.5) ? `truong-phong-${agencyCode}-${leadUnit}` : null,
        role: 'lead',
        due: deadline(),
      },
      { step: 'support-handling', unit: 'PNV', person: null, role: 'cooperate', due: deadline() },
    ]);
    if (pick(0.5)) {
      const exchangeId = randomUUID();
      exchange(
        exchangeId,
        'vn.vanthu.exchange.received.v1',
        {
          exchangeId,
          agencyCode,
          documentId,
          version: 1,
          sha256: 'e'.repeat(64),
          from: { organId: '000.00.99.H56', organName: 'Bộ Khoa học và Công nghệ' },
          edxmlDocumentId: `000.00.99.H56,2026/11/02,${documentId.slice(0, 4)}/BKHCN`,
          receivedAt: incoming.createdAt,
        } satisfies ExchangeReceivedV1,
        startedMs,
      );
    }
  }

  for (const issued of activity.issued) {
    const { agencyCode, documentId } = issued;
    const issuedMs = Date.parse(issued.issuedAt);
    runProcess(agencyCode, documentId, 'outgoing', issuedMs - 3 * day, [
      { step: 'unit-review', unit: 'PKT', person: `truong-phong-${agencyCode}-PKT`, due: deadline() },
      { step: 'leader-signature', unit: null, person: `lanh-dao-${agencyCode}-1`, due: deadline() },
    ]);
    issued.viaHub = pick(0.5);
    if (issued.viaHub) {
      const exchangeId = randomUUID();
      const edxmlDocumentId = `${agencyCode},2026/11/10,${documentId.slice(0, 4)}/UBND-VP`;
      exchange(
        exchangeId,
        'vn.vanthu.exchange.sent.v1',
        {
          exchangeId,
          agencyCode,
          documentId,
          to: [{ organId: '000.00.99.H56' }],
          hub: 'vxp',
          edxmlDocumentId,
          sentAt: iso(issuedMs + 60_000),
        } satisfies ExchangeSentV1,
        issuedMs + 60_000,
      );
      for (const [k, statusCode] of (['01', '03', '06'] as const).entries())
        exchange(
          exchangeId,
          'vn.vanthu.exchange.status.v1',
          {
            exchangeId,
            agencyCode,
            edxmlDocumentId,
            organId: '000.00.99.H56',
            statusCode,
            description: 'trạng thái',
            at: iso(issuedMs + (k + 2) * 60_000),
            direction: 'sent',
          } satisfies ExchangeStatusV1,
          issuedMs + (k + 2) * 60_000,
        );
    }
  }
  return tasks;
}

export type ProcessingState = 'on-time' | 'late' | 'overdue' | 'not-yet-due' | 'no-deadline';

/** A task's state as of `asOf`, by the rules NĐ 30/2020 Điều 24 gives the report, recomputed here. */
export function taskState(task: TaskRecord, asOf: number): ProcessingState | null {
  if (task.returned) return null;
  if (task.dueAt === null) return 'no-deadline';
  if (task.completedAt) return Date.parse(task.completedAt) <= Date.parse(task.dueAt) ? 'on-time' : 'late';
  return Date.parse(task.dueAt) < asOf ? 'overdue' : 'not-yet-due';
}

/** Outgoing: every step; incoming: the handling of the lead and of each cooperating unit. */
export function inScope(task: TaskRecord, direction: 'incoming' | 'outgoing'): boolean {
  return task.direction === direction && (direction === 'outgoing' || task.role !== null);
}

/** The handling of incoming documents (by `role`) due in [from, to) and done by the deadline, over those due. */
export function expectedIncomingOnTime(
  tasks: TaskRecord[],
  agencyCode: string | null,
  from: number,
  to: number,
  asOf: number,
  role: 'lead' | 'cooperate' = 'lead',
): { numerator: number; denominator: number } {
  const due = tasks.filter(
    (t) =>
      (agencyCode === null || t.agencyCode === agencyCode) &&
      t.direction === 'incoming' &&
      t.role === role &&
      t.dueAt !== null &&
      Date.parse(t.dueAt) >= from &&
      Date.parse(t.dueAt) < to,
  );
  const states = due.map((t) => taskState(t, asOf));
  return {
    numerator: states.filter((s) => s === 'on-time').length,
    denominator: states.filter((s) => s === 'on-time' || s === 'late' || s === 'overdue').length,
  };
}

export type Counts = {
  due: number;
  onTime: number;
  late: number;
  overdue: number;
  notYetDue: number;
  withoutDeadline: number;
};

/** Per unit and person, the processing report of [from, to) as of `asOf`. */
export function expectedProcessing(
  tasks: TaskRecord[],
  agencyCode: string,
  direction: 'incoming' | 'outgoing',
  from: number,
  to: number,
  asOf: number,
): { total: Counts; byPerson: Map<string, Counts>; byRole: { lead: Counts; cooperate: Counts } | null } {
  const zero = (): Counts => ({ due: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0, withoutDeadline: 0 });
  const total = zero();
  const byPerson = new Map<string, Counts>();
  const byRole = direction === 'incoming' ? { lead: zero(), cooperate: zero() } : null;
  for (const task of tasks) {
    if (task.agencyCode !== agencyCode || !inScope(task, direction)) continue;
    const at = Date.parse(task.dueAt ?? task.assignedAt);
    if (at < from || at >= to) continue;
    const state = taskState(task, asOf);
    if (state === null) continue;
    const key = `${task.unit ?? '-'}|${task.person ?? '-'}`;
    let counts = byPerson.get(key);
    if (!counts) byPerson.set(key, (counts = zero()));
    for (const c of [counts, total, ...(byRole && task.role ? [byRole[task.role]] : [])]) {
      if (state === 'no-deadline') c.withoutDeadline += 1;
      else {
        c.due += 1;
        if (state === 'on-time') c.onTime += 1;
        if (state === 'late') c.late += 1;
        if (state === 'overdue') c.overdue += 1;
        if (state === 'not-yet-due') c.notYetDue += 1;
      }
    }
  }
  return { total, byPerson, byRole };
}
