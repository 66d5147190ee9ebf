import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from './queue.js';

async function drain(q: SchedulingQueue, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = (await q.get())!;
    out.push(k);
    q.done(k);
  }
  return out;
}

test('higher spec.schedulePriority.priority first, then first in first out', async () => {
  const q = new SchedulingQueue();
  q.add('ns/a', 0);
  q.add('ns/b', 10);
  q.add('ns/c', 0);
  q.add('ns/d', 10);
  q.add('ns/a', 0); // already queued: keeps its place
  assert.equal(q.length, 4);
  assert.deepEqual(await drain(q, 4), ['ns/b', 'ns/d', 'ns/a', 'ns/c']);
  q.shutDown();
});

test('a key re-added with a higher priority moves up', async () => {
  const q = new SchedulingQueue();
  q.add('a');
  q.add('b');
  q.add('b', 5);
  assert.deepEqual(await drain(q, 2), ['b', 'a']);
  q.shutDown();
});

test('a key is never handed out twice at once; added while in work, it comes back after done', async () => {
  const q = new SchedulingQueue();
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'not handed out while in work');
  q.done(k!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
  q.shutDown();
});

test('failed keys back off; unschedulable keys wait for moveAllToActive', async (t) => {
  // the queue's timers do not hold the process open (informers do in real use): hold it for the test
  const keepAlive = setInterval(() => undefined, 1000);
  t.after(() => clearInterval(keepAlive));
  const q = new SchedulingQueue({ initialBackoffMs: 20, maxBackoffMs: 40 });
  q.add('x');
  q.add('y');
  const x = (await q.get())!;
  const y = (await q.get())!;
  q.addBackoff(x);
  q.done(x);
  q.addUnschedulable(y);
  q.done(y);
  assert.deepEqual(q.pending, { active: 0, backoff: 1, unschedulable: 1 });
  assert.equal(await q.get(), 'x', 'back after the backoff');
  q.done('x');
  q.moveAllToActive();
  assert.equal(await q.get(), 'y');
  assert.equal(q.numAttempts('y'), 1);
  q.forget('y');
  assert.equal(q.numAttempts('y'), 0);
  q.shutDown();
  assert.equal(await q.get(), undefined);
});

test('an event for a waiting key makes it active at once; delete drops it', async () => {
  const q = new SchedulingQueue({ initialBackoffMs: 60_000 });
  q.add('k');
  const k = (await q.get())!;
  q.addBackoff(k);
  q.done(k);
  q.add('k');
  assert.equal(q.pending.backoff, 0);
  q.delete('k');
  assert.equal(q.length, 0);
  q.shutDown();
});
