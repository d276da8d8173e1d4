import { createLogger, createPool, listDeadLetters, loadConfig, reprocessDeadLetters } from '@vanthu/platform';
import { reportingConfigSchema } from './config';
import { reportingConsumer } from './events/consumers';

// `npm run dead-letters -w @vanthu/reporting [-- reprocess [id …]]`: with the reporting service's environment (DATABASE_URL,
// KAFKA_TOPIC_PREFIX, CONSUMER_GROUP), lists the events the projections could not count (unreadable, breaking their
// schema, of an unknown version, or whose handler kept failing), oldest first, as JSON lines; `reprocess` takes them
// (all, or the ids given) through the inbox again with this build's handlers, once each (ARCHITECTURE.md "Events").
async function main(): Promise<void> {
  const config = loadConfig('reporting', reportingConfigSchema);
  const logger = createLogger('reporting-dead-letters', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL);
  const scope = reportingConsumer(config.CONSUMER_GROUP, config.KAFKA_TOPIC_PREFIX);
  const [command = 'list', ...ids] = process.argv.slice(2);
  try {
    if (command === 'list') {
      for (const letter of await listDeadLetters(pool, scope.consumer))
        process.stdout.write(`${JSON.stringify(letter)}\n`);
    } else if (command === 'reprocess') {
      if (ids.some((id) => !/^\d+$/.test(id))) throw new Error('dead-letter ids are the numbers `list` shows');
      const outcome = await reprocessDeadLetters(pool, scope, ids.length > 0 ? ids : undefined);
      logger.info(
        { reprocessed: outcome.reprocessed.length, stillFailing: outcome.stillFailing.length },
        'reprocessed',
      );
      process.stdout.write(`${JSON.stringify(outcome)}\n`);
    } else throw new Error(`unknown command ${command}: list, or reprocess [id …]`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`reporting dead letters: ${(error as Error).message}\n`);
  process.exit(1);
});
