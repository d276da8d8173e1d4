import { checkEndpointUrl, isPublicAddress } from '../src/rules/endpoint-address';
import type { EndpointRefused } from '../src/rules/endpoint-address';
import { maxAttempts, nextAttemptAfter, retryDelaysMs } from '../src/rules/retry-schedule';

const reason = (url: string, mode: 'development' | 'production'): string | undefined => {
  try {
    checkEndpointUrl(url, mode);
    return undefined;
  } catch (error) {
    return (error as EndpointRefused).reason;
  }
};

describe('endpoint URLs', () => {
  it('accepts https, and plain http only to a loopback host in development', () => {
    expect(reason('https://hooks.example.vn/vanthu', 'production')).toBeUndefined();
    expect(reason('http://127.0.0.1:8080/hooks', 'development')).toBeUndefined();
    expect(reason('http://localhost:8080/hooks', 'development')).toBeUndefined();
    expect(reason('http://[::1]:8080/hooks', 'development')).toBeUndefined();
    expect(reason('http://127.0.0.1:8080/hooks', 'production')).toBe('not-https');
    expect(reason('http://hooks.example.vn/vanthu', 'development')).toBe('not-https');
    expect(reason('ftp://hooks.example.vn/', 'development')).toBe('not-https');
    expect(reason('hooks.example.vn/vanthu', 'production')).toBe('not-a-url');
    expect(reason('https://user:pw@hooks.example.vn/', 'production')).toBe('credentials-in-url');
  });

  it('counts only public unicast addresses as public (RFC 1918, loopback, link-local, CGNAT, ULA, mapped)', () => {
    for (const address of ['93.184.216.34', '2606:4700::6810:85e5', '14.225.0.1']) {
      expect(isPublicAddress(address)).toBe(true);
    }
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fc00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '224.0.0.1',
      'not-an-address',
    ]) {
      expect(isPublicAddress(address)).toBe(false);
    }
  });
});

describe('the retry schedule', () => {
  it('retries for more than 24 hours with growing delays, then gives up', () => {
    const total = retryDelaysMs.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3_600_000);
    for (let i = 1; i < retryDelaysMs.length; i += 1)
      expect(retryDelaysMs[i]!).toBeGreaterThanOrEqual(retryDelaysMs[i - 1]!);
    const at = new Date('2026-12-01T00:00:00Z');
    expect(nextAttemptAfter(1, at, 0)).toEqual(new Date(at.getTime() + 5_000));
    expect(nextAttemptAfter(1, at, 0.999)!.getTime()).toBeLessThanOrEqual(at.getTime() + 5_500);
    expect(nextAttemptAfter(maxAttempts, at, 0)).toBeUndefined();
  });
});
