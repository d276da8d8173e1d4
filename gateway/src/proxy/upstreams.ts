import type { GatewayConfig } from '../config';

export type Upstream = {
  service: 'documents' | 'signing' | 'routing' | 'reporting' | 'exchange' | 'notifications';
  /** The first replica: where the gateway reads the service's OpenAPI document. */
  url: string;
  /** Every replica of the service (a comma-separated `*_URL`); requests are balanced over the live ones. */
  replicas: string[];
  prefixes: string[];
};

/**
 * Which service answers which public path. Sub-resources of a document that belong to
 * signing (its signatures and validation report) are listed explicitly; the router prefers
 * them over the documents prefix because parametric routes win over wildcards.
 */
export function upstreams(config: GatewayConfig): Upstream[] {
  return withReplicas([
    {
      service: 'documents',
      url: config.DOCUMENTS_URL,
      prefixes: [
        '/v1/documents',
        '/v1/registers',
        '/v1/organisations',
        '/v1/document-types',
        '/v1/dossiers',
        '/v1/searches',
        '/v1/copies',
      ],
    },
    {
      service: 'signing',
      url: config.SIGNING_URL,
      prefixes: [
        '/v1/documents/:documentId/signatures',
        '/v1/documents/:documentId/validation',
        '/v1/signing-sessions',
        '/v1/validations',
        '/v1/certificates',
        '/v1/signing-keys',
        '/v1/signature-images',
        '/v1/edxml-signatures',
      ],
    },
    {
      service: 'routing',
      url: config.ROUTING_URL,
      prefixes: [
        '/v1/workflows',
        '/v1/tasks',
        '/v1/processes',
        '/v1/interop',
        '/v1/calendars',
        '/v1/delegations',
        '/v1/certificate-exceptions',
        '/v1/certificate-gating',
        '/v1/consultations',
      ],
    },
    { service: 'reporting', url: config.REPORTING_URL, prefixes: ['/v1/reports'] },
    { service: 'exchange', url: config.EXCHANGE_URL, prefixes: ['/v1/exchanges', '/v1/hub'] },
    { service: 'notifications', url: config.NOTIFICATIONS_URL, prefixes: ['/v1/webhooks'] },
  ]);
}

function withReplicas(services: Omit<Upstream, 'replicas'>[]): Upstream[] {
  return services.map((service) => {
    const replicas = service.url.split(',').map((url) => url.trim().replace(/\/+$/, ''));
    return { ...service, url: replicas[0] as string, replicas };
  });
}
