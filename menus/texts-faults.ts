// What a subscriber reads when a part of the service is down and the request could not be completed.

/** The passive reply when a chat message could not be handled (database or Redis not answering). */
export const BUSY = '系统繁忙，请稍后再试。';
