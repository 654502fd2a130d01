// The protocol pieces on their own: signatures, WeChat's published encryption vectors, the XML parser's
// refusals, message validation, reply builders, the router and retry keys.
import crypto from 'node:crypto';
import test from 'ava';
import fc from 'fast-check';
import { retryKey } from '../app/wechat/dedupe';
import { MessageError, toMessage } from '../app/wechat/message';
import { CryptError, MsgCrypt } from '../app/wechat/msg-crypt';
import { encryptedReply, newsReply, renderReply, textReply } from '../app/wechat/reply';
import { checkSignature, sha1Sorted } from '../app/wechat/signature';
import { buildXml, parseXml, XmlError } from '../app/wechat/xml';
import { readXml, WechatSender } from './support/wechat-sender';

// WeChat's published WXBizMsgCrypt sample (the same vector appears in EasyWeChat's and others' suites).
const SAMPLE = {
  token: 'QDG6eK',
  appId: 'wx5823bf96d3bd56c7',
  key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  msgSignature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  // The URL-verification half of the same sample.
  verifySignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  verifyTimestamp: '1409659589',
  verifyNonce: '263014780',
  verifyEchostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
};

// The official Java sample's encryption vector: a fixed 16-byte random prefix makes the output deterministic.
const JAVA_SAMPLE = {
  token: 'pamtest',
  appId: 'wxb11529c136998cb6',
  key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  random: 'aaaabbbbccccdddd',
  message: '我是中文abcd123',
  encrypt: 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==',
};

const randomKey = () => crypto.randomBytes(32).toString('base64').slice(0, 43);

// ---- signatures -------------------------------------------------------------------------------------------

test('sha1Sorted sorts its parts before hashing, as WeChat signs', (t) => {
  t.is(sha1Sorted(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypt), SAMPLE.msgSignature);
  t.is(sha1Sorted(SAMPLE.encrypt, SAMPLE.nonce, SAMPLE.token, SAMPLE.timestamp), SAMPLE.msgSignature);
  t.is(sha1Sorted(SAMPLE.token, SAMPLE.verifyTimestamp, SAMPLE.verifyNonce, SAMPLE.verifyEchostr), SAMPLE.verifySignature);
});

test('checkSignature accepts the right plain signature and refuses anything else', (t) => {
  const sig = crypto.createHash('sha1').update(['tok', '1700000000', '42'].sort().join('')).digest('hex');
  t.true(checkSignature('tok', '1700000000', '42', sig));
  t.true(checkSignature('tok', '1700000000', '42', sig.toUpperCase()));
  t.false(checkSignature('tok', '1700000001', '42', sig));
  t.false(checkSignature('other', '1700000000', '42', sig));
  t.false(checkSignature('tok', '1700000000', '42', sig.slice(0, 39)));
  t.false(checkSignature('tok', '1700000000', '42', `${sig}0`));
  t.false(checkSignature('tok', '1700000000', '42', undefined));
  t.false(checkSignature('tok', undefined, '42', sig));
});

// ---- encryption -------------------------------------------------------------------------------------------

test("WeChat's published sample decrypts to the expected message and its msg_signature verifies", (t) => {
  const crypt = new MsgCrypt(SAMPLE.token, SAMPLE.key, SAMPLE.appId);
  t.true(crypt.verify(SAMPLE.msgSignature, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypt));
  t.is(crypt.signature(SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypt), SAMPLE.msgSignature);
  const xml = crypt.decrypt(SAMPLE.encrypt);
  const fields = parseXml(xml);
  t.is(fields.ToUserName, 'wx5823bf96d3bd56c7');
  t.is(fields.FromUserName, 'mycreate');
  t.is(fields.CreateTime, '1409659813');
  t.is(fields.MsgType, 'text');
  t.is(fields.Content, 'hello');
  t.is(fields.MsgId, '4561255354251345929'); // above 2^53: exact only as a string
  t.is(crypt.decrypt(SAMPLE.verifyEchostr), '1616140317555161061');
});

test('the sample signature does not verify over other timestamps, nonces or ciphertexts', (t) => {
  const crypt = new MsgCrypt(SAMPLE.token, SAMPLE.key, SAMPLE.appId);
  t.false(crypt.verify(SAMPLE.msgSignature, '1409659814', SAMPLE.nonce, SAMPLE.encrypt));
  t.false(crypt.verify(SAMPLE.msgSignature, SAMPLE.timestamp, '1372623148', SAMPLE.encrypt));
  t.false(crypt.verify(SAMPLE.msgSignature, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.verifyEchostr));
  // The plain signature of the same request is not a msg_signature: the most common safe-mode bug.
  t.false(crypt.verify(sha1Sorted(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce), SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypt));
});

test("encryption matches the official sample's vector byte for byte", (t) => {
  const crypt = new MsgCrypt(JAVA_SAMPLE.token, JAVA_SAMPLE.key, JAVA_SAMPLE.appId);
  t.is(crypt.encrypt(JAVA_SAMPLE.message, Buffer.from(JAVA_SAMPLE.random)), JAVA_SAMPLE.encrypt);
  t.is(crypt.decrypt(JAVA_SAMPLE.encrypt), JAVA_SAMPLE.message);
});

test('any message survives encrypt then decrypt, and ciphertexts differ each time', (t) => {
  const crypt = new MsgCrypt('tok', randomKey(), 'wxroundtrip0000001');
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
      const a = crypt.encrypt(s);
      return crypt.decrypt(a) === s && a !== crypt.encrypt(s);
    }),
  );
  t.is(crypt.decrypt(crypt.encrypt('')), '');
});

test('a message that fills whole blocks gets a full 32-byte block of padding', (t) => {
  const key = randomKey();
  const appId = 'wx5823bf96d3bd56c7'; // 18 bytes: 16 + 4 + 26 + 18 = 64, two whole blocks
  const crypt = new MsgCrypt('tok', key, appId);
  const message = 'abcdefghijklmnopqrstuvwxyz';
  const sealed = crypt.encrypt(message);
  t.is(Buffer.from(sealed, 'base64').length, 96);
  const opened = new WechatSender({ baseUrl: 'http://127.0.0.1:1', token: 'tok', appId, encodingAesKey: key, mode: 'safe' }).open(sealed);
  t.is(opened.padding, 32);
  t.is(opened.message, message);
  t.is(crypt.decrypt(sealed), message);
});

test('a payload sealed for another appid is refused', (t) => {
  const key = randomKey();
  const theirs = new MsgCrypt('tok', key, 'wxsomebodyelse0001');
  const ours = new MsgCrypt('tok', key, 'wxourownaccount001');
  const err = t.throws(() => ours.decrypt(theirs.encrypt('<xml><Content><![CDATA[hi]]></Content></xml>')), { instanceOf: CryptError });
  t.is(err?.code, 'appid_mismatch');
  // A prefix of our appid is not our appid either.
  const prefix = new MsgCrypt('tok', key, 'wxourownaccount00');
  t.is(t.throws(() => ours.decrypt(prefix.encrypt('x')), { instanceOf: CryptError })?.code, 'appid_mismatch');
});

function sealRaw(key: string, plain: Buffer): string {
  const k = Buffer.from(`${key}=`, 'base64');
  const c = crypto.createCipheriv('aes-256-cbc', k, k.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

function framed(message: string, appId: string): Buffer {
  const m = Buffer.from(message);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(m.length);
  return Buffer.concat([crypto.randomBytes(16), len, m, Buffer.from(appId)]);
}

test('bad padding, impossible lengths and non-base64 input are refused with typed errors', (t) => {
  const key = randomKey();
  const appId = 'wxpadding000000001';
  const crypt = new MsgCrypt('tok', key, appId);
  const body = framed('hello', appId); // 16 + 4 + 5 + 18 = 43 bytes
  const pad = (n: number, fill = n) => Buffer.concat([body, Buffer.alloc(n - 1, fill), Buffer.from([n])]);
  t.is(crypt.decrypt(sealRaw(key, pad(21))), 'hello');
  const code = (f: () => unknown) => (t.throws(f, { instanceOf: CryptError }) as CryptError).code;
  t.is(code(() => crypt.decrypt(sealRaw(key, Buffer.concat([body, Buffer.alloc(20, 0), Buffer.from([0])])))), 'bad_padding');
  t.is(code(() => crypt.decrypt(sealRaw(key, Buffer.concat([body, Buffer.alloc(52, 53), Buffer.from([53])])))), 'bad_padding');
  t.is(code(() => crypt.decrypt(sealRaw(key, pad(21, 7)))), 'bad_padding');
  // A length field pointing past the end of the plaintext.
  const lying = Buffer.from(body);
  lying.writeUInt32BE(1000, 16);
  t.is(code(() => crypt.decrypt(sealRaw(key, Buffer.concat([lying, Buffer.alloc(21, 21)])))), 'bad_length');
  t.is(code(() => crypt.decrypt(Buffer.alloc(20).toString('base64'))), 'bad_length');
  t.is(code(() => crypt.decrypt('not base64!')), 'bad_base64');
  t.is(code(() => crypt.decrypt('')), 'bad_base64');
});

test('an EncodingAESKey that is not 43 base64 characters is refused at construction', (t) => {
  t.is((t.throws(() => new MsgCrypt('tok', 'short', 'wx1'), { instanceOf: CryptError }) as CryptError).code, 'bad_key');
  t.is((t.throws(() => new MsgCrypt('tok', `${randomKey().slice(0, 42)}!`, 'wx1'), { instanceOf: CryptError }) as CryptError).code, 'bad_key');
});

// ---- XML --------------------------------------------------------------------------------------------------

const xmlCode = (t: import('ava').ExecutionContext, f: () => unknown) => (t.throws(f, { instanceOf: XmlError }) as XmlError).code;

test('billion laughs is refused before any expansion', (t) => {
  const lol = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    ' <!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
    ']>',
    '<xml><Content>&lol9;</Content></xml>',
  ].join('\n');
  t.is(xmlCode(t, () => parseXml(lol)), 'doctype');
});

test('XXE through an external entity is refused, in any letter case, and an undeclared entity is malformed', (t) => {
  const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>';
  t.is(xmlCode(t, () => parseXml(xxe)), 'doctype');
  t.is(xmlCode(t, () => parseXml(xxe.replace('DOCTYPE', 'doctype'))), 'doctype');
  t.is(xmlCode(t, () => parseXml('<!ENTITY x "y"><xml></xml>')), 'doctype');
  t.is(xmlCode(t, () => parseXml('<xml><Content>&xxe;</Content></xml>')), 'malformed');
});

test('a subscriber may type markup declarations inside CDATA; it stays text', (t) => {
  const f = parseXml('<xml><Content><![CDATA[<!DOCTYPE html><!ENTITY a "b"> &amp; &xxe;]]></Content></xml>');
  t.is(f.Content, '<!DOCTYPE html><!ENTITY a "b"> &amp; &xxe;');
});

test('oversized input is refused by byte count, with a configurable limit', (t) => {
  const big = `<xml><Content><![CDATA[${'中'.repeat(22_000)}]]></Content></xml>`; // 66 000 bytes, 22 000 chars
  t.is(xmlCode(t, () => parseXml(big)), 'too_large');
  t.is(xmlCode(t, () => parseXml(Buffer.from(big))), 'too_large');
  t.is((parseXml(big, { maxBytes: 100_000 }).Content as string).length, 22_000);
  t.is(xmlCode(t, () => parseXml('<xml><a>1</a></xml>', { maxBytes: 10 })), 'too_large');
});

test('malformed XML and other roots are refused', (t) => {
  t.is(xmlCode(t, () => parseXml('<xml><Content>hi</xml>')), 'malformed');
  t.is(xmlCode(t, () => parseXml('<xml><a>1</b></xml>')), 'malformed');
  t.is(xmlCode(t, () => parseXml('hello')), 'malformed');
  t.is(xmlCode(t, () => parseXml('')), 'malformed');
  t.is(xmlCode(t, () => parseXml('<xml><a>x & y</a></xml>')), 'malformed');
  t.is(xmlCode(t, () => parseXml(Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]))), 'malformed');
  t.is(xmlCode(t, () => parseXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>')), 'malformed');
  t.is(xmlCode(t, () => parseXml('<root><a>1</a></root>')), 'not_wechat_xml');
  t.is(xmlCode(t, () => parseXml('<xml><a>1</a></xml><xml><a>2</a></xml>')), 'malformed');
  t.is(({} as Record<string, unknown>).polluted, undefined);
});

test('values stay strings: a 64-bit MsgId is exact, CreateTime is not a number, CDATA is verbatim', (t) => {
  const f = parseXml(
    `<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <ToUserName><![CDATA[gh_abc]]></ToUserName>\n  <CreateTime>1700000000</CreateTime>\n  <MsgId>18446744073709551615</MsgId>\n  <Content><![CDATA[  x ]]]]><![CDATA[> y  ]]></Content>\n  <Plain>a &lt;b&gt; &amp; &#20013;&#x6587;</Plain>\n  <Empty></Empty><Self/>\n</xml>`,
  );
  t.is(f.MsgId, '18446744073709551615');
  t.is(f.CreateTime, '1700000000');
  t.is(f.Content, '  x ]]> y  ');
  t.is(f.Plain, 'a <b> & 中文');
  t.is(f.Empty, '');
  t.is(f.Self, '');
});

test('nested elements stay objects and repeated ones become arrays', (t) => {
  const f = parseXml(
    '<xml><Event><![CDATA[scancode_waitmsg]]></Event><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>\n<ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo>' +
      '<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum><![CDATA[a]]></PicMd5Sum></item><item><PicMd5Sum><![CDATA[b]]></PicMd5Sum></item></PicList></SendPicsInfo></xml>',
  );
  t.deepEqual(f.ScanCodeInfo, { ScanType: 'qrcode', ScanResult: '1' });
  t.deepEqual(f.SendPicsInfo, { Count: '2', PicList: { item: [{ PicMd5Sum: 'a' }, { PicMd5Sum: 'b' }] } });
});

test('buildXml writes strings as CDATA, numbers bare, and any text survives the round trip', (t) => {
  t.is(buildXml({ A: 'x', N: 1700000000, O: { B: 'y' }, L: ['p', 'q'], Skip: undefined }), '<xml><A><![CDATA[x]]></A><N>1700000000</N><O><B><![CDATA[y]]></B></O><L><![CDATA[p]]></L><L><![CDATA[q]]></L></xml>');
  t.is(buildXml({ C: 'a]]>b' }), '<xml><C><![CDATA[a]]]]><![CDATA[>b]]></C></xml>');
  // Characters XML cannot carry are dropped rather than breaking the whole reply.
  t.is(parseXml(buildXml({ C: 'a\u0000b\u0007c\uFFFE' })).C, 'abc');
  t.throws(() => buildXml({ 'bad name': 'x' }), { instanceOf: XmlError });
  t.throws(() => buildXml({ '<x>': 'x' }), { instanceOf: XmlError });
  const xmlSafe = fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => s.replace(/[^\t\n\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''));
  fc.assert(fc.property(fc.oneof(xmlSafe, fc.constantFrom(']]>', ']]]]>', 'a]]>b]]>c', '&amp;', '<![CDATA[x]]>', '<!DOCTYPE x>')), (s) => parseXml(buildXml({ Content: s })).Content === s));
});

// ---- messages ---------------------------------------------------------------------------------------------

test('toMessage names the fields, lower-cases events and keeps ids exact', (t) => {
  const m = toMessage(parseXml('<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[BIND_PHONE]]></EventKey></xml>'));
  t.like(m, { toUserName: 'gh_a', fromUserName: 'o_user', createTime: 1700000000, msgType: 'event', event: 'click', eventKey: 'BIND_PHONE' });
  const j = toMessage(
    parseXml(
      '<xml><ToUserName>gh_a</ToUserName><FromUserName>o_user</FromUserName><CreateTime>1700000001</CreateTime><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>3487542469355618313</MsgID><Status><![CDATA[failed: system failed]]></Status></xml>',
    ),
  );
  t.like(j, { event: 'templatesendjobfinish', templateMsgId: '3487542469355618313', status: 'failed: system failed' });
  const s = toMessage(parseXml('<xml><ToUserName>gh_a</ToUserName><FromUserName>o_user</FromUserName><CreateTime>1700000002</CreateTime><MsgType>event</MsgType><Event>subscribe</Event><EventKey>qrscene_123</EventKey><Ticket>TICKET</Ticket></xml>'));
  t.like(s, { event: 'subscribe', eventKey: 'qrscene_123', ticket: 'TICKET' });
  const x = toMessage(parseXml('<xml><ToUserName>gh_a</ToUserName><FromUserName>o_user</FromUserName><CreateTime>1700000003</CreateTime><MsgType>text</MsgType><Content><![CDATA[ 你好 ]]></Content><MsgId>9223372036854775807</MsgId></xml>'));
  t.like(x, { msgType: 'text', content: ' 你好 ', msgId: '9223372036854775807' });
  t.is(x.event, undefined);
});

test('toMessage refuses a message missing what every message has', (t) => {
  const base = { ToUserName: 'gh_a', FromUserName: 'o_user', CreateTime: '1700000000', MsgType: 'text' };
  for (const field of Object.keys(base)) {
    const fields = { ...base } as Record<string, string>;
    delete fields[field];
    const err = t.throws(() => toMessage(fields), { instanceOf: MessageError }) as MessageError;
    t.is(err.field, field);
  }
  t.is((t.throws(() => toMessage({ ...base, CreateTime: '17e8' }), { instanceOf: MessageError }) as MessageError).code, 'bad_field');
  t.is((t.throws(() => toMessage({ ...base, MsgType: 'event' }), { instanceOf: MessageError }) as MessageError).field, 'Event');
  t.is((t.throws(() => toMessage({ ...base, FromUserName: { nested: 'x' } }), { instanceOf: MessageError }) as MessageError).code, 'bad_field');
  t.is((t.throws(() => toMessage({ ...base, MsgId: '12a' }), { instanceOf: MessageError }) as MessageError).field, 'MsgId');
});

test('retry keys: sender and MsgId for messages; sender, time, event and key for events', (t) => {
  const text = toMessage({ ToUserName: 'gh', FromUserName: 'o1', CreateTime: '1700000000', MsgType: 'text', Content: 'hi', MsgId: '4561255354251345929' });
  t.is(retryKey(text), 'msg:o1:4561255354251345929');
  const sameIdOtherUser = toMessage({ ToUserName: 'gh', FromUserName: 'o2', CreateTime: '1700000000', MsgType: 'text', Content: 'hi', MsgId: '4561255354251345929' });
  t.not(retryKey(sameIdOtherUser), retryKey(text), "one user's MsgId never keys another's");
  const click = toMessage({ ToUserName: 'gh', FromUserName: 'o1', CreateTime: '1700000000', MsgType: 'event', Event: 'CLICK', EventKey: 'K' });
  t.is(retryKey(click), 'evt:o1:1700000000:click:K');
  const sub = toMessage({ ToUserName: 'gh', FromUserName: 'o1', CreateTime: '1700000000', MsgType: 'event', Event: 'subscribe' });
  t.is(retryKey(sub), 'evt:o1:1700000000:subscribe:');
  t.not(retryKey(sub), retryKey(click));
});

// ---- replies ----------------------------------------------------------------------------------------------

test('a text reply is addressed back to the sender with CreateTime in unix seconds', (t) => {
  const now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  const xml = textReply({ to: 'o_user', from: 'gh_a', content: '你好 ]]> <b>', now });
  t.deepEqual(readXml(xml), { ToUserName: 'o_user', FromUserName: 'gh_a', CreateTime: String(Math.floor(now / 1000)), MsgType: 'text', Content: '你好 ]]> <b>' });
  const rendered = readXml(renderReply({ type: 'text', content: 'ok' }, { fromUserName: 'o_user', toUserName: 'gh_a' }));
  t.is(rendered.ToUserName, 'o_user');
  t.is(rendered.FromUserName, 'gh_a');
  t.regex(rendered.CreateTime, /^\d{10}$/);
  t.is(renderReply({ type: 'text', content: '' }, { fromUserName: 'o', toUserName: 'gh' }), '');
});

test('a news reply lists its articles and refuses more than WeChat shows', (t) => {
  const xml = newsReply({ to: 'o', from: 'gh', articles: [{ title: '拦截记录', description: '最近 7 天', url: 'https://example.test/h5/records' }, { title: 'B' }] });
  const f = parseXml(xml);
  t.is(f.MsgType, 'news');
  t.is(f.ArticleCount, '2');
  t.deepEqual(f.Articles, {
    item: [
      { Title: '拦截记录', Description: '最近 7 天', PicUrl: '', Url: 'https://example.test/h5/records' },
      { Title: 'B', Description: '', PicUrl: '', Url: '' },
    ],
  });
  t.throws(() => newsReply({ to: 'o', from: 'gh', articles: [] }), { instanceOf: RangeError });
  t.throws(() => newsReply({ to: 'o', from: 'gh', articles: Array.from({ length: 9 }, (_, i) => ({ title: `t${i}` })) }), { instanceOf: RangeError });
});

test('an encrypted reply is an envelope whose MsgSignature verifies and whose content opens for our appid', (t) => {
  const key = randomKey();
  const crypt = new MsgCrypt('tok', key, 'wxenvelope00000001');
  const inner = textReply({ to: 'o', from: 'gh', content: '已开启' });
  const env = readXml(encryptedReply(crypt, inner));
  t.deepEqual(Object.keys(env), ['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce']);
  t.regex(env.TimeStamp, /^\d{10}$/);
  t.is(env.MsgSignature, crypto.createHash('sha1').update(['tok', env.TimeStamp, env.Nonce, env.Encrypt].sort().join('')).digest('hex'));
  const sender = new WechatSender({ baseUrl: 'http://127.0.0.1:1', token: 'tok', appId: 'wxenvelope00000001', encodingAesKey: key, mode: 'safe' });
  t.deepEqual(sender.open(env.Encrypt), { message: inner, appId: 'wxenvelope00000001', padding: sender.open(env.Encrypt).padding });
  const again = readXml(encryptedReply(crypt, inner));
  t.not(again.Encrypt, env.Encrypt);
  t.not(again.Nonce, env.Nonce);
});
