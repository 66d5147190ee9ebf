// A loopback TCP proxy for fault tests: put it between a client (an agent) and a server (the control
// plane) and cut the link the way real networks fail.
//  - cut('reset'): every connection is closed at once and new ones are refused (a firewall that rejects,
//    a restarting server): clients see ECONNRESET/ECONNREFUSED right away;
//  - cut('blackhole'): nothing passes and nobody is told (a dropped NAT mapping, a dead radio link):
//    open connections go silent for good — also after restore(), as a NAT that forgot its mapping — and
//    new ones are accepted but never answered while the cut lasts. Only timeouts and watchdogs notice.
// restore() lets new connections through again.

import net from 'node:net';

export type CutMode = 'reset' | 'blackhole';

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
  dead: boolean;
}

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private mode: CutMode | undefined;
  /** Connections accepted in total (a reconnect storm shows here). */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host?: string; port: number }, listenPort = 0): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const proxy = new TcpProxy(server, port, { host: target.host ?? '127.0.0.1', port: target.port });
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  get isCut(): boolean {
    return this.mode !== undefined;
  }

  /** Connections currently open (dead ones included). */
  get connections(): number {
    return this.pairs.size;
  }

  cut(mode: CutMode = 'blackhole'): void {
    this.mode = mode;
    for (const p of this.pairs) {
      if (mode === 'reset') this.destroy(p);
      else this.kill(p);
    }
  }

  restore(): void {
    this.mode = undefined;
  }

  async close(): Promise<void> {
    for (const p of this.pairs) this.destroy(p);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    const pair: Pair = { client, dead: false };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => this.destroy(pair));
    if (this.mode === 'reset') return this.destroy(pair);
    if (this.mode === 'blackhole') return this.kill(pair);
    const upstream = net.connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => {
      if (!pair.dead) this.destroy(pair);
    });
    client.on('data', (b) => {
      if (!pair.dead) upstream.write(b);
    });
    upstream.on('data', (b) => {
      if (!pair.dead) client.write(b);
    });
    client.on('end', () => {
      if (!pair.dead) upstream.end();
    });
    upstream.on('end', () => {
      if (!pair.dead) client.end();
    });
  }

  /** Silences a connection for good without telling either side. */
  private kill(p: Pair): void {
    p.dead = true;
    p.client.pause();
    p.upstream?.pause();
    // the server side may go away; the client must not learn of it
    p.upstream?.removeAllListeners('close');
    p.upstream?.on('close', () => undefined);
  }

  private destroy(p: Pair): void {
    if (!this.pairs.delete(p)) return;
    p.dead = true;
    p.client.destroy();
    p.upstream?.destroy();
  }
}
