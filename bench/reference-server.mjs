// The floor of the benchmark: a bare node:http server doing only what no webhook receiver
// can skip — read the body, check its X-Hub-Signature-256 in constant time, parse the JSON,
// look at the ref — and answer 202. No disk, no queue, no runs, no log. What it reaches on a
// machine bounds what any Node receiver (whauto included) can reach there.
//   node bench/reference-server.mjs PORT SECRET
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const [port, secret] = [Number(process.argv[2]), process.argv[3]];
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    let code = 403;
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      code = JSON.parse(body.toString('utf8')).ref === 'refs/heads/master' ? 202 : 200;
    }
    const text = code === 202 ? '{"status":"queued"}' : '{"status":"forbidden"}';
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': text.length });
    res.end(text);
  });
}).listen(port, '127.0.0.1');
