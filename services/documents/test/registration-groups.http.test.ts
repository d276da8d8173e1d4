// Registrations committed in groups (issue 10 item 7): a burst in one register-year takes its numbers with one step
// of the counter per group, and stays without gap or repeat (NĐ 30/2020 Điều 15.1), with Idempotency-Key replays,
// failing members and documents changed under the group.
import { createEvent } from '@vanthu/platform';
import { documentRegisteredV1 } from '@vanthu/contracts';
import { startHarness, directory } from './http-harness';
import type { Harness } from './http-harness';
import { agencyA } from '../../../test/support/identities';
import { vietnamDate } from '../src/rules/numbering';
import { insertRegistrationsWithNextNumbers, readDocumentStates } from '../src/repositories/documents-repository';

let h: Harness;
const year = vietnamDate(new Date()).year;

beforeAll(async () => {
  h = await startHarness('reggroups');
  expect((await h.post('/v1/organisations/imports', directory, h.directoryAdmin)).statusCode).toBe(200);
});
afterAll(async () => {
  await h.close();
});

const newRegister = async (name: string): Promise<string> =>
  (await h.post('/v1/registers', { name, direction: 'outgoing' })).json().id as string;
const register = (id: string, registerId: string, key?: string) =>
  h.post(
    `/v1/documents/${id}/registration`,
    { registerId },
    key === undefined ? h.asA : { ...h.asA, 'idempotency-key': key },
  );
// Each test numbers its own type: số/ký hiệu is unique in the agency's year across registers (Điều 15.1).
const drafts = async (count: number, label: string, typeCode: string): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1)
    ids.push((await h.upload({ direction: 'outgoing', subject: `${label} ${i}`, typeCode })).id);
  return ids;
};
const counter = async (registerId: string) =>
  (
    await h.fixture.pool.query('SELECT last_number FROM number_counters WHERE series_key = $1 AND year = $2', [
      `register:${registerId}`,
      year,
    ])
  ).rows[0]?.last_number as number | undefined;
const numberOf = (response: { json: () => unknown }) =>
  (response.json() as { document: { registration: { number: number } } }).document.registration.number;

describe('registrations committed in groups', () => {
  it('numbers a burst 1…N with fewer transactions than registrations, one event each', async () => {
    const registerId = await newRegister('Sổ kế hoạch');
    const ids = await drafts(60, 'Kế hoạch', 'KH');
    const responses = await Promise.all(ids.map((id) => register(id, registerId)));
    expect(responses.map((r) => r.statusCode)).toEqual(ids.map(() => 201));
    expect(responses.map(numberOf).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
    expect(await counter(registerId)).toBe(60);
    // Rows written by one transaction share its xmin: some group committed more than one registration.
    const { rows } = await h.fixture.pool.query(
      'SELECT count(DISTINCT xmin::text)::int AS transactions FROM registrations WHERE register_id = $1',
      [registerId],
    );
    expect(rows[0].transactions).toBeLessThan(60);
    const events = await h.fixture.pool.query(
      `SELECT data FROM outbox WHERE event_type = 'vn.vanthu.document.registered.v1' AND data ->> 'registerId' = $1`,
      [registerId],
    );
    expect(events.rows.map((r) => r.data.number).sort((a: number, b: number) => a - b)).toEqual(
      ids.map((_, i) => i + 1),
    );
    const byDocument = new Map(responses.map((r) => [r.json().document.id, r.json().document.registration]));
    for (const { data } of events.rows)
      expect(byDocument.get(data.documentId)).toMatchObject({
        number: data.number,
        notation: data.notation,
        documentIdentifier: data.documentIdentifier,
      });
  });

  it('replays each Idempotency-Key with its stored result, also for a key sent twice at once', async () => {
    const registerId = await newRegister('Sổ thông báo');
    const ids = await drafts(30, 'Thông báo', 'TB');
    const keyOf = (i: number) => `group-key-${registerId}-${i}`;
    // The first document's request is sent twice at once with the same key.
    const responses = await Promise.all([
      ...ids.map((id, i) => register(id, registerId, keyOf(i))),
      register(ids[0]!, registerId, keyOf(0)),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 201));
    expect(
      responses
        .slice(0, 30)
        .map(numberOf)
        .sort((a, b) => a - b),
    ).toEqual(ids.map((_, i) => i + 1));
    const [first, twin] = [responses[0]!, responses[30]!];
    expect(twin.json()).toEqual(first.json());
    expect([first.headers['idempotent-replayed'], twin.headers['idempotent-replayed']].sort()).toEqual([
      'true',
      undefined,
    ]);
    // Every key completed with the result that was sent, none left in progress.
    const stored = await h.fixture.pool.query(
      `SELECT idempotency_key, state, response_body FROM idempotency_keys WHERE idempotency_key LIKE $1`,
      [`group-key-${registerId}-%`],
    );
    expect(stored.rows).toHaveLength(30);
    for (const row of stored.rows) {
      expect(row.state).toBe('completed');
      expect(row.response_body).toEqual(responses[Number(row.idempotency_key.split('-').pop())]!.json());
    }
    const repeats = await Promise.all(ids.map((id, i) => register(id, registerId, keyOf(i))));
    for (const [i, repeat] of repeats.entries()) {
      expect(repeat.statusCode).toBe(201);
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.json()).toEqual(responses[i]!.json());
    }
    // The key of one registration sent for another document is refused, and numbers nothing.
    const other = (await drafts(1, 'Khác', 'TB'))[0]!;
    const reused = await register(other, registerId, keyOf(1));
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await counter(registerId)).toBe(30);
  });

  it('retries a failing member alone: it fails, the others are registered without a gap', async () => {
    const registerId = await newRegister('Sổ tờ trình');
    const ids = await drafts(20, 'Tờ trình', 'TTr');
    const doomed = ids[7]!;
    await h.fixture.pool.query(`CREATE FUNCTION fail_group_member() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.document_id = '${doomed}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await h.fixture.pool.query(
      'CREATE TRIGGER fail_group_member BEFORE INSERT ON registrations FOR EACH ROW EXECUTE FUNCTION fail_group_member()',
    );
    try {
      const responses = await Promise.all(ids.map((id) => register(id, registerId)));
      expect(responses.map((r) => r.statusCode)).toEqual(ids.map((id) => (id === doomed ? 500 : 201)));
      expect(
        responses
          .filter((r) => r.statusCode === 201)
          .map(numberOf)
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
      expect(await counter(registerId)).toBe(19);
      const state = await h.app.inject({ method: 'GET', url: `/v1/documents/${doomed}`, headers: h.asA });
      expect(state.json()).toMatchObject({ status: 'draft', registration: null });
    } finally {
      await h.fixture.pool.query('DROP TRIGGER fail_group_member ON registrations; DROP FUNCTION fail_group_member()');
    }
  });

  it('takes no number for a document changed since it was read, and consecutive numbers for the others', async () => {
    const registerId = await newRegister('Sổ công điện');
    const [stale, fresh] = await drafts(2, 'Công điện', 'CĐ');
    const client = await h.fixture.pool.connect();
    try {
      const read = async (id: string) => {
        const state = (await readDocumentStates(client, agencyA, [id])).get(id);
        if (!state) throw new Error(`document ${id} not found`);
        return state;
      };
      const before = [await read(stale!), await read(fresh!)];
      // A metadata correction between the read and the group's statement.
      const corrected = await h.app.inject({
        method: 'PATCH',
        url: `/v1/documents/${stale}/metadata`,
        headers: h.asA,
        payload: { subject: 'Công điện đã sửa' },
      });
      expect(corrected.statusCode).toBe(200);
      const now = new Date();
      const registration = (state: (typeof before)[number]) => ({
        before: state,
        notation: ['', '/CĐ-UBND'],
        documentIdentifier: [`${agencyA},x,`, '/CĐ-UBND'],
        registeredAt: now,
        registeredBy: 'van-thu-1',
        metadata: {},
        numberFields: { formatted: 'codeNumber' },
        typeCode: 'CĐ',
        searchText: ['', '/cđ-ubnd '],
        event: {
          definition: documentRegisteredV1,
          topicPrefix: 'test.',
          value: createEvent(
            documentRegisteredV1,
            state.document.id,
            {
              documentId: state.document.id,
              agencyCode: agencyA,
              direction: 'outgoing',
              registerId,
              year,
              number: 1,
              notation: '01/CĐ-UBND',
              documentIdentifier: `${agencyA},x,01/CĐ-UBND`,
              typeCode: 'CĐ',
              urgency: 'normal',
              registeredBy: 'van-thu-1',
              registeredAt: now.toISOString(),
            },
            { source: '/vanthu/documents', requestId: 'test', agencyCode: agencyA },
          ),
        },
      });
      await client.query('BEGIN');
      const written = await insertRegistrationsWithNextNumbers(
        client,
        {
          seriesKey: `register:${registerId}`,
          agencyCode: agencyA,
          registerId,
          registerName: 'Sổ công điện',
          direction: 'outgoing',
          year,
        },
        before.map(registration),
      );
      await client.query('COMMIT');
      expect(written[0]).toEqual({ changed: true });
      expect(written[1]).toMatchObject({
        document: { id: fresh, registration: { number: 1, notation: '01/CĐ-UBND' } },
      });
      expect(await counter(registerId)).toBe(1);
      // The changed document registers through the API as usual, with the next number.
      const again = await register(stale!, registerId);
      expect(again.statusCode).toBe(201);
      expect(numberOf(again)).toBe(2);
    } finally {
      client.release();
    }
  });
});
