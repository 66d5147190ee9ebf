import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TcpProxy } from './tcpproxy.js';

/** Connects, sends `msg`, resolves with what came back before `waitMs` passed (and whether it closed). */
function exchange(port: number, msg: string, waitMs = 300): Promise<{ data: string; closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    let data = '';
    let closed = false;
    let error: string | undefined;
    const s = net.connect(port, '127.0.0.1', () => s.write(msg));
    s.setEncoding('utf8');
    s.on('data', (d: string) => (data += d));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => (closed = true));
    setTimeout(() => {
      s.destroy();
      resolve({ data, closed, error });
    }, waitMs);
  });
}

describe('TcpProxy', () => {
  let echo: net.Server;
  let proxy: TcpProxy;

  before(async () => {
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    proxy = await TcpProxy.start({ port: (echo.address() as net.AddressInfo).port });
  });
  after(async () => {
    await proxy.close();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  test('forwards both ways while the link is up', async () => {
    const r = await exchange(proxy.port, 'hello');
    assert.equal(r.data, 'hello');
  });

  test('reset closes open connections and refuses new ones until restored', async () => {
    const open = net.connect(proxy.port, '127.0.0.1');
    await new Promise((r) => open.once('connect', r));
    const closed = new Promise((r) => open.once('close', r));
    open.on('error', () => undefined);
    proxy.cut('reset');
    await closed;
    const during = await exchange(proxy.port, 'x');
    assert.equal(during.data, '');
    assert.equal(during.closed, true);
    proxy.restore();
    assert.equal((await exchange(proxy.port, 'back')).data, 'back');
  });

  test('blackhole silences connections without closing them, also after restore', async () => {
    const s = net.connect(proxy.port, '127.0.0.1');
    s.setEncoding('utf8');
    let got = '';
    let closed = false;
    s.on('data', (d: string) => (got += d));
    s.on('close', () => (closed = true));
    await new Promise((r) => s.once('connect', r));
    s.write('a');
    while (got !== 'a') await new Promise((r) => setTimeout(r, 10));
    proxy.cut('blackhole');
    const during = await exchange(proxy.port, 'y');
    assert.deepEqual([during.data, during.closed], ['', false]);
    proxy.restore();
    s.write('b');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([got, closed], ['a', false], 'the old connection stays silent and open');
    assert.equal((await exchange(proxy.port, 'new')).data, 'new', 'new connections pass again');
    s.destroy();
  });
});
