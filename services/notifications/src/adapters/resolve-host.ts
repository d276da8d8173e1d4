import dns from 'node:dns/promises';

/** Every address a host name resolves to (a literal address resolves to itself). */
export async function resolveHost(hostname: string): Promise<string[]> {
  const literal = hostname.replace(/^\[|\]$/g, '');
  const entries = await dns.lookup(literal, { all: true, verbatim: true });
  return entries.map((entry) => entry.address);
}
