// A Node.js program that checks its own work while scremote attaches to
// it again and again: an HTTP server and client on 127.0.0.1 (bodies and
// their SHA-256), timers whose order is known, short-lived workers (threads
// born and gone all along), a worker thread woken
// through Atomics.wait/notify on shared memory (a futex), the libuv
// thread pool (pbkdf2, zlib, file reads and writes); and it counts the
// SIGUSR2 the injector sends (DIR/signals).  Every result is
// checked as it is produced; any wrong one prints "FAIL: ..." and exits 1.
//
// Prints "READY pid=N port=P", works until its standard input ends,
// stops every loop (bounded), checks the totals and prints
// "VERDICT PASS ..." (exit 0).  Node's own modules only.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const zlib = require('zlib');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// The message for sequence number n, the same in both threads.
function message(n) {
  return Buffer.from(`message ${n} ` + 'x'.repeat(n % 997));
}

if (!isMainThread) {
  // Worker: waits on shared memory until the main thread moves the
  // sequence, hashes the message for it and answers.
  const seq = new Int32Array(workerData.shared);
  let last = 0;
  for (;;) {
    const r = Atomics.wait(seq, 0, last, 30000);
    const now = Atomics.load(seq, 0);
    if (now === -1) break;
    if (r === 'timed-out') {
      parentPort.postMessage({ fail: 'worker: no wake-up within 30 s' });
      break;
    }
    if (now !== last + 1) {
      parentPort.postMessage({ fail: `worker: sequence went from ${last} to ${now}` });
      break;
    }
    last = now;
    parentPort.postMessage({ n: now, digest: sha256(message(now)) });
  }
  process.exit(0);
}

let stopping = false;
const counts = {};
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node target.js DIR');
  process.exit(2);
}

function fail(msg) {
  process.stdout.write(`FAIL: ${msg}\n`, () => process.exit(1));
  setTimeout(() => process.exit(1), 1000).unref();
}

function count(name) {
  counts[name] = (counts[name] || 0) + 1;
}

// A loop of asynchronous rounds: each round calls next() when done.
const loops = [];
function loop(name, round) {
  counts[name] = 0;
  const state = { name, done: false, resolve: null };
  state.finished = new Promise((res) => { state.resolve = res; });
  const next = () => {
    if (stopping) {
      state.done = true;
      state.resolve();
      return;
    }
    round(() => { count(name); setImmediate(next); });
  };
  loops.push(state);
  setImmediate(next);
}

// ---- HTTP on 127.0.0.1 ----------------------------------------------

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ len: body.length, digest: sha256(body), seq: req.headers['x-seq'] }));
  });
});

function httpLoops(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  for (let c = 0; c < 3; c++) {
    let seq = 0;
    loop(`http${c}`, (done) => {
      const n = seq++;
      const body = crypto.randomBytes((n * 7919) % 65536);
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent,
        headers: { 'x-seq': `${c}:${n}`, 'content-length': body.length } }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          let r;
          try {
            r = JSON.parse(Buffer.concat(chunks).toString());
          } catch (e) {
            return fail(`http: bad answer to ${c}:${n}: ${e}`);
          }
          if (res.statusCode !== 200 || r.len !== body.length || r.digest !== sha256(body) || r.seq !== `${c}:${n}`)
            return fail(`http: request ${c}:${n} answered ${JSON.stringify(r)}`);
          done();
        });
      });
      req.on('error', (e) => fail(`http request ${c}:${n}: ${e}`));
      req.end(body);
    });
  }
  return agent;
}

// ---- timers ----------------------------------------------------------

// Timers fire in the order they were set when each is set no earlier
// and with no shorter a delay than the one before: however late the
// process runs them, and however long it was stopped between two of
// them (Node reads the clock for each).  Equal delays keep their order.
function timers() {
  loop('timers', (done) => {
    const delays = [1, 2, 3, 3, 3, 4, 7, 12, 20];
    const fired = [];
    delays.forEach((d, i) => setTimeout(() => {
      fired.push(i);
      if (fired.length === delays.length) {
        if (fired.join() !== delays.map((_, k) => k).join())
          return fail(`timers with delays ${delays} fired in order ${fired}`);
        done();
      }
    }, d));
  });
  loop('immediate', (done) => {
    // process.nextTick runs before setImmediate, Promise jobs before both.
    const order = [];
    setImmediate(() => {
      order.push('immediate');
      if (order.join() !== 'tick,promise,immediate')
        return fail(`callbacks ran in order ${order}`);
      done();
    });
    Promise.resolve().then(() => order.push('promise'));
    process.nextTick(() => order.push('tick'));
  });
}

// ---- worker thread on shared memory -----------------------------------

function workerLoop() {
  const shared = new SharedArrayBuffer(4);
  const seq = new Int32Array(shared);
  const w = new Worker(__filename, { workerData: { shared } });
  let waiting = null;
  w.on('message', (m) => {
    if (m.fail) return fail(m.fail);
    const n = Atomics.load(seq, 0);
    if (m.n !== n || m.digest !== sha256(message(n)))
      return fail(`worker answered ${m.n} ${m.digest} for ${n}`);
    const cb = waiting;
    waiting = null;
    cb();
  });
  w.on('error', (e) => fail(`worker: ${e}`));
  const exited = new Promise((res) => w.on('exit', (code) => res(code)));
  loop('worker', (done) => {
    waiting = done;
    Atomics.add(seq, 0, 1);
    Atomics.notify(seq, 0);
  });
  return async () => {
    Atomics.store(seq, 0, -1);
    Atomics.notify(seq, 0);
    return exited;
  };
}

// Short-lived workers: threads (and V8 isolates) born and gone all along.
function churn() {
  let n = 0;
  loop('churn', (done) => {
    const k = n++;
    const w = new Worker(
      "const { parentPort, workerData } = require('worker_threads');" +
      "const crypto = require('crypto');" +
      "parentPort.postMessage(crypto.createHash('sha256').update(`churn ${workerData}`).digest('hex'));",
      { eval: true, workerData: k });
    let answer = null;
    w.on('message', (m) => { answer = m; });
    w.on('error', (e) => fail(`churn worker ${k}: ${e}`));
    w.on('exit', (code) => {
      if (code !== 0 || answer !== sha256(Buffer.from(`churn ${k}`)))
        return fail(`churn worker ${k}: exit ${code}, answer ${answer}`);
      done();
    });
  });
}

// ---- the thread pool ---------------------------------------------------

function pool() {
  let n = 0;
  loop('pbkdf2', (done) => {
    const pw = `password ${n++}`;
    const want = crypto.pbkdf2Sync(pw, 'salt', 500, 32, 'sha256');
    crypto.pbkdf2(pw, 'salt', 500, 32, 'sha256', (err, got) => {
      if (err || !got.equals(want)) return fail(`pbkdf2 of "${pw}" differs`);
      done();
    });
  });
  let z = 0;
  loop('zlib', (done) => {
    const data = Buffer.from(`zlib round ${z++} `.repeat(3000));
    zlib.deflate(data, (err, packed) => {
      if (err) return fail(`deflate: ${err}`);
      zlib.inflate(packed, (err2, back) => {
        if (err2 || !back.equals(data)) return fail(`inflate gave back other data`);
        done();
      });
    });
  });
  let f = 0;
  const file = path.join(dir, 'node-file');
  loop('files', (done) => {
    const data = Buffer.from(`file round ${f++};`.repeat(2000));
    fs.writeFile(file, data, (err) => {
      if (err) return fail(`write ${file}: ${err}`);
      fs.readFile(file, (err2, back) => {
        if (err2 || !back.equals(data)) return fail(`read ${file}: other data`);
        done();
      });
    });
  });
}

// ---- main ---------------------------------------------------------------

const watchdog = setTimeout(() => fail('no end of input within 300 s'), 300000);

// SIGUSR2 from the injector, one at a time: each is counted in
// DIR/signals (written whole, then renamed), which it reads.
let usr2 = 0;
const ack = path.join(dir, 'signals');
process.on('SIGUSR2', () => {
  usr2++;
  try {
    fs.writeFileSync(`${ack}.tmp`, String(usr2));
    fs.renameSync(`${ack}.tmp`, ack);
  } catch (e) {
    fail(`counting SIGUSR2: ${e}`);
  }
});

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const agent = httpLoops(port);
  timers();
  const stopWorker = workerLoop();
  churn();
  pool();
  process.stdout.write(`READY pid=${process.pid} port=${port}\n`);

  process.stdin.resume();
  process.stdin.on('data', () => {});
  process.stdin.on('end', async () => {
    const t0 = Date.now();
    stopping = true;
    const bound = setTimeout(() => {
      const stuck = loops.filter((l) => !l.done).map((l) => l.name);
      fail(`loops did not stop within 60 s: ${stuck}`);
    }, 60000);
    await Promise.all(loops.map((l) => l.finished));
    const code = await stopWorker();
    if (code !== 0) return fail(`worker exited with ${code}`);
    agent.destroy();
    server.close();
    clearTimeout(bound);
    clearTimeout(watchdog);
    for (const [name, n] of Object.entries(counts))
      if (n === 0) return fail(`loop ${name} made no progress`);
    const summary = Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ');
    process.stdout.write(`VERDICT PASS ${summary} sigusr2=${usr2} stop=${((Date.now() - t0) / 1000).toFixed(1)}s node${process.version}\n`);
  });
});
