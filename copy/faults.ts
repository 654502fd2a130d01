// What a subscriber reads when a part of the service is down and the request could not be completed.

/** The passive reply when a chat message could not be handled (database or Redis not answering). */
export const BUSY = '系统繁忙，请稍后再试。';

/** The passive reply when the answer is not ready within WeChat's 5 s; the outcome follows as a message. */
export const STILL_WORKING = '系统正忙，您的消息已收到，处理完成后会再回复您。';
