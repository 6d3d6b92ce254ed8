// Per-stage bars of a proof: time, share and which backend ran each stage (GPU stages in their own
// colour), for the Receipt and Prove pages.
import { fmtUs, h } from './dom.js';

export interface Stage {
  stage: string;
  us: number;
  backend: string;
  note?: string;
}

/** One bar per stage, scaled to the slowest; GPU stages in their own colour. */
export function stageBars(stages: readonly Stage[]): HTMLElement {
  if (!stages.length) return h('p', { class: 'muted' }, 'No stages were recorded.');
  const max = Math.max(...stages.map((s) => s.us), 1), total = stages.reduce((a, s) => a + s.us, 0);
  return h('div', { class: 'bars stages', role: 'list' }, stages.map((s) => {
    const fill = h('div', { class: /gpu/i.test(s.backend) ? 'fill gpu' : 'fill' });
    fill.style.width = `${Math.max(0.5, (100 * s.us) / max)}%`;
    const share = total > 0 ? ` (${((100 * s.us) / total).toFixed(1)}%)` : '';
    return h('div', { class: 'bar', role: 'listitem', 'aria-label': `${s.stage}: ${fmtUs(s.us)}${share} on ${s.backend}` },
      h('span', { class: 'stage-name', title: s.note ?? s.stage }, s.stage, s.note ? h('span', { class: 'muted' }, ` — ${s.note}`) : null),
      h('div', { class: 'track', 'aria-hidden': 'true' }, fill),
      h('span', { class: 'num' }, fmtUs(s.us)),
      h('span', { class: `badge ${/gpu/i.test(s.backend) ? 'gpu' : ''}` }, s.backend));
  }));
}

