// Turns the menu data into WeChat's JSON and checks WeChat's limits before anything is sent.
import { MENU, type MenuButton } from './tree';

type WxButton = { type?: 'click' | 'view'; name: string; key?: string; url?: string; sub_button?: WxButton[] };

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export class MenuError extends Error {}

export function validateMenu(menu: MenuButton[]): void {
  if (menu.length < 1 || menu.length > 3) throw new MenuError(`a menu has 1–3 top-level buttons, not ${menu.length}`);
  const keys = new Set<string>();
  const check = (b: MenuButton, top: boolean) => {
    const limit = top ? 16 : 60;
    if (!b.name || bytes(b.name) > limit) throw new MenuError(`button name "${b.name}" exceeds ${limit} bytes`);
    if ('sub_button' in b) {
      if (!top) throw new MenuError(`"${b.name}": sub-buttons cannot nest`);
      if (b.sub_button.length < 1 || b.sub_button.length > 5) throw new MenuError(`"${b.name}" has ${b.sub_button.length} sub-buttons; 1–5 allowed`);
      b.sub_button.forEach((s) => check(s, false));
    } else if (b.type === 'click') {
      if (!b.key || bytes(b.key) > 128) throw new MenuError(`"${b.name}": click key must be 1–128 bytes`);
      if (keys.has(b.key)) throw new MenuError(`duplicate key ${b.key}`);
      keys.add(b.key);
    } else if (b.type === 'view') {
      if (!b.path.startsWith('/')) throw new MenuError(`"${b.name}": view path must start with /`);
    }
  };
  menu.forEach((b) => check(b, true));
}

export function buildMenu(publicBaseUrl: string, menu: MenuButton[] = MENU): { button: WxButton[] } {
  validateMenu(menu);
  const render = (b: MenuButton): WxButton => {
    if ('sub_button' in b) return { name: b.name, sub_button: b.sub_button.map(render) };
    if (b.type === 'click') return { type: 'click', name: b.name, key: b.key };
    const url = publicBaseUrl.replace(/\/$/, '') + b.path;
    if (bytes(url) > 1024) throw new MenuError(`"${b.name}": view URL exceeds 1024 bytes`);
    return { type: 'view', name: b.name, url };
  };
  return { button: menu.map(render) };
}
