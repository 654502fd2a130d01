// A TCP relay between the server under test and MariaDB (or anything else), that can pause (stop
// forwarding, keep every socket open: a stalled server or network), drop every connection, and refuse new
// ones (nothing listening: ECONNREFUSED). MariaDB itself is never touched. Closed on process exit.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Stop forwarding in both directions; bytes wait in the relay until resume(). New connections wait too. */
  pause(): void;
  resume(): void;
  /** While paused: forward the oldest chunk held on its way to the target ('up') or back ('down'), and stay paused; false when none is held. */
  step(direction: 'up' | 'down'): boolean;
  /** Reset every open connection. */
  dropAll(): void;
  /** Stop listening: new connections are refused; open ones stay. */
  refuse(): Promise<void>;
  /** Listen again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

const open = new Set<TcpProxy>();
process.once('exit', () => {
  for (const p of open) p.dropAll();
});

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let paused = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; queued: [net.Socket, Buffer][] }>();

  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream, queued: [] as [net.Socket, Buffer][] };
    pairs.add(pair);
    const relay = (to: net.Socket) => (d: Buffer) => {
      if (paused) pair.queued.push([to, d]);
      else to.write(d);
    };
    client.on('data', relay(upstream));
    upstream.on('data', relay(client));
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  };

  let server = net.createServer(onConnection);
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;

  const proxy: TcpProxy = {
    port,
    pause: () => void (paused = true),
    resume: () => {
      paused = false;
      for (const pair of pairs) {
        for (const [to, d] of pair.queued.splice(0)) to.write(d);
      }
    },
    step: (direction) => {
      for (const pair of pairs) {
        const to = direction === 'up' ? pair.upstream : pair.client;
        const i = pair.queued.findIndex(([dest]) => dest === to);
        if (i >= 0) {
          const [[dest, d]] = pair.queued.splice(i, 1);
          dest.write(d);
          return true;
        }
      }
      return false;
    },
    dropAll: () => {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    refuse: async () => {
      if (!listening) return;
      listening = false;
      server.close(); // open connections stay (that is the point); only new ones are refused
    },
    accept: async () => {
      if (listening) return;
      server = net.createServer(onConnection);
      await listen(port);
      listening = true;
    },
    close: async () => {
      open.delete(proxy);
      proxy.dropAll();
      await proxy.refuse();
    },
  };
  open.add(proxy);
  return proxy;
}

/** The same database URL, reached through the proxy. */
export function viaProxy(databaseUrl: string, proxy: TcpProxy): string {
  const u = new URL(databaseUrl);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}
