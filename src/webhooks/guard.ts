/**
 * Webhooks must not become a way into the internal network (SSRF). A URL is refused unless it
 * is http(s) and every address its host resolves to is a public unicast address; the same check
 * runs again on each delivery's own DNS lookup, so a name that later resolves to 10.0.0.1 (DNS
 * rebinding) is refused at connect time. KEPT_WEBHOOKS_ALLOW_PRIVATE=true lifts the rule, for
 * tests and for organisations whose receivers live on their own network.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Invalid } from '../core/errors';

export interface GuardOptions { allowPrivate: boolean }

/** Why an address may not be called, or null if it may. */
export function refusedAddress(address: string, opts: GuardOptions): string | null {
  if (opts.allowPrivate) return null;
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return range === 'unicast' ? null : `${address} is a ${range} address; webhooks go only to public addresses (see KEPT_WEBHOOKS_ALLOW_PRIVATE)`;
}

/** Checks a URL when an endpoint is registered: scheme, no credentials, and where its host resolves. */
export async function checkWebhookUrl(raw: string, opts: GuardOptions): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Invalid('body.url', 'url', 'Give a full http(s) URL, e.g. https://example.com/kept-hooks');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Invalid('body.url', 'scheme', `Only http and https URLs can receive webhooks, not ${url.protocol}`);
  if (url.username || url.password) throw new Invalid('body.url', 'credentials', 'Put no user name or password in the URL: receivers check the signature instead');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new Invalid('body.url', 'resolvable', `The host ${host} could not be resolved`);
  }
  for (const address of addresses) {
    const why = refusedAddress(address, opts);
    if (why) throw new Invalid('body.url', 'public', why);
  }
  return url;
}

/** A DNS lookup for http.request that refuses private addresses at connect time. */
export function guardedLookup(opts: GuardOptions): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as dns.LookupAddress[];
      const bad = list.map((a) => refusedAddress(a.address, opts)).find(Boolean);
      if (bad) return callback(Object.assign(new Error(bad), { code: 'EKEPTPRIVATE' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
