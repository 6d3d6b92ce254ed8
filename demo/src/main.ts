// The app's shell: a router over location.pathname (every view's state is in its URL, so any view can
// be linked), same-origin link interception, and one page mounted at a time in <main>.
import './zod-csp.js';
import './style.css';
import { h, notice, replace } from './dom.js';

/** A mounted page; the cleanup (if any) runs when the user navigates away (closes sockets, workers). */
export type Cleanup = (() => void) | void;
export interface PageContext {
  root: HTMLElement;
  /** Path parameters (:id). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Rewrites the query string in place (filters, sort) without a reload or a history entry per keystroke. */
  setQuery(q: URLSearchParams, push?: boolean): void;
  navigate(url: string): void;
}
type Page = (ctx: PageContext) => Promise<Cleanup> | Cleanup;

const ROUTES: [RegExp, string, () => Promise<{ default: Page }>][] = [
  [/^\/$/, 'Leaderboard', () => import('./pages/leaderboard.js')],
  [/^\/runs\/(?<id>[^/]+)$/, 'Run receipt', () => import('./pages/receipt.js')],
  [/^\/live\/(?<id>[^/]+)$/, 'Live run', () => import('./pages/live.js')],
  [/^\/replay$/, 'Replay', () => import('./pages/replay.js')],
  [/^\/compare$/, 'Compare', () => import('./pages/compare.js')],
  [/^\/prove$/, 'Prove in your browser', () => import('./pages/prove.js')],
  [/^\/submit$/, 'Submit a pack', () => import('./pages/submit.js')],
];

const root = document.getElementById('app')!;
let cleanup: Cleanup;
let generation = 0;

function setQuery(q: URLSearchParams, push = false): void {
  const s = q.toString();
  const url = `${location.pathname}${s ? `?${s}` : ''}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

function navigate(url: string): void {
  history.pushState(null, '', url);
  void render().then(() => root.focus()); // a screen reader starts at the new page, not the link that led there
}

async function render(): Promise<void> {
  const mine = ++generation;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a'))
    a.toggleAttribute('aria-current', a.pathname === location.pathname);
  const route = ROUTES.map(([re, title, load]) => ({ m: re.exec(location.pathname), title, load })).find((r) => r.m);
  if (!route) {
    document.title = 'Not found · CapsuleBench';
    replace(root, h('h1', {}, 'Not found'), notice('error', `There is no page at ${location.pathname}. `, h('a', { href: '/' }, 'Back to the leaderboard')));
    return;
  }
  document.title = `${route.title} · CapsuleBench`;
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const page = (await route.load()).default;
    if (mine !== generation) return;
    root.replaceChildren();
    const params = Object.fromEntries(Object.entries(route.m!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
    const c = await page({ root, params, query: new URLSearchParams(location.search), setQuery, navigate });
    if (mine !== generation) {
      if (typeof c === 'function') c();
      return;
    }
    cleanup = c;
  } catch (e) {
    if (mine === generation) replace(root, h('h1', {}, route.title), notice('error', e instanceof Error ? e.message : String(e)));
  }
}

// Same-origin links navigate in place; API links, downloads and modified clicks go to the browser.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin || a.pathname.startsWith('/api/')) return;
  // A link within this view (the skip link, #app) is the browser's to follow: it moves the focus.
  if (a.pathname === location.pathname && a.search === location.search) {
    if (!a.hash) e.preventDefault();
    return;
  }
  e.preventDefault();
  navigate(a.pathname + a.search + a.hash);
});
addEventListener('popstate', () => void render());
void render();
