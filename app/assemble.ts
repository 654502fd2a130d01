// THE composition root: every service built once from Deps, and the routers that expose them. Routes,
// handlers and workers receive what is built here; nothing else constructs services. The clients
// (assembly/clients.ts) and each area's services (assembly/parts.ts) are built by the functions beside it.
import Router from '@koa/router';
import { FamilyService } from './family/links';
import { guardianTeller } from './family/tell-guardian';
import type { ChatServices } from './chat/context';
import { chatDispatcher } from './chat/bridge';
import type { Deps } from './deps';
import { h5Router } from './h5/router';
import { consoleRouter } from './console/router';
import { publicServiceListOf } from './console/public-service';
import { OperatorService } from './console/operators';
import { labelFeedFrom } from './labels/feed';
import type { LabelFeed, ScreenService } from './carrier/ports';
import type { OnStored } from './interceptions/storage';
import type { NoticePolicy } from './notices/policy';
import { watchOutbox } from './metrics-catalog';
import { addCarrierComplaintRoutes } from './carrier/complaints-route';
import { carrierRouter } from './carrier/routes';
import { onTemplateSendJobFinish } from './notices/delivery-status';
import { InterceptionRecords } from './interceptions/records';
import { startNoticeWorker, type NoticeWorker } from './notices';
import type { NoticeChannels } from './notices/channels';
import type { NoticeWorkerOptions } from './notices/worker';
import { publicBase } from './config';
import { PublicServiceAdmin } from './protection/public-service-sync';
import { buildMarketers } from './marketers';
import { ListsService } from './settings/lists-service';
import { ProtectionService } from './settings/protection-service';
import { SimulatorNumberAuth } from './number-auth';
import { numberAuthSimRouter } from './simulator/number-auth-routes';
import { simulatorRouter } from './simulator/sim-routes';
import { createWechatApiServer } from './simulator/wechat-api-server';
import { smsInboundRouter } from './sms/inbound-route';
import type { InboundOptions } from './sms/inbound-service';
import { WECHAT_AUTHORIZE_BASE, WechatOAuth } from './wechat/oauth';
import type { InboundMessage } from './wechat/message';
import type { Reply } from './wechat/reply';
import { measured, noticeChannels, smsServiceFor, SIMULATOR_API_PATH, wechatApiBase, wechatClientFor } from './assembly/clients';
import { bindingParts, callParts, reportParts, settingsParts } from './assembly/parts';

export { otpMacKey, SIMULATOR_API_PATH, wechatApiBase, wechatClientFor, smsServiceFor, noticeChannels, type ChannelOptions } from './assembly/clients';
export { reportParts, settingsParts } from './assembly/parts';

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
    apiBase, decider, marketers, labels, labelPort, reports, appeals, review, interceptions, family, wechat, sms,
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
