/**
 * The client's address, which every per-client budget and log line keys on. Directly connected,
 * it is the socket's peer. Behind reverse proxies, each proxy appends the address it received
 * the request from to X-Forwarded-For, and only those entries are trustworthy: everything to
 * their left was written by the client and may be forged. TRUST_PROXY names how many proxies
 * stand in front (the hop count), so the client is the entry that many places from the right,
 * counting the socket's peer as the last. The leftmost entry is never trusted blindly.
 */

/** The header scripts/serve.ts sets on every request (replacing any the client sent). */
export const CLIENT_ADDRESS_HEADER = 'x-zhenxin-client-address';

/** TRUST_PROXY: unset or 0 trusts no forwarding header; N (1–10) trusts the last N hops. */
export function trustedProxyHops(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0;
  const hops = Number(value);
  if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
    throw new Error(
      `TRUST_PROXY must be the number of reverse proxies in front of the server, 0 to 10; got "${value}"`,
    );
  }
  return hops;
}

export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  hops: number,
): string {
  const direct = peer ?? 'unknown';
  if (hops === 0) return direct;
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chain = [...forwarded, direct];
  // With fewer entries than proxies, the request did not come through all of them: the leftmost
  // entry is then the best there is (and still one a trusted proxy wrote, or the peer itself).
  const entry = chain[Math.max(0, chain.length - 1 - hops)] ?? direct;
  return isAddress(entry) ? entry : direct;
}

/** An IPv4 or IPv6 address as a proxy writes it (anything else is not used as a key). */
function isAddress(value: string): boolean {
  return /^(?:\d{1,3}\.){3}\d{1,3}$/.test(value) || (/^[0-9a-f:.]+$/i.test(value) && value.includes(':'));
}
