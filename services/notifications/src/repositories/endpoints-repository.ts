import type { Tx } from '@vanthu/platform';

export type WebhookEndpoint = {
  id: string;
  agencyCode: string;
  url: string;
  description: string;
  eventTypes: string[];
  state: 'active' | 'disabled';
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  previousSecretUntil: Date | null;
  createdBy: string;
  createdAt: Date;
};

/** The endpoint with the secrets that sign its deliveries (never answered by a read). */
export type EndpointSecrets = { secret: string; previousSecret: string | null; previousSecretUntil: Date | null };

const columns = `id, agency_code, url, description, event_types, state, failing_since, disabled_at, disabled_reason,
  previous_secret_until, created_by, created_at`;

const toEndpoint = (r: Record<string, unknown>): WebhookEndpoint => ({
  id: r.id as string,
  agencyCode: r.agency_code as string,
  url: r.url as string,
  description: r.description as string,
  eventTypes: r.event_types as string[],
  state: r.state as WebhookEndpoint['state'],
  failingSince: (r.failing_since as Date | null) ?? null,
  disabledAt: (r.disabled_at as Date | null) ?? null,
  disabledReason: (r.disabled_reason as string | null) ?? null,
  previousSecretUntil: (r.previous_secret_until as Date | null) ?? null,
  createdBy: r.created_by as string,
  createdAt: r.created_at as Date,
});

export async function insertEndpoint(
  tx: Tx,
  row: {
    id: string;
    agencyCode: string;
    url: string;
    description: string;
    eventTypes: string[];
    secret: string;
    createdBy: string;
    at: Date;
  },
): Promise<WebhookEndpoint> {
  const { rows } = await tx.query(
    `INSERT INTO webhook_endpoints (id, agency_code, url, description, event_types, secret, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
    [row.id, row.agencyCode, row.url, row.description, row.eventTypes, row.secret, row.createdBy, row.at],
  );
  return toEndpoint(rows[0]);
}

export async function listEndpoints(tx: Tx, agencyCode: string): Promise<WebhookEndpoint[]> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM webhook_endpoints WHERE agency_code = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
    [agencyCode],
  );
  return rows.map(toEndpoint);
}

/** Another agency's endpoint is not found, exactly like a missing one. */
export async function findEndpoint(
  tx: Tx,
  agencyCode: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<WebhookEndpoint | undefined> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM webhook_endpoints WHERE id = $1 AND agency_code = $2 AND deleted_at IS NULL
     ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id, agencyCode],
  );
  return rows[0] ? toEndpoint(rows[0]) : undefined;
}

export async function deleteEndpoint(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.query(`UPDATE webhook_endpoints SET deleted_at = $2 WHERE id = $1`, [id, at]);
  await tx.query(
    `UPDATE webhook_deliveries SET state = 'failed', last_error = 'endpoint deleted', finished_at = $2, lease_until = NULL
      WHERE endpoint_id = $1 AND state = 'pending'`,
    [id, at],
  );
}

/** The new secret signs from now on; the old one keeps signing beside it until `previousUntil`. */
export async function rotateEndpointSecret(
  tx: Tx,
  id: string,
  secret: string,
  previousUntil: Date,
): Promise<WebhookEndpoint> {
  const { rows } = await tx.query(
    `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3, secret = $2
      WHERE id = $1 RETURNING ${columns}`,
    [id, secret, previousUntil],
  );
  return toEndpoint(rows[0]);
}

export async function enableEndpoint(tx: Tx, id: string): Promise<WebhookEndpoint> {
  const { rows } = await tx.query(
    `UPDATE webhook_endpoints SET state = 'active', disabled_at = NULL, disabled_reason = NULL, failing_since = NULL,
                                  paused_until = NULL
      WHERE id = $1 RETURNING ${columns}`,
    [id],
  );
  return toEndpoint(rows[0]);
}

/** The ids of the agency's active endpoints subscribed to one webhook event type. */
export async function subscribedEndpointIds(tx: Tx, agencyCode: string, eventType: string): Promise<string[]> {
  const { rows } = await tx.query(
    `SELECT id FROM webhook_endpoints
      WHERE agency_code = $1 AND state = 'active' AND deleted_at IS NULL AND $2 = ANY (event_types)`,
    [agencyCode, eventType],
  );
  return rows.map((r) => r.id as string);
}

/** Disables an endpoint and gives up its pending deliveries (they stay in the log and can be replayed). */
export async function disableEndpoint(tx: Tx, id: string, at: Date, reason: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE webhook_endpoints SET state = 'disabled', disabled_at = $2, disabled_reason = $3
      WHERE id = $1 AND state = 'active'`,
    [id, at, reason],
  );
  await tx.query(
    `UPDATE webhook_deliveries SET state = 'failed', last_error = COALESCE(last_error, $3), finished_at = $2,
            lease_until = NULL
      WHERE endpoint_id = $1 AND state = 'pending'`,
    [id, at, 'endpoint disabled'],
  );
  return (rowCount ?? 0) > 0;
}
