import { IsolatedValidator } from '../src/validation/isolated-validator';
import { validatePdf } from '../src/validation/validate-pdf';
import { congVan, signAs, validationOptions } from './fixtures/validation-support';
import { deflateBomb, heapHog, objectStreamLoop, pageTreeLoop, referenceLoop } from './fixtures/hostile-pdfs';

let pool: IsolatedValidator;
const parseTimeoutMs = 5_000;
// The 5 s is the worker's deadline: a file it cannot finish by then is killed and ends FORMAT_FAILURE. The wall
// clock around it also counts killing the worker and answering, which the test allows (a second), so that a file
// stopped by the deadline on a busy machine is not mistaken for one that escaped it.
const killAndAnswerMs = 1_000;
beforeAll(async () => {
  pool = new IsolatedValidator({ workers: 2, parseTimeoutMs, networkTimeoutMs: 15_000, maxHeapMb: 256 });
  // The deadline runs from when a worker takes the job; booting (seconds on a loaded machine) is not the file's time.
  await pool.ready();
}, 60_000);
afterAll(async () => pool.close());

describe('hostile files end with FORMAT_FAILURE within 5 s, in an isolated worker, and the service keeps validating', () => {
  it.each([
    ['reference loop', async () => referenceLoop()],
    ['page-tree loop', async () => pageTreeLoop()],
    ['object-stream loop', async () => objectStreamLoop()],
    ['deflate bomb (1 GB of zeros)', async () => deflateBomb(1024)],
  ])('%s', async (_name, make) => {
    const bytes = await make();
    const started = Date.now();
    const report = await pool.validate(bytes, validationOptions());
    expect(Date.now() - started).toBeLessThan(parseTimeoutMs + killAndAnswerMs);
    expect(report).toMatchObject({ verdict: 'TOTAL_FAILED', verdictSubIndication: 'FORMAT_FAILURE' });
    expect(report.verdictReason).toMatch(/loop|itself|too deep|too long|decodes to more than|nest/i);
  });

  it('after the hostile files, the same pool still validates a signed document TOTAL_PASSED', async () => {
    const report = await pool.validate(await signAs(await congVan(), 'nguyen-van-an', 'B-LT'), validationOptions());
    expect(report.verdict).toBe('TOTAL_PASSED');
  });

  it('a worker over its deadline is killed, the job ends FORMAT_FAILURE, and a replacement worker answers the next job', async () => {
    const strict = new IsolatedValidator({ workers: 1, parseTimeoutMs: 1, networkTimeoutMs: 1, maxHeapMb: 128 });
    try {
      const bytes = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
      const killed = await strict.validate(bytes, validationOptions());
      expect(killed).toMatchObject({ verdict: 'TOTAL_FAILED', verdictSubIndication: 'FORMAT_FAILURE' });
      expect(killed.verdictReason).toMatch(/within 1 ms|too long/);
      const next = await strict.validate(bytes, validationOptions());
      expect(next.verdictSubIndication).toBe('FORMAT_FAILURE');
    } finally {
      await strict.close();
    }
  });

  it("a worker's boot does not count against its first job's deadline (a loaded machine's honest files are not 'unreadable')", async () => {
    // Loading the validation code takes longer than this deadline (seconds from sources); the file itself does not.
    const fresh = new IsolatedValidator({
      workers: 1,
      parseTimeoutMs: 1_000,
      networkTimeoutMs: 15_000,
      maxHeapMb: 256,
    });
    try {
      const report = await fresh.validate(await congVan(), validationOptions());
      expect(report.verdictSubIndication).not.toBe('FORMAT_FAILURE');
      expect(report.verdict).toBe('INDETERMINATE');
    } finally {
      await fresh.close();
    }
  });

  it('a file that exhausts a worker heap limit ends as FORMAT_FAILURE; the replacement worker validates the next file', async () => {
    const small = new IsolatedValidator({ workers: 1, parseTimeoutMs: 5_000, networkTimeoutMs: 15_000, maxHeapMb: 32 });
    try {
      const report = await small.validate(heapHog(), validationOptions());
      expect(report).toMatchObject({ verdict: 'TOTAL_FAILED', verdictSubIndication: 'FORMAT_FAILURE' });
      expect(report.verdictReason).toMatch(/memory|within/);
      const next = await small.validate(await signAs(await congVan(), 'nguyen-van-an', 'B-B'), validationOptions());
      expect(next.signatures[0]?.indication).toBe('TOTAL_PASSED');
    } finally {
      await small.close();
    }
  });

  it('in-process validation of the same files also ends (bounded reader), without the worker', async () => {
    for (const bytes of [referenceLoop(), pageTreeLoop(), objectStreamLoop()]) {
      const report = await validatePdf(bytes, validationOptions());
      expect(report.verdictSubIndication).toBe('FORMAT_FAILURE');
    }
  });
});
