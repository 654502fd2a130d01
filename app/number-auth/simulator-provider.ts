// NUMBER_AUTH_PROVIDER=simulator (embedded mode): the carrier's number authentication played in-house.
// The simulated JS-SDK (app/simulator/number-auth-routes.ts) asks it, on behalf of the simulated phone "on
// mobile data", for the masked number and, after the subscriber's confirmation, for a token; the server
// exchanges the token here. Tokens behave as the carriers' do: single use, the carrier's lifetime, and
// only good for the session whose SDK credentials they were issued under. State lives in the Store, so
// several processes see the same tokens.
import crypto from 'node:crypto';
import type { Store } from '../store';
import { carrierOf, TOKEN_TTL_MS } from './carrier-ttl';
import { NumberAuthError, type NumberAuthProvider, type SdkCredentials } from './port';

export const SIMULATED_SDK_PATH = '/simulator/number-auth/sdk.js';
/** As Aliyun's: the SDK credentials live 10 minutes. */
const CREDENTIALS_TTL_MS = 10 * 60_000;

interface Issued {
  phone: string;
  subscriberKey: string;
}

const random = (prefix: string) => `${prefix}${crypto.randomBytes(24).toString('base64url')}`;

export class SimulatorNumberAuth implements NumberAuthProvider {
  readonly name = 'simulator';
  readonly sdkUrl = SIMULATED_SDK_PATH;

  constructor(
    private readonly store: Store,
    /** Tests shorten the carriers' lifetimes; nothing else should. */
    private readonly ttlFor: (phone: string) => number = (phone) => TOKEN_TTL_MS[carrierOf(phone)],
  ) {}

  async sdkCredentials(p: { subscriberKey: string }): Promise<SdkCredentials> {
    const creds = { accessToken: random('SIMAT'), jwtToken: random('SIMJWT') };
    await this.store.set(`numauth:sim:cred:${creds.accessToken}`, JSON.stringify({ jwtToken: creds.jwtToken, subscriberKey: p.subscriberKey }), { ttlMs: CREDENTIALS_TTL_MS });
    return creds;
  }

  /** The SDK's checkLoginAvailable: are these credentials ours and alive? */
  async credentialsValid(accessToken: string, jwtToken: string): Promise<string | null> {
    const raw = typeof accessToken === 'string' && accessToken.length < 200 ? await this.store.get(`numauth:sim:cred:${accessToken}`) : null;
    if (!raw) return null;
    const c = JSON.parse(raw) as { jwtToken: string; subscriberKey: string };
    return c.jwtToken === jwtToken ? c.subscriberKey : null;
  }

  /** The SDK's getLoginToken, after the subscriber confirmed and typed the hidden digits: a token for `phone`. */
  async issueToken(accessToken: string, jwtToken: string, phone: string): Promise<string | null> {
    const subscriberKey = await this.credentialsValid(accessToken, jwtToken);
    if (!subscriberKey) return null;
    const token = random('SIMSP');
    await this.store.set(`numauth:sim:sp:${token}`, JSON.stringify({ phone, subscriberKey } satisfies Issued), { ttlMs: this.ttlFor(phone) });
    return token;
  }

  async phoneWithToken(p: { token: string; subscriberKey: string }): Promise<string> {
    const key = `numauth:sim:sp:${p.token}`;
    const raw = await this.store.get(key);
    // Unknown, expired or spent: the carriers do not say which.
    if (!raw || !(await this.store.compareAndDelete(key, raw))) throw new NumberAuthError('token_invalid', 'sim.TOKEN_INVALID');
    const issued = JSON.parse(raw) as Issued;
    if (issued.subscriberKey !== p.subscriberKey) throw new NumberAuthError('token_invalid', 'sim.TOKEN_FOREIGN');
    return issued.phone;
  }
}
