// The chat's rule table, in the manner of WxJava's message router: every menu click, event and typed
// command, in order, each a matcher and the handler that answers it. The first match wins; what matches
// none is read by the step the chat is at (dispatch.ts), else gets help.
import { KEYS } from '../../menus/tree';
import { CHAT } from '../../copy/chat';
import { askForPhone, startBinding } from './handlers/bind-phone';
import { listConsents, revokeConsent } from './handlers/consents';
import { click, event, text, type ChatCommand } from './context';
import { addFamilyMember, memberRecords, quitFamily, removeFamilyMember, setMemberProtection, showFamily } from './handlers/family';
import { followed, unfollowed } from './handlers/follow';
import { addTo, categoryWithoutMode, removeFrom, setCategory, showLists, summary } from './handlers/preferences';
import { enableProtection, setPaused, showSettings } from './handlers/protection';
import { appeal, CONFIRM_WORD, confirmAppeal, showRecords } from './handlers/records';
import { fileReport } from './handlers/reports';
import { PREFS } from '../../copy/chat';

const reply = (words: string) => async () => words;
const sep = '[\\s:：]*';

export const CHAT_RULES: readonly ChatCommand[] = [
  { name: 'subscribe', match: event('subscribe', 'scan'), handle: followed },
  { name: 'unsubscribe', match: event('unsubscribe'), handle: unfollowed },

  // The menu.
  { name: 'settings', match: click(KEYS.settings), handle: showSettings },
  { name: 'bind', match: click(KEYS.bindPhone), handle: askForPhone },
  { name: 'enable', match: click(KEYS.enable), handle: enableProtection },
  { name: 'pause', match: click(KEYS.pause), handle: (i, s) => setPaused(i, s, 'toggle') },
  { name: 'help-click', match: click(KEYS.help), handle: reply(CHAT.help) },
  { name: 'report-click', match: click(KEYS.report), handle: reply(CHAT.reportHint) },
  { name: 'appeal-click', match: click(KEYS.appeal), handle: reply(CHAT.appealHint) },
  { name: 'records-click', match: click(KEYS.records), handle: showRecords },

  // Binding and protection, typed.
  { name: 'bind-text', match: text(/^绑定\s*(?:手机)?\s*([+\d][\d\s-]{9,18})$/), handle: (i, s, m) => startBinding(i, s, (m as RegExpMatchArray)[1]) },
  { name: 'bind-ask', match: text(/^(绑定|绑定手机|绑定号码)$/), handle: askForPhone },
  { name: 'enable-text', match: text(/^(开启防护|开启|开通)$/), handle: enableProtection },
  { name: 'pause-text', match: text(/^(暂停|暂停防护)$/), handle: (i, s) => setPaused(i, s, true) },
  { name: 'resume-text', match: text(/^(恢复|恢复防护)$/), handle: (i, s) => setPaused(i, s, false) },
  { name: 'settings-text', match: text(/^(拦截设置|设置|状态)$/), handle: showSettings },
  { name: 'help-text', match: text(/^(帮助|help|\?|？|菜单)$/i), handle: reply(CHAT.help) },

  // 拦截记录, 申诉, 举报 and 标记.
  { name: 'records-text', match: text(/^(拦截记录|记录|拦截历史)$/), handle: showRecords },
  { name: 'appeal-confirm', match: text(new RegExp(`^${CONFIRM_WORD}$`)), handle: confirmAppeal },
  { name: 'appeal-text', match: text(/^(?:误拦截)?申诉\s*(.*)$/s), handle: appeal },
  { name: 'report', match: text(/^(举报|标记)(?:号码)?(?:\s+(.*))?$/s), handle: fileReport },

  // Preferences. Lists first: "拒接名单" is a request to see them, not a number to reject.
  { name: 'prefs-lists', match: text(/^(名单|我的名单|拒接名单|允许名单|黑名单|白名单)$/), handle: showLists },
  { name: 'prefs-summary', match: text(/^(我的设置|查看设置|设置详情)$/), handle: summary },
  { name: 'prefs-help', match: text(/^(设置帮助|名单帮助|类别|拒接|允许)$/), handle: reply(PREFS.help) },
  { name: 'prefs-unreject', match: text(new RegExp(`^(取消拒接|删除拒接|移除拒接)${sep}(\\S.*)$`)), handle: removeFrom('reject') },
  { name: 'prefs-unallow', match: text(new RegExp(`^(取消允许|删除允许|移除允许)${sep}(\\S.*)$`)), handle: removeFrom('allow') },
  { name: 'prefs-reject', match: text(new RegExp(`^(拒接|拉黑|屏蔽)${sep}(\\S.*)$`)), handle: addTo('reject') },
  { name: 'prefs-allow', match: text(new RegExp(`^(允许|放行|白名单)${sep}(\\S.*)$`)), handle: addTo('allow') },
  { name: 'prefs-category', match: text(/^类别[\s:：]*(\S+)[\s:：]+(\S+)$/), handle: setCategory },
  { name: 'prefs-category-no-mode', match: text(/^类别[\s:：]*(\S+)$/), handle: categoryWithoutMode },

  // 家人守护: family protection.
  { name: 'family-add', match: text(/^(?:添加家人|加家人|守护家人)\s*(.*)$/s), handle: addFamilyMember },
  { name: 'family-list', match: text(/^(家人|家人守护|我的家人)$/), handle: showFamily },
  { name: 'family-remove', match: text(/^(?:删除家人|解除家人|解除守护)\s*(.*)$/s), handle: removeFamilyMember },
  { name: 'family-records', match: text(/^家人记录\s*(.*)$/s), handle: memberRecords },
  { name: 'family-protection', match: text(/^家人(暂停|恢复)\s*(.*)$/s), handle: setMemberProtection },
  { name: 'family-quit', match: text(/^(退出守护|退出家人守护)$/), handle: quitFamily },

  // 授权: marketing consents, and revoking them.
  { name: 'consents', match: text(/^(?:授权|我的授权|营销授权)$/), handle: listConsents },
  { name: 'revoke-consent', match: text(/^撤销(?:(全部)授权|授权\s*(全部|\d{1,3})?)$/), handle: revokeConsent },
];
