// The simulated WeChat's menu rules: what /cgi-bin/menu/create accepts, and the errcodes WeChat answers
// when a menu breaks its limits. The published menu is shown back in both of WeChat's read formats.

export interface SimMenuButton {
  type?: string;
  name?: string;
  key?: string;
  url?: string;
  sub_button?: SimMenuButton[];
  [field: string]: unknown;
}

export interface SimMenu {
  button: SimMenuButton[];
}

export interface MenuRejection {
  errcode: number;
  errmsg: string;
}

const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : 0);

/** Types that need a key, and types that need a URL. Others (miniprogram, article_id…) are not simulated. */
const KEY_TYPES = new Set(['click', 'scancode_push', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album', 'pic_weixin', 'location_select']);
const URL_TYPES = new Set(['view']);

function httpUrl(u: unknown): boolean {
  if (typeof u !== 'string') return false;
  try {
    const p = new URL(u);
    return (p.protocol === 'http:' || p.protocol === 'https:') && p.hostname !== '';
  } catch {
    return false;
  }
}

// WeChat's codes, top level first, sub-button second: size, type, name, key, url, url domain.
const TOP = { size: 40016, type: 40017, name: 40018, key: 40019, url: 40020, domain: 40055, nameMax: 16 };
const SUB = { size: 40023, type: 40024, name: 40025, key: 40026, url: 40027, domain: 40054, nameMax: 60 };
const MESSAGES: Record<number, string> = {
  40016: 'invalid button size',
  40017: 'invalid button type',
  40018: 'invalid button name size',
  40019: 'invalid button key size',
  40020: 'invalid button url size',
  40055: 'invalid button url domain',
  40023: 'invalid sub button size',
  40024: 'invalid sub button type',
  40025: 'invalid sub button name size',
  40026: 'invalid sub button key size',
  40027: 'invalid sub button url size',
  40054: 'invalid sub button url domain',
  47001: 'data format error',
};

const reject = (errcode: number): MenuRejection => ({ errcode, errmsg: MESSAGES[errcode] ?? 'invalid menu' });

function checkLeaf(b: SimMenuButton, c: typeof TOP): MenuRejection | null {
  if (typeof b.type !== 'string' || !(KEY_TYPES.has(b.type) || URL_TYPES.has(b.type))) return reject(c.type);
  if (KEY_TYPES.has(b.type) && (bytes(b.key) === 0 || bytes(b.key) > 128)) return reject(c.key);
  if (URL_TYPES.has(b.type)) {
    if (bytes(b.url) === 0 || bytes(b.url) > 1024) return reject(c.url);
    if (!httpUrl(b.url)) return reject(c.domain);
  }
  return null;
}

/** null when WeChat would accept the menu; otherwise the errcode it answers. */
export function validateMenu(body: unknown): MenuRejection | null {
  const menu = body as Partial<SimMenu> | null;
  if (!menu || typeof menu !== 'object' || !Array.isArray(menu.button)) return reject(47001);
  if (menu.button.length < 1 || menu.button.length > 3) return reject(TOP.size);
  for (const top of menu.button) {
    if (!top || typeof top !== 'object') return reject(47001);
    if (bytes(top.name) === 0 || bytes(top.name) > TOP.nameMax) return reject(TOP.name);
    if (Array.isArray(top.sub_button) && top.sub_button.length > 0) {
      if (top.sub_button.length > 5) return reject(SUB.size);
      for (const sub of top.sub_button) {
        if (!sub || typeof sub !== 'object') return reject(47001);
        if (bytes(sub.name) === 0 || bytes(sub.name) > SUB.nameMax) return reject(SUB.name);
        const bad = checkLeaf(sub, SUB);
        if (bad) return bad;
      }
    } else {
      const bad = checkLeaf(top, TOP);
      if (bad) return bad;
    }
  }
  return null;
}

const pick = (b: SimMenuButton) => {
  const out: SimMenuButton = { name: b.name };
  if (b.type) out.type = b.type;
  if (b.key !== undefined) out.key = b.key;
  if (b.url !== undefined) out.url = b.url;
  return out;
};

/** The accepted menu as stored: only the fields WeChat keeps, every top button with a sub_button array. */
export function normalizeMenu(menu: SimMenu): SimMenu {
  return {
    button: menu.button.map((top) =>
      Array.isArray(top.sub_button) && top.sub_button.length > 0
        ? { name: top.name, sub_button: top.sub_button.map(pick) }
        : { ...pick(top), sub_button: [] },
    ),
  };
}

/** /cgi-bin/get_current_selfmenu_info's shape: sub-buttons under `sub_button.list`, view URLs as `url`. */
export function selfMenuInfo(menu: SimMenu | null) {
  if (!menu) return { is_menu_open: 0 };
  return {
    is_menu_open: 1,
    selfmenu_info: {
      button: menu.button.map((top) => {
        const subs = top.sub_button ?? [];
        if (subs.length === 0) {
          const { sub_button: _ignored, ...rest } = top;
          return rest;
        }
        return { name: top.name, sub_button: { list: subs.map(pick) } };
      }),
    },
  };
}
