// Controls more than one page shows.
import { html, type Raw } from './layout';

/** The one button that moves protection on: enable when off, pause when on, resume when paused. */
export function protectionButton(state: 'off' | 'on' | 'paused', label: { enable: string; pause: string; resume: string }): Raw {
  const [action, style, text] = state === 'off' ? ['enable', 'primary', label.enable] : state === 'on' ? ['pause', 'warn', label.pause] : ['resume', 'primary', label.resume];
  return html`<button type="button" class="btn btn--${style}" data-call="/h5/api/protection" data-body='${JSON.stringify({ action })}' data-then="reload">${text}</button>`;
}
