import incoming from '../src/definitions/defaults/incoming.json';
import { parseDefinition } from '../src/definitions/parse-definition';
import { advance, multiInstanceDone, startTokens } from '../src/engine/advance';
import { canonicalJson, genesisHash, historyHash, verifyChain } from '../src/domain/history-chain';

const definition = parseDefinition(incoming);

test('a parallel gateway forks to every branch and joins only when all have arrived', () => {
  expect(startTokens(definition, {}).activate).toEqual(['registration']);
  const fork = advance(definition, 'distribution', {}, {});
  expect(fork.activate).toEqual(['lead-handling', 'support-handling']);
  const first = advance(definition, 'lead-handling', {}, fork.joins);
  expect(first).toEqual({ activate: [], ended: 0, joins: { join: ['lead-handling'] } });
  const second = advance(definition, 'support-handling', {}, first.joins);
  expect(second).toEqual({ activate: [], ended: 1, joins: {} });
});

test('an exclusive gateway takes the first matching flow, else the default', () => {
  const gated = parseDefinition({
    kind: 'outgoing',
    name: 'x',
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'choose', type: 'exclusiveGateway' },
      { id: 'consult', type: 'userTask', name: 'Lấy ý kiến', assignee: { role: 'specialist' }, actions: ['complete'] },
      { id: 'review', type: 'userTask', name: 'Duyệt', assignee: { role: 'unit-leader' }, actions: ['complete'] },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { from: 'start', to: 'choose' },
      { from: 'choose', to: 'consult', condition: { variable: 'consultation', equals: true } },
      { from: 'choose', to: 'review' },
      { from: 'consult', to: 'review' },
      { from: 'review', to: 'end' },
    ],
  });
  expect(startTokens(gated, { consultation: true }).activate).toEqual(['consult']);
  expect(startTokens(gated, {}).activate).toEqual(['review']);
});

test('multi-instance completion rules', () => {
  expect(multiInstanceDone('all', 3, 2)).toBe(false);
  expect(multiInstanceDone('all', 3, 3)).toBe(true);
  expect(multiInstanceDone('any', 3, 1)).toBe(true);
  expect(multiInstanceDone({ quorum: 2 }, 3, 1)).toBe(false);
  expect(multiInstanceDone({ quorum: 2 }, 3, 2)).toBe(true);
  expect(multiInstanceDone('all', 0, 0)).toBe(true);
});

test('the history chain detects an edited, removed or reordered row', () => {
  const rows = [];
  let previous = genesisHash;
  for (let seq = 1; seq <= 4; seq += 1) {
    const fields = {
      processId: 'p',
      seq,
      at: new Date(Date.UTC(2026, 5, 15, 2, seq)),
      actor: `user-${seq}`,
      action: 'task-completed',
      taskId: null,
      step: 'draft',
      detail: { b: seq, a: { z: 1, y: [2, 3] } },
      previousHash: previous,
    };
    previous = historyHash(fields);
    rows.push({ ...fields, hash: previous });
  }
  expect(verifyChain(rows)).toEqual({ valid: true, entries: 4 });
  const edited = rows.map((r) => (r.seq === 2 ? { ...r, actor: 'someone-else' } : r));
  expect(verifyChain(edited)).toMatchObject({
    valid: false,
    firstBrokenSeq: 2,
    reason: 'row hash does not match its content',
  });
  expect(verifyChain([rows[0], rows[2], rows[3]] as typeof rows)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  // jsonb reorders keys: the hash must not depend on key order.
  expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
});
