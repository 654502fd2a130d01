// 关注 and 取消关注: the welcome, and remembering who follows the account (template messages need it).
import { CHAT } from '../../../copy/chat';
import type { ChatInput, ChatServices } from '../context';

export async function followed(input: ChatInput, s: ChatServices): Promise<string> {
  await s.subscribers.followed(input.openid);
  return CHAT.welcome;
}

export async function unfollowed(input: ChatInput, s: ChatServices): Promise<null> {
  await s.subscribers.unfollowed(input.openid);
  return null;
}
