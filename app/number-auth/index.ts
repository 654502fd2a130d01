// The number-authentication port and its providers; `createNumberAuthProvider` picks the one
// NUMBER_AUTH_PROVIDER names (null for `none`: the bind page then offers the SMS code only).
import type { Config } from '../config';
import type { Store } from '../store';
import { AliyunNumberAuth } from './aliyun-provider';
import type { NumberAuthProvider } from './port';
import { SimulatorNumberAuth } from './simulator-provider';

export * from './port';
export { AliyunNumberAuth } from './aliyun-provider';
export { SimulatorNumberAuth, SIMULATED_SDK_PATH } from './simulator-provider';

export function createNumberAuthProvider(config: Config, store: Store, opts: { timeoutMs?: number } = {}): NumberAuthProvider | null {
  const n = config.numberAuth;
  switch (n.provider) {
    case 'none':
      return null;
    case 'simulator':
      return new SimulatorNumberAuth(store);
    case 'aliyun':
      // config.ts has checked that every one of these is present.
      return new AliyunNumberAuth({
        accessKeyId: n.aliyun.accessKeyId!,
        accessKeySecret: n.aliyun.accessKeySecret!,
        sceneCode: n.aliyun.sceneCode!,
        sdkUrl: n.aliyun.sdkUrl!,
        endpoint: n.aliyun.endpoint,
        timeoutMs: opts.timeoutMs,
      });
  }
}
