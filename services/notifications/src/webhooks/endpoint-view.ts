import type { WebhookEndpoint } from '../repositories/endpoints-repository';

/** What the API answers about an endpoint: never its secrets (those are shown once, when made). */
export type EndpointView = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  state: 'active' | 'disabled';
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  previousSecretValidUntil: string | null;
  createdAt: string;
};

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

export function endpointView(endpoint: WebhookEndpoint, now: Date): EndpointView {
  const overlap =
    endpoint.previousSecretUntil && endpoint.previousSecretUntil > now ? endpoint.previousSecretUntil : null;
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    state: endpoint.state,
    failingSince: iso(endpoint.failingSince),
    disabledAt: iso(endpoint.disabledAt),
    disabledReason: endpoint.disabledReason,
    previousSecretValidUntil: iso(overlap),
    createdAt: endpoint.createdAt.toISOString(),
  };
}
