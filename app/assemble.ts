// THE composition root: every service built once from Deps, and the routers that expose
// them. Routes, handlers and workers receive what is built here; nothing else constructs services.
import { deriveKey } from './privacy/derive-key';
import Router from '@koa/router';
import { familyHook } from './family/alerts';
import { FamilyService } from './family/links';
import { guardianTeller } from './family/tell-guardian';
import type { ChatServices } from './chat/context';
import { SMS } from '../copy/sms';
import { BINDING } from '../copy/binding';
import { BindingService } from './binding/binding-service';
import { mergeSmsSubscriber } from './binding/merge-sms-subscriber';
import { OtpService } from './binding/otp';
import { SubscriberService } from './binding/subscriber-service';
import { chatDispatcher } from './chat/bridge';
import type { Deps } from './deps';
import { h5Router } from './h5/router';
import { consoleRouter } from './console/router';
import { publicServiceListOf } from './console/public-service';
import { OperatorService } from './console/operators';
import { ReportReview } from './reports/report-review';
import { InterceptionService } from './interceptions/storage';
import { labelFeedFrom } from './labels/feed';
import type { LabelFeed, ScreenService } from './carrier/ports';
import type { OnStored } from './interceptions/storage';
import type { NoticePolicy } from './notices/policy';
import { decisionDuration, decisions, instrumentSms, screenFailOpen, watchOutbox } from './metrics-catalog';
import { appealOutcomeNotifier } from './reports/appeal-outcome';
import { AppealService } from './reports/appeal-service';
import { addCarrierComplaintRoutes } from './carrier/complaints-route';
import { DbLabelPort } from './labels/evidence';
import { ReportService } from './reports/report-service';
import { carrierRouter } from './carrier/routes';
import { onTemplateSendJobFinish } from './notices/delivery-status';
import { InterceptionRecords } from './interceptions/records';
import { noticeHook, scheduleEnabledNotice, startNoticeWorker, type NoticeWorker } from './notices';
import { channelsReaching, type NoticeChannels } from './notices/channels';
import type { NoticeWorkerOptions } from './notices/worker';
import { publicBase } from './config';
import { Decider } from './protection/decider';
import { OneRingLearner } from './protection/one-ring';
import { PublicServiceAdmin, PublicServiceSync } from './protection/public-service-sync';
import { buildMarketers } from './marketers';
import type { ConsentIndex } from './marketers/consent-index';
import { LabelService } from './labels/service';
import { DataRights } from './settings/data-rights';
import { ListsService } from './settings/lists-service';
import { PreferencesService } from './settings/preferences-service';
import { ProtectionService } from './settings/protection-service';
import { OneTapService } from './binding/one-tap';
import { createNumberAuthProvider, SimulatorNumberAuth } from './number-auth';
import { numberAuthSimRouter } from './simulator/number-auth-routes';
import { simulatorRouter } from './simulator/sim-routes';
import { createWechatApiServer } from './simulator/wechat-api-server';
import { createSmsProvider, SmsService } from './sms';
import { smsInboundRouter } from './sms/inbound-route';
import type { InboundOptions } from './sms/inbound-service';
import { WechatClient } from './wechat/api-client';
import { WECHAT_AUTHORIZE_BASE, WechatOAuth } from './wechat/oauth';
import type { InboundMessage } from './wechat/message';
import type { Reply } from './wechat/reply';

/** The decision engine as the carrier routes see it, timed and counted for /metrics. */
function measured(engine: ScreenService): ScreenService {
  return {
    async screen(call) {
      const end = decisionDuration.startTimer({ mode: 'single' });
      const d = await engine.screen(call).catch((err) => {
        screenFailOpen.inc({ mode: 'single' });
        throw err;
      });
      end();
      decisions.inc({ action: d.action, reason: d.reason });
      return d;
    },
    async screenBatch(calls) {
      const end = decisionDuration.startTimer({ mode: 'batch' });
      const ds = await engine.screenBatch(calls).catch((err) => {
        screenFailOpen.inc({ mode: 'batch' });
        throw err;
      });
      end();
      for (const d of ds) decisions.inc({ action: d.action, reason: d.reason });
      return ds;
    },
  };
}

export function otpMacKey(dataKey: Buffer): Buffer {
  return deriveKey(dataKey, 'otp');
}

/** The path the embedded simulator's WeChat API lives under on our own server. */
export const SIMULATOR_API_PATH = '/simulator/wechat';

/** WECHAT_API_BASE, or without it the embedded simulator's API on the web server at `publicBaseUrl`. */
export function wechatApiBase(config: Deps['config'], publicBaseUrl: string): string {
  return config.wechat.apiBase ?? `${publicBaseUrl}${SIMULATOR_API_PATH}`;
}

/** The WeChat API client; its access token is shared by every process through the Store. */
export function wechatClientFor(deps: Pick<Deps, 'config' | 'store' | 'log'>, publicBaseUrl: string, opts: { timeoutMs?: number } = {}): WechatClient {
  const { config } = deps;
  return new WechatClient({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, apiBase: wechatApiBase(config, publicBaseUrl), store: deps.store, log: deps.log, timeoutMs: opts.timeoutMs });
}

/** SMS through the configured provider, counted and timed for /metrics. */
export function smsServiceFor(deps: Deps): SmsService {
  return instrumentSms(new SmsService(deps, createSmsProvider(deps.config, { log: deps.log }), { attempts: deps.config.sms.retries }));
}

export interface ChannelOptions {
  /** Per WeChat HTTP exchange; a template send that takes longer is recorded as uncertain. */
  wechatTimeoutMs?: number;
}

/** The channels the notice workers send through: the same WeChat and SMS clients the web side builds. */
export function noticeChannels(deps: Deps, opts: ChannelOptions = {}): NoticeChannels {
  return { wechat: wechatClientFor(deps, publicBase(deps.config), { timeoutMs: opts.wechatTimeoutMs }), sms: smsServiceFor(deps) };
}

/** Reports, appeals and an operator's review of them, as the web side, the console and the ops CLI use them. */
export function reportParts(deps: Deps, lists: ListsService, wechat?: WechatClient) {
  const labels = new DbLabelPort(deps.db);
  const reports = new ReportService(deps, labels);
  // The subscriber hears of the appeal's outcome by customer-service text, where there is a WeChat API to send it.
  return { labels, reports, appeals: new AppealService(deps, labels, lists, appealOutcomeNotifier(deps, wechat)), review: new ReportReview(deps, labels, reports) };
}

/** What an operator command (npm run ops) works through, built once per command. */
export function opsServices(deps: Deps) {
  const protection = new ProtectionService(deps.db, deps.store);
  // Without WECHAT_API_BASE the simulator lives inside the web server, which a command cannot count on.
  const wechat = deps.config.wechat.apiBase ? wechatClientFor(deps, publicBase(deps.config)) : undefined;
  return reportParts(deps, new ListsService(deps.db, deps.store, protection, deps.vault), wechat);
}

export type OpsServices = ReturnType<typeof opsServices>;

/** `npm run worker` (ROLE=worker): the notice workers and the marketer jobs, without the web side. */
export async function startWorkers(deps: Deps, opts: { channels?: NoticeChannels } & Partial<NoticeWorkerOptions> = {}) {
  const { config } = deps;
  const notices = startNoticeWorker(deps, opts.channels ?? noticeChannels(deps), { retentionDays: config.retentionDays, ratePerSecond: config.noticeSendRate, ...opts });
  // Consent retention and file scrub jobs run in the workers too.
  const marketers = buildMarketers(deps, { workers: true });
  await marketers.start();
  return {
    owner: notices.owner,
    stop: async () => {
      await notices.stop();
      await marketers.stop();
    },
  };
}

export interface AssemblyOptions {
  publicBaseUrl: string;
  /** Runs the notice workers and the marketer jobs in this process too (ROLE=all). */
  workers?: boolean;
  /** The SMS keyword flow's timings (confirmation window, replies per hour); tests shorten them. */
  inbound?: InboundOptions;
  /** The clock and minute length notices and family alerts are scheduled on; tests shrink or set them. */
  noticePolicy?: NoticePolicy;
  /**
   * Parts a test puts in place of the real ones, everything else (routes included) as assembled: a screen
   * service that answers what the test needs, a label feed, the hook run inside the interceptions' transaction.
   */
  replace?: { screen?: ScreenService; labels?: LabelFeed; onStored?: OnStored };
}

/** Subscribers, phone binding by SMS code and by one tap (本机号码一键登录). */
function bindingParts(deps: Deps, wechat: WechatClient, sms: SmsService, publicBaseUrl: string) {
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
async function callParts(deps: Deps, consents: ConsentIndex, opts: AssemblyOptions) {
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

export async function buildServices(deps: Deps, opts: AssemblyOptions) {
  const { config, log } = deps;
  const simulatedApi = !config.wechat.apiBase;
  const apiBase = wechatApiBase(config, opts.publicBaseUrl);
  const routers: Router[] = [];

  const wechat = wechatClientFor(deps, opts.publicBaseUrl);
  const oauth = new WechatOAuth({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, apiBase });
  const sms = smsServiceFor(deps);
  watchOutbox(deps.db);

  const { subscribers, bindings, otp, numberAuth, oneTap, mergeSmsEnrolment } = bindingParts(deps, wechat, sms, opts.publicBaseUrl);
  const { protection, preferences, lists, dataRights, announceEnabled } = settingsParts(deps, bindings);

  // Compliant call centres: scrub, consents, changes; the consent index is also the decider's, and scrubs
  // read the decider's subscriber view (built just below) once it is loaded.
  const marketers = buildMarketers(deps, { workers: opts.workers, view: () => decider.subscriberView });
  await marketers.start();
  routers.push(marketers.router);
  preferences.onCategoriesRefused.push((id, categories, source) => marketers.consents.revokeForRefusal(id, categories, source));

  const { labels, decider, publicServiceSync, interceptions } = await callParts(deps, marketers.index, opts);
  const { labels: labelPort, reports, appeals, review } = reportParts(deps, lists, wechat);
  const carrierRoutes = carrierRouter(deps, {
    screen: measured(opts.replace?.screen ?? decider),
    labels: opts.replace?.labels ?? labelFeedFrom(labels),
    interceptions,
    // Mounted inside the carrier router, before its catch-all fallback: after it, the endpoint answered 404.
    extraRoutes: (r) => void addCarrierComplaintRoutes(r, deps, { reports }),
  });
  routers.push(carrierRoutes);

  const family = new FamilyService(deps, { protection, sms, tellGuardian: guardianTeller(deps, { wechat, sms }) });

  const chat: ChatServices = {
    store: deps.store,
    vault: deps.vault,
    subscribers,
    bindings,
    otp,
    protection,
    preferences,
    lists,
    reports,
    appeals,
    consents: marketers.consents,
    family,
    records: new InterceptionRecords(deps),
    publicBaseUrl: opts.publicBaseUrl,
    announceEnabled,
    mergeSmsEnrolment,
    bindPageUrl: oneTap ? `${opts.publicBaseUrl}/h5/bind` : undefined,
  };
  const chatDispatch = chatDispatcher(chat, { onTemplateFinished: async (msgid, status) => void (await onTemplateSendJobFinish(deps, msgid, status)) });
  const sendLateReply = (msg: InboundMessage, reply: Reply) => {
    if (reply.type !== 'text') return;
    wechat.sendCustomText(msg.fromUserName, reply.content).catch((err) => log.warn({ err }, 'late reply not delivered'));
  };

  const h5Services = { subscribers, bindings, protection, preferences, lists, dataRights, announceEnabled, binding: { otp, oneTap, mergeSmsEnrolment }, consents: marketers.consents, family, appeals, reports };
  routers.push(
    h5Router(deps, h5Services, { authorizeBase: simulatedApi ? apiBase : WECHAT_AUTHORIZE_BASE, exchangeCode: (code) => oauth.exchangeCode(code) }),
    smsInboundRouter(deps, { protection, sms, family }, opts.inbound),
  );

  // Embedded mode only: the simulated WeChat API and its phone page, and the carrier's side of one-tap.
  const sim = simulatedApi
    ? createWechatApiServer({ appId: config.wechat.appId, appSecret: config.wechat.appSecret, templateIds: [config.wechat.templateIntercept, config.wechat.templateEnabled, config.wechat.templateFamily], prefix: SIMULATOR_API_PATH })
    : null;
  const simPage = sim ? simulatorRouter(deps, { state: sim.state, subscribers, bindings }, { baseUrl: opts.publicBaseUrl, simApiPath: SIMULATOR_API_PATH }) : null;
  if (simPage) routers.push(simPage.router);
  if (numberAuth instanceof SimulatorNumberAuth) routers.push(numberAuthSimRouter(numberAuth, simPage ? simPage.deviceOf : () => null));

  // The operators' console (/ops/): mounted by server.ts on the main port, or alone on ADMIN_PORT.
  const operators = new OperatorService(deps.db, deps.store, config.dataKey);
  const publicService = publicServiceListOf(new PublicServiceAdmin(deps.db, deps.store));
  const opsConsole = consoleRouter(deps, { operators, review, appeals, labels: labelPort, publicService });

  let worker: NoticeWorker | null = null;
  if (opts.workers) worker = startNoticeWorker(deps, { wechat, sms }, { retentionDays: config.retentionDays, ratePerSecond: config.noticeSendRate });

  return {
    // Services (tests and the CLIs reach them here) …
    apiBase, decider, marketers, labels, reports, appeals, interceptions, family, wechat, sms,
    subscribers, bindings, otp, oneTap, protection, preferences, lists, dataRights, chat,
    // … and what server.ts mounts.
    chatDispatch, sendLateReply, sim, simPage, routers, carrierRoutes, operators, opsConsole,
    stop: async () => {
      await otp.settled();
      await worker?.stop();
      await decider.stop();
      publicServiceSync.stop();
      await marketers.stop();
    },
  };
}

export type Services = Awaited<ReturnType<typeof buildServices>>;
