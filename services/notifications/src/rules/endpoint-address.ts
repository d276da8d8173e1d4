import ipaddr from 'ipaddr.js';

export type WebhookMode = 'development' | 'production';

/** Why an endpoint URL or the address it resolves to is refused (tests tell the reasons apart by this). */
export type EndpointRefusal = 'not-a-url' | 'not-https' | 'credentials-in-url' | 'private-address' | 'unresolvable';

export class EndpointRefused extends Error {
  constructor(
    readonly reason: EndpointRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'EndpointRefused';
  }
}

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when a host name is a loopback name or literal (`localhost`, 127.0.0.0/8, ::1). */
export function isLoopbackHost(hostname: string): boolean {
  if (loopbackNames.has(hostname) || hostname.endsWith('.localhost')) return true;
  const literal = hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(literal) && ipaddr.process(literal).range() === 'loopback';
}

/**
 * Only public unicast addresses may receive webhooks in production: loopback, private (RFC 1918, fc00::/7),
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved and unspecified
 * addresses are refused so an endpoint cannot make vanthu call inside its own network (SSRF; OWASP SSRF
 * Prevention Cheat Sheet). IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * The URL rules checked when an endpoint is registered: HTTPS only (plain HTTP only to a loopback host in
 * development, for receivers on the developer's machine), no user:password in the URL.
 */
export function checkEndpointUrl(raw: string, mode: WebhookMode): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EndpointRefused('not-a-url', 'the endpoint is not an absolute URL');
  }
  if (url.username || url.password) {
    throw new EndpointRefused('credentials-in-url', 'the endpoint URL must not carry a user name or password');
  }
  const loopbackInDevelopment = mode === 'development' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackInDevelopment)) {
    throw new EndpointRefused(
      'not-https',
      mode === 'development'
        ? 'the endpoint must use https (plain http only for a loopback host in development)'
        : 'the endpoint must use https',
    );
  }
  return url;
}

/** In production every address a host resolves to must be public; in development anything goes. */
export function checkResolvedAddress(address: string, mode: WebhookMode): void {
  if (mode === 'production' && !isPublicAddress(address)) {
    throw new EndpointRefused('private-address', `the endpoint resolves to a non-public address (${address})`);
  }
}
