/**
 * Behind a reverse proxy every request comes from the proxy's address, so the per-address limits
 * (sign-in throttling, the contact form, portal links) would count all customers as one. With
 * KEPT_TRUST_PROXY the client's address is taken from X-Forwarded-For — but only as far as the
 * proxies named there vouch for it: anyone can write that header, so "trust every proxy" is not
 * offered. Either the proxies' addresses or CIDR ranges (the usual choice), or a number of hops
 * when the only way in is through that many proxies.
 */
import net from 'node:net';

/** What Fastify's trustProxy takes: nothing trusted, a hop count, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

function isAddressOrRange(s: string): boolean {
  const [address, bits, ...rest] = s.split('/');
  if (rest.length || !address) return false;
  const family = net.isIP(address);
  if (!family) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Null when the setting is not understood (the configuration error names the forms). */
export function parseTrustProxy(value: string | undefined): TrustProxy | null {
  const v = value?.trim();
  if (!v || v === 'false') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v) > 0 ? Number(v) : false;
  const parts = v.split(',').map((p) => p.trim()).filter(Boolean);
  return parts.length && parts.every(isAddressOrRange) ? parts : null;
}
