// 拦截类别: one row per category, a select of allow / block / smart answer / verify that saves itself.
import { H5 } from '../../../copy/h5';
import { CATEGORY_CODES, CATEGORY_MODES, CATEGORY_NAMES, type CategoryCode, type CategoryMode } from '../../protection/preferences';
import { html, layout } from './layout';
import { explanations } from './simple';

export function categoriesPage(modes: Record<CategoryCode, CategoryMode>, csrf: string): string {
  const c = H5.categories;
  const rows = CATEGORY_CODES.filter((code) => code !== 'fraud').map((code) => {
    const id = `cat-${code}`;
    return html`<li class="cell"><label class="cell__bd" for="${id}">${CATEGORY_NAMES[code]}</label>
<select class="input" id="${id}" name="${code}" aria-label="${c.modeLabel(CATEGORY_NAMES[code])}" data-autosave="/h5/api/categories" data-was="${modes[code]}">
${CATEGORY_MODES.map((m) => html`<option value="${m}"${m === modes[code] ? html` selected` : null}>${H5.modes[m]}</option>`)}
</select></li>`;
  });
  const body = html`
<ul class="cells">${rows}
  <li class="cell"><span class="cell__bd">${CATEGORY_NAMES.fraud}</span><span class="cell__ft">${c.fraud}</span></li>
</ul>
${explanations(['smartAnswer', 'verify'])}`;
  return layout({ title: c.title, csrf, body, back: true, description: c.hint });
}
