// A webhook receiver in a process of its own (an integration is another service, not part of
// Kept's process): it answers 204 and remembers when each delivery arrived. Messages from the
// parent: 'report' → the deliveries so far, [{ at, occurredAt, id }].
import http from 'node:http';

const received = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    received.push({ at: Date.now(), occurredAt: Date.parse(JSON.parse(body).timestamp), id: String(req.headers['webhook-id']) });
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}/hook` }));
process.on('message', (m) => {
  if (m === 'report') process.send({ received });
  if (m === 'stop') server.close(() => process.exit(0));
});
