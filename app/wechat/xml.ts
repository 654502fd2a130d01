// WeChat's flat <xml> messages, parsed defensively: the body comes from the internet before (plain mode)
// or right after (safe mode) authentication, so size, DTDs and entities are refused before any parsing.
import { XMLParser } from 'fast-xml-parser';

export type XmlValue = string | XmlFields | XmlValue[];
export interface XmlFields {
  [name: string]: XmlValue;
}

export type XmlErrorCode = 'too_large' | 'doctype' | 'malformed' | 'not_wechat_xml';

export class XmlError extends Error {
  constructor(readonly code: XmlErrorCode, message: string = code) {
    super(message);
    this.name = 'XmlError';
  }
}

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

const parser = new XMLParser({
  preserveOrder: true, // keeps text and CDATA apart and in order, so only text gets references decoded
  cdataPropName: '#cdata',
  ignoreAttributes: true,
  parseTagValue: false, // a 64-bit MsgId must stay a string, never a lossy number
  processEntities: false, // no entity machinery at all; the five predefined ones are decoded below
  htmlEntities: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Throws when markup declarations appear outside CDATA: `<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`… are how
 * entity expansion and external entities (XXE) get in. A user's text inside CDATA may say anything.
 */
function refuseDeclarations(xml: string): void {
  let i = 0;
  for (;;) {
    const at = xml.indexOf('<!', i);
    if (at < 0) return;
    if (xml.startsWith('<![CDATA[', at)) {
      const end = xml.indexOf(']]>', at + 9);
      if (end < 0) throw new XmlError('malformed', 'unterminated CDATA');
      i = end + 3;
    } else if (xml.startsWith('<!--', at)) {
      const end = xml.indexOf('-->', at + 4);
      if (end < 0) throw new XmlError('malformed', 'unterminated comment');
      i = end + 3;
    } else {
      throw new XmlError('doctype', 'markup declarations are not accepted');
    }
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

// Character references and XML's five predefined entities: each stands for one character, nothing expands.
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') {
      const c = PREDEFINED[ref];
      if (c === undefined) throw new XmlError('malformed', 'undefined entity');
      return c;
    }
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlError('malformed', 'bad character reference');
    return String.fromCodePoint(cp);
  });
}

type OrderedNode = Record<string, unknown>;

function nodeName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

function convert(children: OrderedNode[]): XmlValue {
  let text = '';
  let hasElements = false;
  const obj: XmlFields = {};
  for (const node of children) {
    const name = nodeName(node);
    if (name === undefined) continue;
    if (name === '#text') {
      text += decodeReferences(String(node['#text']));
    } else if (name === '#cdata') {
      for (const part of node['#cdata'] as OrderedNode[]) text += String(part['#text'] ?? '');
    } else {
      hasElements = true;
      const value = convert(node[name] as OrderedNode[]);
      if (!Object.prototype.hasOwnProperty.call(obj, name)) obj[name] = value;
      else if (Array.isArray(obj[name])) (obj[name] as XmlValue[]).push(value);
      else obj[name] = [obj[name], value];
    }
  }
  // Elements win over the whitespace that indents them; WeChat never mixes text and elements.
  return hasElements ? obj : text;
}

export interface ParseXmlOptions {
  maxBytes?: number;
}

/** The children of WeChat's `<xml>` root. Values are strings; nested elements are objects; repeats, arrays. */
export function parseXml(input: string | Buffer, opts: ParseXmlOptions = {}): XmlFields {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) throw new XmlError('too_large', `XML over ${maxBytes} bytes`);
  let xml: string;
  if (typeof input === 'string') xml = input;
  else {
    try {
      xml = utf8.decode(input);
    } catch {
      throw new XmlError('malformed', 'not UTF-8');
    }
  }
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  refuseDeclarations(xml);

  let doc: OrderedNode[];
  try {
    doc = parser.parse(xml, true) as OrderedNode[];
  } catch (err) {
    throw new XmlError('malformed', (err as Error).message.split('\n')[0]);
  }
  const roots = doc.filter((n) => {
    const name = nodeName(n);
    return name !== '#text' || String(n['#text']).trim() !== '';
  });
  if (roots.length !== 1 || nodeName(roots[0]) !== 'xml') throw new XmlError('not_wechat_xml', 'expected a single <xml> root');
  const fields = convert(roots[0].xml as OrderedNode[]);
  return typeof fields === 'string' ? {} : (fields as XmlFields);
}

// ---- building replies -------------------------------------------------------------------------------------

export type BuildValue = string | number | bigint | BuildFields | BuildValue[] | null | undefined;
export interface BuildFields {
  [name: string]: BuildValue;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 cannot carry at all; left in, they make WeChat reject the whole reply.
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function cdata(text: string): string {
  // `]]>` cannot occur inside one CDATA section: close it after `]]` and open a new one before `>`.
  return `<![CDATA[${text.replace(NOT_XML_CHAR, '').split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function element(name: string, value: BuildValue): string {
  if (!NAME.test(name)) throw new XmlError('malformed', `invalid element name ${JSON.stringify(name)}`);
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XmlError('malformed', `${name} is not a finite number`);
    return `<${name}>${value}</${name}>`;
  }
  if (typeof value === 'bigint') return `<${name}>${value}</${name}>`;
  if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
  return `<${name}>${children(value)}</${name}>`;
}

function children(fields: BuildFields): string {
  return Object.entries(fields)
    .map(([k, v]) => element(k, v))
    .join('');
}

/** `<xml>` with strings in CDATA and numbers bare, as WeChat's passive replies are written. */
export function buildXml(fields: BuildFields): string {
  return `<xml>${children(fields)}</xml>`;
}
