// The agent's retry loop: backoff after failures, logs once per state change, never throws.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { runLoop } from './loop.js';

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('runLoop', () => {
  test('a failing step is retried; the failure is warned once, its end told once; "done" ends the loop', async () => {
    const { logger, lines } = capture();
    let calls = 0;
    const ac = new AbortController();
    await runLoop(
      { name: 'probe', logger, intervalMs: 1, backoff: { initialMs: 1, maxMs: 2 } },
      async () => {
        calls++;
        if (calls <= 5) throw new Error('connect ECONNREFUSED');
        return calls >= 7 ? 'done' : undefined;
      },
      ac.signal,
    );
    assert.equal(calls, 7);
    const warns = lines.filter((l) => l.level === 40);
    assert.equal(warns.length, 1);
    assert.match(warns[0]!.msg, /probe failed; retrying with backoff/);
    assert.equal(lines.filter((l) => l.msg === 'probe works again').length, 1);
    assert.equal(lines.filter((l) => l.msg === 'probe still failing').length, 4);
  });

  test('a new failure message is warned again; abort ends the loop', async () => {
    const { logger, lines } = capture();
    let calls = 0;
    const ac = new AbortController();
    await runLoop(
      { name: 'lease', logger, intervalMs: 1, backoff: { initialMs: 1, maxMs: 1 } },
      async () => {
        calls++;
        if (calls === 4) ac.abort();
        throw new Error(calls < 3 ? 'refused' : 'forbidden');
      },
      ac.signal,
    );
    assert.equal(lines.filter((l) => l.level === 40).length, 2);
  });

  test('a step may choose its own delay', async () => {
    const { logger } = capture();
    const times: number[] = [];
    const ac = new AbortController();
    await runLoop(
      { name: 'x', logger, intervalMs: 60_000 },
      async () => {
        times.push(Date.now());
        if (times.length === 3) return 'done';
        return 1;
      },
      ac.signal,
    );
    assert.equal(times.length, 3);
  });
});
