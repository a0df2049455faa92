// The floor of the benchmark: a bare node:http server doing only what no webhook receiver
// can skip — read the body, check its X-Hub-Signature-256 in constant time, parse the JSON,
// look at the ref — and answer 202. No queue, no runs, no log. What it reaches on a machine
// bounds what any Node receiver (whauto included) can reach there.
//   node bench/reference-server.mjs PORT SECRET [JOURNAL_FILE]
// With JOURNAL_FILE it also keeps the promise whauto keeps: a 202 only once the delivery is
// on disk. Deliveries verified in one turn of the event loop are written as one group, with
// one O_DSYNC write in place into JOURNAL_FILE (made at 64 MB of zeros first, then reused from
// the start when full), one write at a time: the durable floor.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, write, writeSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, secret, journal] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const FILE_BYTES = 64 << 20;
let fd = -1;
if (journal) {
  fd = openSync(journal, 'w');
  const zeros = Buffer.alloc(1 << 20);
  for (let at = 0; at < FILE_BYTES; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
  fsyncSync(fd);
  closeSync(fd);
  fd = openSync(journal, constants.O_RDWR | constants.O_DSYNC);
}
let pos = 0;
let group = [];
let writing = false;
let scheduled = false;

/** Writes the waiting group (their bodies, as the journal would hold them) and answers it. */
function flush() {
  scheduled = false;
  if (writing || group.length === 0) return;
  const answers = group;
  group = [];
  const buf = Buffer.concat(answers.map((a) => a.body));
  if (pos + buf.length > FILE_BYTES) pos = 0;
  writing = true;
  write(fd, buf, 0, buf.length, pos, (err) => {
    writing = false;
    pos += buf.length;
    for (const a of answers) a.answer(err ? 500 : 202);
    flush();
  });
}

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
    const answer = (c) => {
      const text = c === 202 ? '{"status":"queued"}' : '{"status":"forbidden"}';
      res.writeHead(c, { 'Content-Type': 'application/json', 'Content-Length': text.length });
      res.end(text);
    };
    if (code !== 202 || fd < 0) return answer(code);
    group.push({ body, answer });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}).listen(port, '127.0.0.1');
