// Complaints the network forwards from 12321 (网络不良与垃圾信息举报受理中心) must be handled by a date. The
// feed should carry that date (`dueAt`); when it does not, the deadline is reckoned from the complaint's
// time with this default, which the operator can see and correct, never silently dropped.
const DAY_MS = 86_400_000;

/** Default handling period for a forwarded complaint when the feed gives no due date (an assumption, not a cited rule). */
export const FORWARDED_COMPLAINT_DAYS = 15;
/** The CLI warns this long before a due date. */
export const DUE_SOON_DAYS = 3;

export function complaintDueAt(at: Date, given?: Date | null): Date {
  return given ?? new Date(at.getTime() + FORWARDED_COMPLAINT_DAYS * DAY_MS);
}

export type DeadlineState = 'overdue' | 'due_soon' | 'open' | 'handled';

export function deadlineState(dueAt: Date, handledAt: Date | null, now = new Date()): DeadlineState {
  if (handledAt) return 'handled';
  if (dueAt <= now) return 'overdue';
  if (dueAt.getTime() - now.getTime() <= DUE_SOON_DAYS * DAY_MS) return 'due_soon';
  return 'open';
}
