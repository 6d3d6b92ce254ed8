// Small DOM and formatting helpers shared by the pages: elements are built with h(), never from HTML
// strings, so nothing the server or a pack says is ever parsed as markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** An element with attributes (on* keys are listeners; false/null/undefined are left out) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** Microseconds as ms or s with 3 significant digits. */
export function fmtUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '—';
  const ms = us / 1000;
  // 999.96 ms rounds to "1.00e+3" at 3 digits: from 999.5 on, the next unit.
  if (ms >= 999.5) return `${(ms / 1000).toPrecision(3)} s`;
  return `${ms.toPrecision(3)} ms`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1000) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, i = 0;
  while (v >= 999.5 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toPrecision(3)} ${units[i]}`;
}

/** A count with SI prefixes (1.23 M). */
export function fmtCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (Math.abs(n) >= v) return `${(n / v).toPrecision(3)} ${u}`;
  return String(Math.round(n));
}

/** A hash shown short, with the full value in its title and selectable text. */
export function hashEl(hex: string | null | undefined, label?: string): HTMLElement {
  if (!hex) return h('span', { class: 'muted' }, '—');
  return h('code', { class: 'hash', title: hex, 'aria-label': label ? `${label} ${hex}` : hex }, hex);
}

export function fmtDate(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(typeof ms === 'string' && /^\d+$/.test(ms) ? Number(ms) : ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** A message box: info, ok, error or warn. */
export function notice(kind: 'info' | 'ok' | 'error' | 'warn', ...children: (Child | Child[])[]): HTMLElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** A definition list from [term, value] pairs. */
export function facts(rows: [string, Child | Child[]][]): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) append(dl, h('dt', {}, k), h('dd', {}, ...(Array.isArray(v) ? v : [v])));
  return dl;
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  const id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** 2¹⁰: a power of two as text (canvas labels and <option>s cannot hold markup). */
export const pow2 = (n: number): string => `2${String(n).replace(/[0-9]/g, (d) => SUPERSCRIPT[Number(d)]!)}`;
