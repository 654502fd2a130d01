// The notices module (拦截通知): outbox scheduling, workers, delivery reports, retention.
export { scheduleNotices, scheduleEnabledNotice, noticeHook, type ScheduleResult } from './schedule';
export { readNoticeSettings, type SettingsLookup } from './settings-lookup';
export { startNoticeWorker, type NoticeWorker, type NoticeWorkerOptions } from './worker';
export { CHANNELS, channelsReaching, type NoticeChannels, type TemplateSender, type NoticeSms } from './channels';
export { onTemplateSendJobFinish, deliveryStatusOf, type DeliveryResult } from './delivery-status';
export { purgeOldInterceptions, type PurgeResult } from './retention';
export { defaultPolicy, type NoticePolicy } from './policy';
export { describeInterception } from './describe';
export { watchOutbox } from './metrics';
export { recentInterceptions, type InterceptionRecord, type RecordsPage } from '../interceptions/records';
