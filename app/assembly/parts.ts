// The services of each area, built from Deps for buildServices (app/assemble.ts) and the commands that
// need only one area (the ops CLI, test fixtures): binding, settings, reports, and the call path.
import { familyHook } from '../family/alerts';
import { SMS } from '../../copy/sms';
import { BINDING } from '../../copy/binding';
import { BindingService } from '../binding/binding-service';
import { mergeSmsSubscriber } from '../binding/merge-sms-subscriber';
import { OtpService } from '../binding/otp';
import { SubscriberService } from '../binding/subscriber-service';
import type { Deps } from '../deps';
import { ReportReview } from '../reports/report-review';
import { InterceptionService } from '../interceptions/storage';
import type { OnStored } from '../interceptions/storage';
import { appealOutcomeNotifier } from '../reports/appeal-outcome';
import { AppealService } from '../reports/appeal-service';
import { DbLabelPort } from '../labels/evidence';
import { ReportService } from '../reports/report-service';
import { noticeHook, scheduleEnabledNotice } from '../notices';
import { channelsReaching } from '../notices/channels';
import { Decider } from '../protection/decider';
import { OneRingLearner } from '../protection/one-ring';
import { PublicServiceSync } from '../protection/public-service-sync';
import type { ConsentIndex } from '../marketers/consent-index';
import { LabelService } from '../labels/service';
import { DataRights } from '../settings/data-rights';
import { ListsService } from '../settings/lists-service';
import { PreferencesService } from '../settings/preferences-service';
import { ProtectionService } from '../settings/protection-service';
import { OneTapService } from '../binding/one-tap';
import { createNumberAuthProvider } from '../number-auth';
import { SmsService } from '../sms';
import { WechatClient } from '../wechat/api-client';
import type { AssemblyOptions } from '../assemble';
import { otpMacKey } from './clients';

/** Reports, appeals and an operator's review of them, as the web side, the console and the ops CLI use them. */
export function reportParts(deps: Deps, lists: ListsService, wechat?: WechatClient) {
  const labels = new DbLabelPort(deps.db);
  const reports = new ReportService(deps, labels);
  // The subscriber hears of the appeal's outcome by customer-service text, where there is a WeChat API to send it.
  return { labels, reports, appeals: new AppealService(deps, labels, lists, appealOutcomeNotifier(deps, wechat)), review: new ReportReview(deps, labels, reports) };
}

/** Subscribers, phone binding by SMS code and by one tap (本机号码一键登录). */
export function bindingParts(deps: Deps, wechat: WechatClient, sms: SmsService, publicBaseUrl: string) {
  const { config, log } = deps;
  const subscribers = new SubscriberService(deps.db);
  // A phone that moves to another WeChat account is never a silent takeover: its previous holder hears of it
  // by customer-service text. Not the outbox: its channels are template messages (no template fits, and
  // WeChat requires one per purpose) and SMS, which would go to the phone's new holder. The text is sent
  // after the move commits; outside WeChat's 48-hour window it fails (45015), which is logged, and the
  // audit row and the unbound status remain what the previous holder sees next time.
  const bindings = new BindingService(deps.db, deps.vault, deps.store, async (moved) => {
    if (!moved.openid) return;
    wechat.sendCustomText(moved.openid, BINDING.movedAway(moved.masked)).catch((err) => log.warn({ err, subscriberId: moved.subscriberId }, 'previous holder of a moved phone not told'));
  });
  // OtpService sends in the background (the chat answers at once) and counts only codes that went out;
  // the outcome is recorded in sms_message.
  const otp = new OtpService(
    deps.store,
    otpMacKey(config.dataKey),
    async (phone, code) => (await sms.send({ phone, purpose: 'otp', template: 'otp', params: { code }, text: SMS.otp(code) })).status === 'sent',
    (err) => log.error({ err }, 'otp sms failed'),
  );
  // 本机号码一键登录 on the H5 bind page (null: NUMBER_AUTH_PROVIDER=none, the SMS code only). The page's URL
  // and origin are what the provider's scheme is registered with.
  const numberAuth = createNumberAuthProvider(config, deps.store);
  const pageOrigin = new URL(publicBaseUrl).origin;
  const oneTap = numberAuth ? new OneTapService(deps.store, numberAuth, deps.vault, { pageUrl: `${pageOrigin}/`, origin: pageOrigin }, log) : null;
  // A phone enrolled by SMS keyword keeps its preferences when its holder binds it in WeChat: one subscriber.
  const mergeSmsEnrolment = (subscriberId: number, phoneHash: string) => mergeSmsSubscriber(deps, subscriberId, phoneHash);
  return { subscribers, bindings, otp, numberAuth, oneTap, mergeSmsEnrolment };
}

/** What a subscriber states (protection on/off, preferences, lists) and their data rights. */
export function settingsParts(deps: Pick<Deps, 'db' | 'store' | 'vault' | 'log'>, bindings: BindingService) {
  const protection = new ProtectionService(deps.db, deps.store);
  const preferences = new PreferencesService(deps.db, deps.store, protection, deps.vault);
  const lists = new ListsService(deps.db, deps.store, protection, deps.vault);
  const dataRights = new DataRights(deps.db, deps.store, deps.vault, protection, bindings);
  // The "service enabled" template message and SMS go through the notices outbox, sent by the workers.
  const announceEnabled = async (subscriberId: number, openid: string | null, phone: string) => {
    await scheduleEnabledNotice(deps.db, subscriberId, { channels: channelsReaching({ openid }) });
    deps.log.info({ subscriberId, phone }, 'protection enabled; notices scheduled');
  };
  return { protection, preferences, lists, dataRights, announceEnabled };
}

/** The decision engine and what feeds it: labels, public-service numbers, the interceptions the network reports. */
export async function callParts(deps: Deps, consents: ConsentIndex, opts: Pick<AssemblyOptions, 'noticePolicy' | 'replace'>) {
  const { config, log } = deps;
  const labels = new LabelService(deps.db);
  const decider = Decider.create(deps, { consents });
  await decider.start();
  const publicServiceSync = new PublicServiceSync(deps.db, deps.store, { onError: (err) => log.warn({ err }, 'public-service reload failed') });
  await publicServiceSync.start();
  const oneRing = new OneRingLearner(deps, labels, {
    maxRingMs: config.behaviour.oneRingMaxMs,
    callees: config.behaviour.oneRingCallees,
    windowMs: config.behaviour.oneRingWindowMs,
  });
  // Family protection (家人守护): its alerts are scheduled in the same transaction as the member's notices.
  const ownNotices = noticeHook({ policy: opts.noticePolicy });
  const familyAlerts = familyHook(deps.vault, { policy: opts.noticePolicy });
  const onStored: OnStored = async (m, rows) => {
    await ownNotices(m, rows);
    await familyAlerts(m, rows);
  };
  const interceptions = new InterceptionService(deps, {
    onStored: opts.replace?.onStored ?? onStored,
    afterStored: (rows) => oneRing.learn(rows).catch((err) => log.warn({ err }, 'one-ring learning failed')),
  });
  return { labels, decider, publicServiceSync, interceptions };
}
