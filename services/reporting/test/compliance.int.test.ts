import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { PNG } from 'pngjs';
import { Kafka, logLevel } from 'kafkajs';
import { createKafka, createProducer, ensureTopics, InboxConsumer, toKafkaHeaders } from '@vanthu/platform';
import type { Producer, ServiceApp } from '@vanthu/platform';
import { topicName } from '@vanthu/contracts';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { reportingConsumer } from '../src/events/consumers';
import { rebuildProjections } from '../src/domain/rebuild-projections';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import { uniqueSuffix } from '../../../test/support/databases';
import { eventually } from '../../../test/support/wait';
import { clerkOf, createIdentityKit } from '../../../test/support/identities';
import { expectedCertificates, expectedDocuments, expectedFigures, monthOfActivity } from './month-of-activity';
import type { Activity, Published } from './month-of-activity';
import { addRoutingAndExchange, expectedProcessing, taskState } from './routing-activity';
import type { TaskRecord } from './routing-activity';

// The whole path the service runs in production: events on Kafka, the platform inbox, the
// projections, the HTTP reports; every figure is recomputed here from what the test published.

const brokers = loadInfrastructure().kafka.brokers.split(',');
const prefix = `t${uniqueSuffix()}.`;
const kit = createIdentityKit();
const agencies = ['000.00.01.H56', '000.00.02.H56', '000.00.03.H56'];
const lateAgency = '000.00.04.H56';
const collector = { userId: 'so-khcn', agencyCode: '000.00.00.H56', roles: ['report-collector' as const] };
const clock = () => new Date('2026-12-05T03:00:00Z');
const reporting = reportingConsumer('reporting', prefix);
const { consumer, topics, handlers } = reporting;

let fixture: ServiceFixture;
let kafka: ReturnType<typeof createKafka>;
let producer: Producer;
let live: InboxConsumer;
let app: ServiceApp;
let activity: Activity;
let tasks: TaskRecord[];
const asOf = clock().getTime();

async function publish(events: Published[]): Promise<void> {
  for (const { topic, key, event } of events)
    await producer.send({
      topic: topicName(topic, prefix),
      messages: [{ key, value: JSON.stringify(event.data), headers: toKafkaHeaders(event) }],
    });
}

const inboxCount = async (): Promise<number> =>
  Number((await fixture.pool.query('SELECT count(*) AS n FROM inbox WHERE consumer = $1', [consumer])).rows[0].n);

const get = async (url: string, identity: Parameters<typeof kit.assertionFor>[0] = collector) => {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: { 'x-vanthu-identity': kit.assertionFor(identity) },
  });
  return { status: response.statusCode, body: response.json() };
};

const numbers = (figures: Record<string, { numerator: number; denominator: number }>) =>
  Object.fromEntries(
    Object.entries(figures).map(([k, f]) => [k, { numerator: f.numerator, denominator: f.denominator }]),
  );

/** RFC 4180 records (quoted fields may hold commas), read independently of the service's writer. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  return records;
}

/** A report without the parts that say when and from how many events it was made. */
const stable = (body: Record<string, unknown>) => {
  const { generatedAt: _g, freshness: _f, ...rest } = body;
  return rest;
};

beforeAll(async () => {
  fixture = await serviceFixture('reporting', migrationsDir);
  kafka = createKafka({ brokers, clientId: 'reporting-test', topicPrefix: prefix }, fixture.logger);
  await ensureTopics(
    kafka,
    topics.map((topic) => ({ topic, numPartitions: 3 })),
  );
  producer = createProducer(kafka);
  await producer.connect();
  live = new InboxConsumer({ ...reporting, kafka, pool: fixture.pool, logger: fixture.logger });
  await live.start();
  app = await buildApp({
    logger: fixture.logger,
    pool: fixture.pool,
    identityPublicKey: kit.publicKeyPem,
    consumer,
    clock,
  });

  activity = monthOfActivity(20261105, agencies, 12);
  tasks = addRoutingAndExchange(activity, 20261106, asOf);
  // Signing, routing and exchange events first: the projections must not depend on reading documents first.
  const signing = activity.events.filter((e) => e.topic !== 'vanthu.documents');
  const documents = activity.events.filter((e) => e.topic === 'vanthu.documents');
  // Redelivered events (same id) must not be counted twice.
  const redelivered = [signing[3], documents[5], documents[9], signing[10]].filter((e): e is Published => !!e);
  // An event that breaks its schema is dead-lettered and the report says it may be behind.
  const broken: Published = {
    topic: 'vanthu.documents',
    key: randomUUID(),
    event: { ...(documents[0] as Published).event, id: randomUUID(), data: { documentId: 'not-a-uuid' } },
  };
  // Routing's events of one process arrive twice too.
  const routing = activity.events.filter((e) => e.topic === 'vanthu.routing');
  redelivered.push(...routing.slice(0, 6));
  await publish([...signing, ...documents, ...redelivered, broken]);
  await eventually(inboxCount, (n) => n === activity.events.length, 60_000, 'every event in the inbox');
});

afterAll(async () => {
  await live?.stop();
  await producer?.disconnect();
  await app?.close();
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
  await fixture?.close();
});

describe('monthly compliance report from events', () => {
  it('gives every agency the figures recomputed from what happened, counted once', async () => {
    for (const agencyCode of agencies) {
      const { status, body } = await get(`/v1/reports/compliance?month=2026-11`, clerkOf(agencyCode));
      expect(status).toBe(200);
      expect(body.agencyCode).toBe(agencyCode);
      expect(body.definitionsVersion).toBe('2026.4');
      expect(numbers(body.figures)).toEqual(expectedFigures(activity, agencyCode, tasks, asOf));
      expect(body.documents).toEqual(expectedDocuments(activity, agencyCode));
      expect(body.certificates).toEqual(expectedCertificates(activity, agencyCode));
      const personal = body.figures.personallySigned;
      expect(personal.percent).toBe(Math.round((personal.numerator / personal.denominator) * 10_000) / 100);
      // The dead-lettered event is visible: the report may be behind.
      expect(body.freshness.deadLetters).toBe(1);
      expect(body.freshness.mayBeBehind).toBe(true);
      expect(body.freshness.sources.map((s: { topic: string }) => s.topic).sort()).toEqual([...topics].sort());
    }
  });

  it('keeps the certificate holders month by month, each month recomputed from the certificate events', async () => {
    // Registered on 29 October, some activated on 31 October and some on 1 December, one released on 6 November; the
    // approvals and initials signed in November: each month's end gives other counts.
    const monthEnds = {
      '2026-09': '2026-10-01',
      '2026-10': '2026-11-01',
      '2026-11': '2026-12-01',
      '2026-12': '2027-01-01',
    };
    const seen = new Set<string>();
    for (const [month, end] of Object.entries(monthEnds))
      for (const agencyCode of agencies) {
        const { status, body } = await get(`/v1/reports/compliance?month=${month}&agency=${agencyCode}`);
        expect(status).toBe(200);
        const expected = expectedCertificates(activity, agencyCode, Date.parse(`${end}T00:00:00+07:00`));
        expect({ month, agencyCode, certificates: body.certificates }).toEqual({
          month,
          agencyCode,
          certificates: expected,
        });
        seen.add(JSON.stringify(expected));
      }
    expect(seen.size).toBeGreaterThan(3);
    // The province side by side reads the same kept counts.
    const { body: province } = await get('/v1/reports/province?month=2026-10');
    for (const row of province.annex2)
      expect(row).toMatchObject({
        certificateHolders: expectedCertificates(activity, row.agencyCode, Date.parse('2026-11-01T00:00:00+07:00'))
          .holders,
      });
  });

  it('puts the province side by side, ranked, with Phụ lục 1 and 2', async () => {
    const { status, body } = await get('/v1/reports/province?month=2026-11');
    expect(status).toBe(200);
    expect(numbers(body.province.figures)).toEqual(expectedFigures(activity, null, tasks, asOf));
    expect(body.agencies.map((a: { agencyCode: string }) => a.agencyCode).sort()).toEqual(agencies);
    const ratios = body.agencies.map(
      (a: { figures: { fullyElectronic: { ratio: number | null } } }) => a.figures.fullyElectronic.ratio ?? -1,
    );
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
    for (const row of body.annex1) {
      const issued = activity.issued.filter((d) => d.agencyCode === row.agencyCode);
      expect(row.organisationSignedCount).toBe(issued.filter((d) => d.kindsAtIssue.has('issue')).length);
      expect(row.leaderSignedCount).toBe(issued.filter((d) => d.kindsAtIssue.has('approval')).length);
      expect(row.organisationSigned).toBe(row.organisationSignedCount > 0);
    }
    for (const row of body.annex2) {
      const expected = expectedCertificates(activity, row.agencyCode);
      expect(row).toMatchObject({
        certificateHolders: expected.holders,
        activated: expected.activated,
        agencyLeadersActivated: expected.approvalSignersActivated,
        unitLeadersActivated: expected.initialSignersActivated,
      });
    }
    const threshold = body.agencies[0].thresholds.find((t: { figure: string }) => t.figure === 'personallySigned');
    expect(threshold.met).toBe(body.agencies[0].figures.personallySigned.ratio >= 0.3);
    expect((await get('/v1/reports/province?month=2026-11', clerkOf(agencies[0] as string))).status).toBe(403);
  });

  it("is the agencies' own reports side by side: each row is the agency's report, the province their sums", async () => {
    // The roll-up reads the province in one grouped query (province_agencies, signer_facts); each agency's own
    // report is asked for alone here, and the province's figures are those reports' numerators and denominators added.
    const { body: province } = await get('/v1/reports/province?month=2026-11');
    expect(province.province.agencies).toBe(agencies.length);
    const summed: Record<string, { numerator: number; denominator: number }> = {};
    for (const { rank: _rank, ...row } of province.agencies as { rank: number; agencyCode: string }[]) {
      const own = await get(`/v1/reports/compliance?month=2026-11&agency=${row.agencyCode}`);
      expect(own.status).toBe(200);
      expect(row).toEqual(stable(own.body));
      for (const [name, figure] of Object.entries(
        own.body.figures as Record<string, { numerator: number; denominator: number }>,
      )) {
        const sum = (summed[name] ??= { numerator: 0, denominator: 0 });
        sum.numerator += figure.numerator;
        sum.denominator += figure.denominator;
      }
      const annex2 = province.annex2.find((a: { agencyCode: string }) => a.agencyCode === row.agencyCode);
      expect(annex2).toMatchObject({
        certificateHolders: own.body.certificates.holders,
        activated: own.body.certificates.activated,
        agencyLeadersActivated: own.body.certificates.approvalSignersActivated,
        unitLeadersActivated: own.body.certificates.initialSignersActivated,
      });
    }
    expect(numbers(province.province.figures)).toEqual(summed);
  });

  it('lists the documents to correct page by page, the province for the collector and its own for an agency', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        body: { items: { documentId: string; href: string }[]; nextCursor: string | null };
      } = await get(
        `/v1/reports/findings?month=2026-11&kind=without-organisation-signature&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      for (const item of page.body.items) expect(item.href).toBe(`/v1/documents/${item.documentId}`);
      seen.push(...page.body.items.map((i) => i.documentId));
      cursor = page.body.nextCursor;
    } while (cursor);
    const expected = activity.issued.filter((d) => !d.kindsAtIssue.has('issue')).map((d) => d.documentId);
    expect(seen.sort()).toEqual(expected.sort());

    const agencyA = agencies[0] as string;
    const digitised = await get(`/v1/reports/findings?month=2026-11&kind=digitised-only&limit=500`, clerkOf(agencyA));
    expect(digitised.body.items.map((i: { documentId: string }) => i.documentId).sort()).toEqual(
      activity.digitised
        .filter((d) => d.agencyCode === agencyA)
        .map((d) => d.documentId)
        .sort(),
    );
    const other = await get(
      `/v1/reports/findings?month=2026-11&kind=digitised-only&agency=${agencies[1]}`,
      clerkOf(agencyA),
    );
    expect(other.status).toBe(404);
    const otherReport = await get(`/v1/reports/compliance?month=2026-11&agency=${agencies[1]}`, clerkOf(agencyA));
    expect(otherReport.status).toBe(404);
  });

  it('counts routing and exchange events: on-time handling and the hub are real figures', async () => {
    const { body } = await get('/v1/reports/province?month=2026-11');
    // The activity has both, so the figures are not 0/0 and the test above checks them against its own count.
    expect(body.province.figures.incomingOnTime.denominator).toBeGreaterThan(0);
    // Cooperating units left some handling open past a November deadline (routing reported them overdue): counted
    // in the cooperation figure's denominator, not its numerator, and recomputed above from the tasks themselves.
    const cooperateOverdue = tasks.filter(
      (t) =>
        t.role === 'cooperate' &&
        t.dueAt !== null &&
        t.dueAt >= '2026-10-31T17:00:00.000Z' &&
        t.dueAt < '2026-11-30T17:00:00.000Z' &&
        taskState(t, asOf) === 'overdue',
    ).length;
    expect(cooperateOverdue).toBeGreaterThan(0);
    const cooperation = body.province.figures.cooperationOnTime;
    expect(cooperation.denominator - cooperation.numerator).toBeGreaterThanOrEqual(cooperateOverdue);
    expect(body.province.figures.exchangedThroughHub.numerator).toBeGreaterThan(0);
    const stored = await fixture.pool.query(
      "SELECT count(*) FILTER (WHERE direction = 'sent') AS sent, count(*) FILTER (WHERE direction = 'received') AS received, count(*) FILTER (WHERE last_status_code = '06') AS done FROM exchange_facts",
    );
    const sent = activity.issued.filter((d) => d.viaHub).length;
    expect(Number(stored.rows[0].sent)).toBeGreaterThanOrEqual(sent);
    expect(Number(stored.rows[0].done)).toBe(Number(stored.rows[0].sent));
    expect(Number(stored.rows[0].received)).toBeGreaterThan(0);
  });

  it('gives the NĐ 30 processing reports per unit and person, recomputed from the tasks', async () => {
    for (const [direction, from, to] of [
      ['incoming', '2026-11-01', '2026-11-30'],
      ['outgoing', '2026-11-01', '2026-11-30'],
      ['incoming', '2026-12-01', '2026-12-31'],
      ['outgoing', '2026-10-15', '2026-12-31'],
    ] as const) {
      for (const agencyCode of agencies) {
        const { status, body } = await get(
          `/v1/reports/processing?direction=${direction}&from=${from}&to=${to}`,
          clerkOf(agencyCode),
        );
        expect(status).toBe(200);
        const expected = expectedProcessing(
          tasks,
          agencyCode,
          direction,
          Date.parse(`${from}T00:00:00+07:00`),
          Date.parse(`${to}T00:00:00+07:00`) + 86_400_000,
          asOf,
        );
        expect(body.total).toEqual(expected.total);
        expect(body.byRole).toEqual(expected.byRole);
        const byPerson = new Map<string, unknown>();
        for (const unit of body.units)
          for (const person of unit.people) byPerson.set(`${unit.unit ?? '-'}|${person.userId ?? '-'}`, person.counts);
        expect(byPerson).toEqual(expected.byPerson);
        expect(body.title).toBe(
          direction === 'incoming'
            ? 'Báo cáo tình hình giải quyết văn bản đến'
            : 'Báo cáo tình hình giải quyết văn bản đi',
        );
      }
    }
    // December has begun: tasks due later in it are not yet due.
    const december = await get('/v1/reports/processing?direction=incoming&from=2026-12-01&to=2026-12-31');
    expect(december.status).toBe(200);
    const other = await get(
      `/v1/reports/processing?direction=incoming&from=2026-11-01&to=2026-11-30&agency=${agencies[1]}`,
      clerkOf(agencies[0] as string),
    );
    expect(other.status).toBe(404);
    for (const bad of [
      'direction=incoming&from=2026-11-31&to=2026-12-01',
      'direction=incoming&from=2026-11-10&to=2026-11-01',
      'direction=incoming&from=2027-01-01&to=2027-01-31',
      'direction=incoming&from=2025-01-01&to=2026-11-30',
      'direction=sideways&from=2026-11-01&to=2026-11-30',
    ]) {
      const response = await get(`/v1/reports/processing?${bad}`);
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
    }
  });

  it('lists the overdue tasks with their documents, page by page', async () => {
    for (const direction of ['incoming', 'outgoing'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: {
          status: number;
          body: { items: { documentId: string; href: string; task: { taskId: string } }[]; nextCursor: string | null };
        } = await get(
          `/v1/reports/findings?month=2026-11&kind=${direction}-overdue&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        for (const item of page.body.items) expect(item.href).toBe(`/v1/documents/${item.documentId}`);
        seen.push(...page.body.items.map((i) => i.task.taskId));
        cursor = page.body.nextCursor;
      } while (cursor);
      const novemberStart = Date.parse('2026-11-01T00:00:00+07:00');
      const decemberStart = Date.parse('2026-12-01T00:00:00+07:00');
      const expected = tasks
        .filter(
          (t) =>
            t.direction === direction &&
            (direction === 'outgoing' || t.role !== null) &&
            t.dueAt !== null &&
            Date.parse(t.dueAt) >= novemberStart &&
            Date.parse(t.dueAt) < decemberStart &&
            taskState(t, asOf) === 'overdue',
        )
        .map((t) => t.taskId);
      expect(expected.length).toBeGreaterThan(0);
      expect(seen.sort()).toEqual(expected.sort());
    }
  });

  it('exports the same figures as CSV, XLSX and a Vietnamese PDF with visible charts', async () => {
    const download = async (format: string) => {
      const response = await app.inject({
        method: 'GET',
        url: `/v1/reports/export?month=2026-11&format=${format}`,
        headers: { 'x-vanthu-identity': kit.assertionFor(collector) },
      });
      expect(response.statusCode).toBe(200);
      return response.rawPayload;
    };
    const expectedByAgency = new Map<string | null, ReturnType<typeof expectedFigures>>(
      [...agencies, null].map((agencyCode) => [agencyCode, expectedFigures(activity, agencyCode, tasks, asOf)]),
    );
    const check = (records: (string | number | null)[][]) => {
      expect(records.length).toBe((agencies.length + 1) * 12);
      for (const [agency, figure, , numerator, denominator, percent] of records) {
        const expected = expectedByAgency.get(agency === 'province' ? null : String(agency))?.[String(figure)];
        expect({ agency, figure, numerator: Number(numerator), denominator: Number(denominator) }).toEqual({
          agency,
          figure,
          numerator: expected?.numerator,
          denominator: expected?.denominator,
        });
        const ratio =
          expected && expected.denominator > 0
            ? Math.round((expected.numerator / expected.denominator) * 10_000) / 100
            : null;
        expect(percent === '' || percent === null ? null : Number(percent)).toBe(ratio);
      }
    };

    const csv = (await download('csv')).toString('utf8');
    expect(csv.startsWith('\uFEFFagency_code,figure,label,numerator,denominator,percent')).toBe(true);
    expect(csv).toContain('Tỷ lệ văn bản đi có chữ ký số của lãnh đạo (người có thẩm quyền)');
    check(parseCsv(csv.replace('\uFEFF', '')).slice(1));

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download('xlsx')) as never);
    const sheet = workbook.getWorksheet('Số liệu');
    const rows: (string | number | null)[][] = [];
    sheet?.eachRow((row, n) => {
      if (n > 1)
        rows.push(Array.from({ length: 6 }, (_, k) => (row.values as (string | number | null)[])[k + 1] ?? null));
    });
    check(rows);
    const annex1 = workbook.getWorksheet('Phụ lục 1');
    expect(annex1?.getRow(1).values).toEqual([
      undefined,
      'TT',
      'Cơ quan',
      'Văn bản đi phát hành',
      'Ký số cơ quan',
      'Ký số lãnh đạo',
    ]);

    const dir = fs.mkdtempSync(path.join(fixture.tempDir, 'pdf-'));
    const file = path.join(dir, 'report.pdf');
    fs.writeFileSync(file, await download('pdf'));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).normalize('NFC');
    for (const phrase of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Kết quả xử lý văn bản, hồ sơ công việc trên môi trường điện tử và ký số',
      'Tháng 11 năm 2026',
      'Toàn tỉnh',
      'Tỷ lệ văn bản ký số lãnh đạo theo cơ quan',
      'Ngưỡng 30%',
      'Diễn biến theo tháng: ký số và ký số lãnh đạo',
    ])
      expect(text).toContain(phrase);
    const vietnamesePercent = (f: { numerator: number; denominator: number }) =>
      f.denominator === 0
        ? '—'
        : `${(Math.round((f.numerator / f.denominator) * 10_000) / 100).toFixed(2).replace('.', ',')}%`;
    for (const agencyCode of agencies) {
      const expected = expectedByAgency.get(agencyCode);
      const line = text.split('\n').find((l) => l.includes(agencyCode)) ?? '';
      for (const figure of ['personallySigned', 'organisationSigned', 'bothSignatures'])
        expect(line).toContain(vietnamesePercent(expected?.[figure] as { numerator: number; denominator: number }));
    }
    // The charts page, rendered: the blue bars of the personal-signature shares are there.
    execFileSync('pdftoppm', ['-f', '2', '-l', '2', '-r', '40', '-png', file, path.join(dir, 'page')]);
    const png = PNG.sync.read(
      fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.png')) as string)),
    );
    let bluePixels = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if ((png.data[i] as number) < 80 && (png.data[i + 2] as number) > 140 && (png.data[i + 1] as number) < 120)
        bluePixels += 1;
    expect(bluePixels).toBeGreaterThan(50);
  });

  it('rebuilds from offset 0 into emptied tables, while events keep arriving, to the same reports', async () => {
    const before = await Promise.all(
      agencies.map(async (agencyCode) =>
        stable((await get(`/v1/reports/compliance?month=2026-11&agency=${agencyCode}`)).body),
      ),
    );
    const late = monthOfActivity(7, [lateAgency], 4);
    const rebuilding = rebuildProjections(
      { topics, handlers, batchSize: reporting.batchSize, writeBatch: reporting.writeBatch },
      {
        identity: collector,
        requestId: 'rebuild-test',
        runInTransaction: async (work) => {
          const client = await fixture.pool.connect();
          try {
            await client.query('BEGIN');
            const result = await work(client);
            await client.query('COMMIT');
            return { result, replayed: false };
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          } finally {
            client.release();
          }
        },
        clock: () => new Date(),
        logger: fixture.logger,
        kafka,
        pool: fixture.pool,
        consumer,
      },
    );
    await publish(late.events);
    await rebuilding;
    // Once both consumers are done, every event is projected exactly once.
    await eventually(inboxCount, (n) => n === activity.events.length + late.events.length, 60_000, 'all events');
    const after = await Promise.all(
      agencies.map(async (agencyCode) =>
        stable((await get(`/v1/reports/compliance?month=2026-11&agency=${agencyCode}`)).body),
      ),
    );
    expect(after).toEqual(before);
    const lateReport = await get(`/v1/reports/compliance?month=2026-11&agency=${lateAgency}`);
    expect(numbers(lateReport.body.figures)).toEqual(expectedFigures(late, lateAgency));
  });
});
