// Widget connections for bench/chat.ts, in their own process (so the server's memory and event
// loop are measured alone). Messages from the parent: { convs, urls } → opens one socket per
// conversation, alternating instances, and answers 'connected'; then { send, concurrency } →
// posts visitor messages to the OTHER instance than the one holding the socket and measures the
// time from the POST to the message arriving on the socket.
import WebSocket from 'ws';

const sockets = new Map(); // conversation id → { ws, waiting: Map<body, resolve> }
let convs = [];
let urls = [];

function open(conv, url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/chat/socket`);
    const entry = { ws, waiting: new Map(), url };
    let first = true;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', conversationId: conv.id, token: conv.visitorToken, after: 0 })));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type !== 'view') return;
      if (first) { first = false; resolve(entry); }
      for (const msg of m.view.messages) {
        const done = entry.waiting.get(msg.body);
        if (done) { entry.waiting.delete(msg.body); done(performance.now()); }
      }
    });
    ws.on('error', reject);
    sockets.set(conv.id, entry);
  });
}

process.on('message', async (msg) => {
  if (msg.convs) {
    convs = msg.convs;
    urls = msg.urls;
    const started = performance.now();
    for (let i = 0; i < convs.length; i += 100) {
      await Promise.all(convs.slice(i, i + 100).map((c, j) => open(c, urls[(i + j) % urls.length])));
    }
    process.send({ connected: sockets.size, ms: Math.round(performance.now() - started) });
  }
  if (msg.send) {
    const latencies = [];
    const posts = [];
    let errors = 0;
    let next = 0;
    const one = async () => {
      while (next < msg.send) {
        const k = next++;
        const conv = convs[(k * 7) % convs.length];
        const entry = sockets.get(conv.id);
        const other = urls[(urls.indexOf(entry.url) + 1) % urls.length];
        const body = `bench message ${k}`;
        const arrived = new Promise((resolve) => entry.waiting.set(body, resolve));
        const t0 = performance.now();
        const res = await fetch(`${other}/api/v1/chat/conversations/${conv.id}/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-kept-visitor': conv.visitorToken }, body: JSON.stringify({ body }),
        });
        posts.push(performance.now() - t0);
        if (res.status !== 201) { errors++; entry.waiting.delete(body); continue; }
        const t1 = await Promise.race([arrived, new Promise((r) => setTimeout(() => r(null), 10_000))]);
        if (t1 === null) errors++;
        else latencies.push(t1 - t0);
      }
    };
    await Promise.all(Array.from({ length: msg.concurrency }, one));
    latencies.sort((a, b) => a - b);
    posts.sort((a, b) => a - b);
    const at = (list, p) => list.length ? Number(list[Math.min(list.length - 1, Math.floor(p * list.length))].toFixed(1)) : null;
    const q = (p) => at(latencies, p);
    process.send({ postP50: at(posts, 0.5), postP99: at(posts, 0.99), delivered: latencies.length, errors, p50: q(0.5), p99: q(0.99), open: [...sockets.values()].filter((e) => e.ws.readyState === 1).length });
  }
  if (msg.close) {
    for (const e of sockets.values()) e.ws.terminate();
    process.exit(0);
  }
});
