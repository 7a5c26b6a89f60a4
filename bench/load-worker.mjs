// The load generator runs in its own process so that it does not share an event loop (or a
// core's scheduling) with the server it measures. It gets its load description on the command
// line: { url, method, headers, body, pathTemplate ("{id}" → a random one of ids), ids,
// bodyTemplate ('"{id}"' → a random one of bodyIds), bodyIds, connections, seconds }
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);

const { pathTemplate, ids, bodyTemplate, bodyIds } = spec;
const pick = (list) => String(list[Math.floor(Math.random() * list.length)]);
// The generator's own CPU time while it runs (its start and imports left out): a request's cost to it.
const cpuAtStart = process.cpuUsage();
autocannon({
  url: spec.url,
  method: spec.method ?? 'GET',
  headers: spec.headers,
  body: spec.body,
  connections: spec.connections,
  duration: spec.seconds,
  requests: (pathTemplate && ids) || bodyTemplate
    ? [{ setupRequest: (req) => ({
      ...req,
      ...(pathTemplate && ids ? { path: pathTemplate.replace('{id}', pick(ids)) } : {}),
      ...(bodyTemplate ? { body: bodyTemplate.replace('"{id}"', pick(bodyIds)) } : {}),
    }) }]
    : undefined,
}, (err, r) => {
  if (err) throw err;
  const cpu = process.cpuUsage(cpuAtStart);
  process.send({ cpuMs: (cpu.user + cpu.system) / 1000, requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors });
});
