// The composition root of the domain: every service built once from Deps. Routes, handlers and workers
// receive this object; nothing else constructs services.
import crypto from 'node:crypto';
import { BindingService } from './binding/binding-service';
import { OtpService } from './binding/otp';
import { SubscriberService } from './binding/subscriber-service';
import type { Deps } from './deps';
import { ProtectionService } from './settings/protection-service';

export interface SmsPort {
  sendOtp(phone: string, code: string): Promise<unknown>;
}

export function otpMacKey(dataKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', dataKey, Buffer.alloc(0), 'fsr otp', 32));
}

export function createCoreServices(deps: Deps, sendOtp: (phone: string, code: string) => Promise<unknown>) {
  const subscribers = new SubscriberService(deps.db);
  const bindings = new BindingService(deps.db, deps.vault);
  const otp = new OtpService(deps.store, otpMacKey(deps.config.dataKey), sendOtp);
  const protection = new ProtectionService(deps.db, deps.store);
  return { subscribers, bindings, otp, protection };
}

export type CoreServices = ReturnType<typeof createCoreServices>;
