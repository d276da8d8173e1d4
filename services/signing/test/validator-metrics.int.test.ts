import { metricsRegistry } from '@vanthu/platform';
import { IsolatedValidator } from '../src/validation/isolated-validator';
import { congVan, signAs, validationOptions } from './fixtures/validation-support';

// What an operator sees of the validation pool: workers busy and files waiting (vanthu_work_*), and each worker
// stopped by a deadline or a crash (vanthu_validation_workers_stopped_total).
const stopped = async (cause: string): Promise<number> => {
  const metric = metricsRegistry.getSingleMetric('vanthu_validation_workers_stopped_total');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.cause === cause)?.value ?? 0;
};

it('a file over the parse deadline counts one stopped worker; load shows the busy worker and the queue', async () => {
  const strict = new IsolatedValidator({ workers: 1, parseTimeoutMs: 1, networkTimeoutMs: 1, maxHeapMb: 128 });
  try {
    const bytes = await signAs(await congVan(), 'nguyen-van-an', 'B-B');
    const before = await stopped('parse-deadline');
    // A worker takes jobs only once it has booted; until then every file waits.
    await strict.ready();
    expect(strict.load()).toEqual({ running: 0, waiting: 0, capacity: 1 });
    const first = strict.validate(bytes, validationOptions());
    const second = strict.validate(bytes, validationOptions());
    expect(strict.load()).toEqual({ running: 1, waiting: 1, capacity: 1 });
    expect((await first).verdictSubIndication).toBe('FORMAT_FAILURE');
    await second;
    expect(await stopped('parse-deadline')).toBe(before + 2);
    expect(strict.load()).toEqual({ running: 0, waiting: 0, capacity: 1 });
  } finally {
    await strict.close();
  }
});
