// Builds and starts the HTTP side: every router mounted on one Koa app, on one port. The embedded WeChat
// simulator is mounted only when WECHAT_API_BASE is unset (never in production, see config.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { publicBase } from './config';
import type { Deps } from './deps';
import { createHttpApp } from './http/app';
import { RefusalLog } from './http/refusals';
import { wechatRouter } from './http/wechat-route';
import { publishMenu } from '../menus/publish';
import { buildServices, type AssemblyOptions, type Services } from './assemble';
import { h5Fallbacks } from './h5/care-routes';

/** Time for a whole request (headers and body) to arrive: WeChat's own patience. */
export const REQUEST_TIMEOUT_MS = 5000;

export interface RunningServer {
  url: string;
  /** Where /ops/ is served: this server's base, or ADMIN_PORT's. */
  consoleUrl: string;
  port: number;
  apiBase: string;
  app: Koa;
  services: Services;
  close(): Promise<void>;
}

export async function startServer(deps: Deps, opts: { port?: number; host?: string } & Partial<Omit<AssemblyOptions, 'publicBaseUrl'>> = {}): Promise<RunningServer> {
  const server = http.createServer({
    // WeChat gives up on the callback after 5 s: a request still arriving after that is a slow client (or a
    // slowloris) holding a socket, never an answer anyone waits for. Checked every second, not Node's 30.
    headersTimeout: REQUEST_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: 1000,
  });
  server.keepAliveTimeout = 65_000;
  // Listen first: the simulator's API base (and so the WeChat client) depends on the bound port.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? deps.config.port, opts.host ?? deps.config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const base = publicBase(deps.config, port);
  const services = await buildServices(deps, { ...opts, publicBaseUrl: base, workers: opts.workers ?? deps.config.role === 'all' });
  const refusals = new RefusalLog(deps.log);
  const app = createHttpApp(deps, { refusals, readiness: { subscriberView: () => services.decider.subscriberViewReady } });
  const wechat = wechatRouter(deps, { dispatch: services.chatDispatch, onLateReply: services.sendLateReply, refusals });
  if (deps.config.production && !deps.config.metricsToken) deps.log.warn('METRICS_TOKEN is unset: /metrics is open to anyone who reaches this port');
  // The network's single screens first, behind only the error boundary and the health routes.
  app.use(services.carrierRoutes.screenLane);
  if (services.simPage) app.use(services.simPage.authorizeCookie);
  if (services.sim) app.use(services.sim.middleware);
  app.use(h5Fallbacks());
  for (const r of [wechat.router, ...services.routers]) app.use(r.routes()).use(r.allowedMethods());
  const admin = deps.config.admin ? await startAdminServer(deps, services) : null;
  if (!admin) app.use(services.opsConsole.routes()).use(services.opsConsole.allowedMethods());
  server.on('request', app.callback());
  if (services.sim) {
    // The embedded simulator starts with the account's real menu published, as an operator would.
    await publishMenu(services.wechat, base);
  }
  return {
    url: base,
    consoleUrl: admin?.url ?? base,
    port,
    apiBase: services.apiBase,
    app,
    services,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await admin?.close();
      await wechat.drain();
      await services.stop();
    },
  };
}

/** ADMIN_PORT: the console alone on its own listener (an internal interface), with health and metrics. */
async function startAdminServer(deps: Deps, services: Services): Promise<{ url: string; close(): Promise<void> }> {
  const { port, host } = deps.config.admin!;
  const app = createHttpApp(deps);
  app.use(services.opsConsole.routes()).use(services.opsConsole.allowedMethods());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
