// The inbound message or event, as WeChat's XML names it, with the few normalisations every consumer needs:
// event names lower-cased (WeChat writes both `CLICK` and `subscribe`), ids kept as exact strings.
import type { XmlFields, XmlValue } from './xml';

export interface InboundMessage {
  /** ToUserName: the official account's original id (gh_…). */
  toUserName: string;
  /** FromUserName: the subscriber's openid. */
  fromUserName: string;
  /** CreateTime, unix seconds. */
  createTime: number;
  /** MsgType, lower case: text, image, voice, video, shortvideo, location, link, event… */
  msgType: string;
  /** Content of a text message. */
  content?: string;
  /** MsgId of a message (64-bit, kept as the exact decimal string). */
  msgId?: string;
  /** Event, lower case: subscribe, unsubscribe, scan, click, view, templatesendjobfinish, location… */
  event?: string;
  /** EventKey: the menu key (click), the URL (view), `qrscene_…` (subscribe by QR code) or the scene (scan). */
  eventKey?: string;
  /** Ticket of a QR code (subscribe by QR code, scan). */
  ticket?: string;
  /** MsgID of TEMPLATESENDJOBFINISH: the template message's id, exact (64-bit). */
  templateMsgId?: string;
  /** Status of TEMPLATESENDJOBFINISH: `success`, `failed:user block`, `failed: system failed`… as sent. */
  status?: string;
  /** Every field as received, for the rarer ones (PicUrl, MediaId, Location_X, ScanCodeInfo…). */
  fields: XmlFields;
}

export type MessageErrorCode = 'missing_field' | 'bad_field';

export class MessageError extends Error {
  constructor(
    readonly code: MessageErrorCode,
    readonly field: string,
  ) {
    super(`${code}: ${field}`);
    this.name = 'MessageError';
  }
}

function text(fields: XmlFields, name: string): string | undefined {
  const v: XmlValue | undefined = fields[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new MessageError('bad_field', name);
  return v;
}

function required(fields: XmlFields, name: string): string {
  const v = text(fields, name)?.trim();
  if (!v) throw new MessageError('missing_field', name);
  return v;
}

/** Validates WeChat's fields and gives them names and types. Throws MessageError. */
export function toMessage(fields: XmlFields): InboundMessage {
  const createTimeText = required(fields, 'CreateTime');
  if (!/^\d{1,12}$/.test(createTimeText)) throw new MessageError('bad_field', 'CreateTime');
  const msg: InboundMessage = {
    toUserName: required(fields, 'ToUserName'),
    fromUserName: required(fields, 'FromUserName'),
    createTime: Number(createTimeText),
    msgType: required(fields, 'MsgType').toLowerCase(),
    fields,
  };
  const msgId = text(fields, 'MsgId')?.trim();
  if (msgId) {
    if (!/^\d{1,20}$/.test(msgId)) throw new MessageError('bad_field', 'MsgId');
    msg.msgId = msgId;
  }
  const content = text(fields, 'Content');
  if (content !== undefined) msg.content = content;

  if (msg.msgType === 'event') {
    msg.event = required(fields, 'Event').toLowerCase();
    const eventKey = text(fields, 'EventKey');
    if (eventKey !== undefined) msg.eventKey = eventKey;
    const ticket = text(fields, 'Ticket');
    if (ticket !== undefined) msg.ticket = ticket;
    const templateMsgId = text(fields, 'MsgID')?.trim();
    if (templateMsgId) msg.templateMsgId = templateMsgId;
    const status = text(fields, 'Status');
    if (status !== undefined) msg.status = status;
  }
  return msg;
}
