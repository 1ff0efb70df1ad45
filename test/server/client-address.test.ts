import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxyHops } from '../../src/server/client-address.ts';

describe('the client address behind proxies (TRUST_PROXY)', () => {
  it('reads TRUST_PROXY as a hop count and refuses anything else', () => {
    expect(trustedProxyHops(undefined)).toBe(0);
    expect(trustedProxyHops('')).toBe(0);
    expect(trustedProxyHops('2')).toBe(2);
    for (const bad of ['true', '-1', '1.5', '11', 'yes']) {
      expect(() => trustedProxyHops(bad), bad).toThrow(/TRUST_PROXY must be the number of reverse proxies/);
    }
  });

  it.each([
    // [peer, X-Forwarded-For, hops, client]
    ['203.0.113.9', undefined, 0, '203.0.113.9'],
    ['203.0.113.9', '198.51.100.1', 0, '203.0.113.9'], // no proxy trusted: the header is ignored
    ['10.0.0.2', '198.51.100.1', 1, '198.51.100.1'], // one proxy appended the client
    ['10.0.0.2', '6.6.6.6, 198.51.100.1', 1, '198.51.100.1'], // a forged entry left of it is skipped
    ['10.0.0.3', '6.6.6.6, 198.51.100.1, 10.0.0.2', 2, '198.51.100.1'], // two proxies
    ['10.0.0.2', undefined, 1, '10.0.0.2'], // came round the proxy: only the peer is known
    ['10.0.0.2', 'not-an-address, 198.51.100.1', 2, '10.0.0.2'], // garbage is never a key
    ['10.0.0.2', ['6.6.6.6', '2001:db8::1'], 1, '2001:db8::1'], // repeated headers
  ] as const)('peer %s, X-Forwarded-For %j, %i hops: %s', (peer, forwarded, hops, expected) => {
    expect(clientAddress(peer, forwarded as string | string[] | undefined, hops)).toBe(expected);
  });

  it('never lets the client choose its address by what it writes to the left of the trusted hops', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ipv4, fc.string()), { maxLength: 6 }),
        ipv4,
        fc.array(ipv4, { minLength: 1, maxLength: 3 }),
        (forged, client, proxies) => {
          // The client sends `forged`; the first proxy appends the client, each further proxy the
          // one before it; the last proxy is the socket's peer.
          const header = [...forged, client, ...proxies.slice(0, -1)].join(', ');
          expect(clientAddress(proxies.at(-1), header, proxies.length)).toBe(client);
        },
      ),
    );
  });
});
