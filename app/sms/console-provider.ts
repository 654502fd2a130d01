// The embedded default: nothing leaves the machine. Each message is one JSON line on the console (phone
// masked, text in full so a developer can read the OTP) and lands in the in-memory inbox the simulator shows.
import crypto from 'node:crypto';
import type { Logger } from '../log';
import { maskPhone } from '../privacy/mask';
import { SmsProvider, SmsRequest, SmsSendResult } from './port';
import { SmsInbox } from './sms-inbox';

/** Shared by every console provider of the process, so the simulator page reads what any of them sent. */
const sharedInbox = new SmsInbox();

export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console';

  constructor(
    private readonly log?: Logger,
    private readonly box: SmsInbox = sharedInbox,
  ) {}

  /** Recent messages sent to `phone` by console providers of this process, newest last. */
  static inbox(phone: string) {
    return sharedInbox.list(phone);
  }

  async send(req: SmsRequest): Promise<SmsSendResult> {
    const providerMessageId = `console-${crypto.randomUUID()}`;
    const line = { sms: 'console', to: maskPhone(req.phone), purpose: req.purpose, template: req.template, text: req.text, providerMessageId };
    if (this.log) this.log.info(line, 'sms (console provider)');
    else process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...line }) + '\n');
    this.box.add(req.phone, { at: new Date(), purpose: req.purpose, template: req.template, text: req.text });
    return { providerMessageId };
  }
}
