import type { Pool } from '@vanthu/platform';
import type { NotificationsContext } from '../context';

/** Reads run in a plain transaction of their own. */
export type ReadContext = Pick<NotificationsContext, 'identity' | 'clock'> & { pool: Pool };
