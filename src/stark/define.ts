/**
 * Writing an AIR by name (docs/architecture.md "AIRs"): columns and periodic columns are named,
 * constraints are a record of named expressions over `cur.<column>`, `next.<column>` and
 * `periodic.<name>`, boundaries name their column. defineAir turns that into the positional Air the
 * protocol uses — columns, constraints and boundaries in the order written — with the names kept
 * for failures and generated code (they are not part of the AIR's identity, airDigest).
 *
 * @module
 */
import { checkAir, type Air } from './air.js';
import { cur as curCell, next as nextCell, periodic as periodicCell, type Expr } from './expr.js';

/** The expressions of one row: a column's cell by name. */
export type Row<C extends string> = { readonly [K in C]: Expr };

export interface Frame<C extends string, P extends string> {
  readonly cur: Row<C>;
  readonly next: Row<C>;
  readonly periodic: { readonly [K in P]: Expr };
}

export interface AirDefinition<C extends string, P extends string = never> {
  /** Lowercase [a-z0-9_], 1 to 64 characters. */
  readonly id: string;
  readonly logN: number;
  readonly columns: readonly C[];
  /** Periodic columns by name, in order; each of power-of-two length m ≤ n. */
  readonly periodic?: { readonly [K in P]: BigUint64Array };
  /** Transition constraints by name, in order: each must vanish on rows 0 … n−2. */
  readonly transitions: (row: Frame<C, P>) => Readonly<Record<string, Expr>>;
  /** Boundary constraints by name, in order: trace[column][row] = value. */
  readonly boundaries?: Readonly<Record<string, { readonly column: C; readonly row: number; readonly value: bigint }>>;
  readonly parameters?: Uint8Array;
}

/** The Air of a definition by name; throws (checkAir's errors) if it is invalid. */
export function defineAir<C extends string, P extends string = never>(d: AirDefinition<C, P>): Air {
  const index = new Map(d.columns.map((c, i) => [c, i]));
  if (index.size !== d.columns.length) throw new RangeError(`${d.id}: a column name is used twice`);
  const cells = (cell: (col: number) => Expr) => Object.fromEntries(d.columns.map((c, i) => [c, cell(i)])) as Row<C>;
  const periodicColumns = Object.entries(d.periodic ?? {}) as [P, BigUint64Array][];
  const periodic = Object.fromEntries(periodicColumns.map(([name], j) => [name, periodicCell(j)])) as Frame<C, P>['periodic'];
  const transitions = Object.entries(d.transitions({ cur: cells(curCell), next: cells(nextCell), periodic }));
  const boundaries = Object.entries(d.boundaries ?? {}).map(([name, b]) => {
    const col = index.get(b.column);
    if (col === undefined) throw new RangeError(`${d.id}: boundary ${name} names no column (${JSON.stringify(b.column)})`);
    return { name, constraint: { col, row: b.row, value: b.value } };
  });
  const air: Air = {
    id: d.id,
    width: d.columns.length,
    logN: d.logN,
    periodic: periodicColumns.map(([, v]) => v),
    transitions: transitions.map(([, e]) => e),
    boundaries: boundaries.map((b) => b.constraint),
    parameters: d.parameters ?? new Uint8Array(0),
    names: { columns: [...d.columns], transitions: transitions.map(([name]) => name), boundaries: boundaries.map((b) => b.name) },
  };
  checkAir(air);
  return air;
}
