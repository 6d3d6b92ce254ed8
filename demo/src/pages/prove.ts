// Being written in this session.
import type { PageContext } from '../main.js';
import { h } from '../dom.js';

export default function page({ root }: PageContext): void {
  root.append(h('h1', {}, 'prove'));
}
