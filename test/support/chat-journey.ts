// A subscriber enrolled through the chat as a person would, and a carrier client of the running server:
// what the journeys of several test files share.
import { KEYS } from '../../menus/tree';
import { eventually, type Harness } from './app-harness';
import { CarrierClient } from './carrier-client';

let clock = Math.floor(Date.now() / 1000);

/** Binds `phone` to `openid` by SMS code and turns protection on (the protective default refuses marketing). */
export async function enrolByChat(h: Harness, openid: string, phone: string): Promise<void> {
  h.wechat.state.follow(openid);
  await h.sender.send(h.sender.subscribe(openid));
  const before = h.codesFor(phone).length;
  await h.sender.send(h.sender.text(openid, phone));
  const code = String(await eventually(() => h.codesFor(phone).length > before && h.codesFor(phone).at(-1)));
  await h.sender.send(h.sender.text(openid, code));
  await h.sender.send(h.sender.event(openid, 'CLICK', KEYS.enable, {}, ++clock));
}

export function carrierOf(h: Harness, baseUrl = h.server.url): CarrierClient {
  const [keyId, secret] = [...h.deps.config.carrierKeys.entries()][0];
  return new CarrierClient(baseUrl, keyId, secret);
}
