// The registry of notice channels. The order is the fallback order: a notice that the first channel cannot
// carry goes through the next one the subscriber allows. Adding a channel is its own file (its name, how it
// sends, what it records) and one entry in CHANNELS, plus its wording in copy/notices.ts and render.ts.
import type { NoticeSettings } from '../../protection/preferences';
import type { NoticeChannelType } from './channel';
import { smsChannel, type NoticeSms } from './sms';
import { wechatChannel, type TemplateSender } from './wechat';

export const CHANNELS = [wechatChannel, smsChannel] as const;

export type ChannelName = (typeof CHANNELS)[number]['name'];
type TransportOf<C> = C extends NoticeChannelType<infer T> ? T : never;
/** The transports the worker sends through, one per channel; a missing one means "not configured here". */
export type NoticeChannels = { [C in (typeof CHANNELS)[number] as C['name']]?: TransportOf<C> | null };
export type { NoticeChannelType, SendEnv } from './channel';
export type { NoticeSms, TemplateSender };

/** Any registered channel, its transport unknown until it is looked up in NoticeChannels. */
export type AnyChannel = NoticeChannelType<unknown, ChannelName>;
const ALL: readonly AnyChannel[] = CHANNELS;
const byName = new Map<string, AnyChannel>(ALL.map((c) => [c.name, c]));

export function channelNamed(name: string): AnyChannel {
  const c = byName.get(name);
  if (!c) throw new Error(`unknown notice channel ${name}`);
  return c;
}

/** The channels a notice on `name` may fall back to, in order. */
export function fallbacksAfter(name: string): AnyChannel[] {
  return ALL.slice(ALL.findIndex((c) => c.name === name) + 1);
}

/** The channel an interception notice starts on: the first the subscriber wants (the last when none). */
export function firstChannel(s: NoticeSettings): ChannelName {
  return (CHANNELS.find((c) => c.wanted(s)) ?? CHANNELS[CHANNELS.length - 1]).name;
}

/** A subscriber who turned every channel off gets no interception notices at all. */
export const wantsNotices = (s: NoticeSettings) => CHANNELS.some((c) => c.wanted(s));

/** The channels a subscriber with these addresses can be reached on. */
export const channelsReaching = (a: { openid: string | null }): ChannelName[] => CHANNELS.filter((c) => c.reaches(a)).map((c) => c.name);

/** The transport of a channel in `channels`, or null when this process has none. */
export const transportOf = (channels: NoticeChannels, name: string): unknown => (channels as Record<string, unknown>)[name] ?? null;
