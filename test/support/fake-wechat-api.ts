// WeChat's API servers, outside our walls: the simulator's WeChat API (app/simulator/wechat-api-server.ts)
// listening on 127.0.0.1, port 0. `prefix` serves it under a path, as the main server mounts it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createWechatApiServer, type WechatApiServerOptions } from '../../app/simulator/wechat-api-server';
import type { WechatSimState } from '../../app/simulator/wechat-sim-state';

export const FAKE_APP = {
  appId: 'wxfaketest0000001',
  appSecret: 'fake-secret-0123456789abcdef0123',
  templateIntercept: 'TPL_INTERCEPT_TEST',
  templateEnabled: 'TPL_ENABLED_TEST',
  templateFamily: 'TPL_FAMILY_TEST',
} as const;

export interface FakeWechatApi {
  /** The API base to give clients (includes the prefix, if any). */
  baseUrl: string;
  state: WechatSimState;
  close(): Promise<void>;
}

export async function startFakeWechatApi(opts: Partial<WechatApiServerOptions> = {}): Promise<FakeWechatApi> {
  const sim = createWechatApiServer({
    appId: FAKE_APP.appId,
    appSecret: FAKE_APP.appSecret,
    templateIds: [FAKE_APP.templateIntercept, FAKE_APP.templateEnabled, FAKE_APP.templateFamily],
    ...opts,
  });
  // With a prefix, mount the routes on an outer app, as the main server does.
  const app = opts.prefix ? new Koa().use(sim.middleware) : sim.app;
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${opts.prefix ?? ''}`,
    state: sim.state,
    close: () =>
      new Promise<void>((resolve) => {
        // Requests held open by a 'timeout' fault must not keep the test process alive.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
