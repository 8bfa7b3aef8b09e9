/**
 * Faults a test sets on the test server: latency, a failed answer for the Nth matching statement, an
 * answer lost after the statement was applied, how long a write to a lost primary blocks, the
 * RECOVERING window of new tables, and skewed node clocks. Node loss itself is
 * `server.nodes[i].stop()`; `faults.clear()` resets everything set here.
 */
import { RecoveringShards } from './recovering.js';


/** Which statements a fault applies to: a RegExp tested against `stmt`, or a predicate. */
export type StatementMatch = RegExp | ((stmt: string) => boolean);

/** A CrateDB error answer: `{"error":{"message","code"}}` with HTTP `status`. */
export interface CrateErrorAnswer {
  code: number;
  message: string;
  status: number;
}

/** Which requests a fault fires on. Only `/_sql` requests with a valid body count. */
export interface FaultTarget {
  /** Statements that count. @default every statement */
  match?: StatementMatch;
  /** Fires on the Nth matching request counted from when the fault was set (1-based). @default 1 */
  nth?: number;
  /** How many consecutive matching requests it fires on, from the Nth on. @default 1 */
  times?: number;
  /** Only requests to this node (index into `server.nodes`). @default any node */
  node?: number;
}

/** What the HTTP layer does with a request a fault fired on. */
export type FaultAction =
  | { kind: 'status'; status: number }
  | { kind: 'error'; error: CrateErrorAnswer }
  | { kind: 'drop'; applied: boolean };

interface ArmedFault {
  target: Required<Pick<FaultTarget, 'nth' | 'times'>> & Pick<FaultTarget, 'match' | 'node'>;
  action: FaultAction;
  seen: number;
}

/** CrateDB's default wait for an inactive primary before a write fails with 5002 (cluster-faults.md). */
export const CRATE_PRIMARY_WAIT_MS = 60_000;

/**
 * How long a new table's shards stay RECOVERING by default. CrateDB 6.4.3 took 46 ms for a whole
 * 1-shard `CREATE TABLE` (measurements.md), the shard start included: the window is at most that.
 * 20 ms is longer than the two requests a racing client needs to see it (a `CREATE ... IF NOT EXISTS`
 * answered 0 and a primary-key read, ~1-3 ms each here), so the race shows by default, and short
 * enough that the tests' many sequential CREATE TABLEs stay fast.
 */
export const DEFAULT_RECOVERING_MS = 20;

/** The fault switchboard of one test server; every node consults it for every request. */
export class Faults {
  #armed: ArmedFault[] = [];
  #latency = new Map<number | 'all', number>();
  #clockSkew = new Map<number | 'all', number>();
  readonly #defaultPrimaryWaitMs: number;
  readonly #defaultRecoveringMs: number;
  /**
   * How long a write addressed to a shard with no live copy, or to a RECOVERING one, blocks before it
   * answers 5002 (CrateDB: 1 minute). If the shard comes back meanwhile, the write goes through.
   */
  primaryWaitMs: number;
  /**
   * How long the shards of a table just created by `CREATE TABLE` stay RECOVERING (recovering.ts): the
   * creating request answers when they started; meanwhile other clients' primary-key reads of it
   * answer 404/4040, scans 5002, and writes wait. 0 turns the window off.
   */
  recoveringMs: number;
  /** @internal The tables in their RECOVERING window. */
  readonly recovering = new RecoveringShards();

  constructor(primaryWaitMs: number = CRATE_PRIMARY_WAIT_MS, recoveringMs: number = DEFAULT_RECOVERING_MS) {
    if (!(primaryWaitMs >= 0)) throw new RangeError(`primaryWaitMs must be >= 0, got ${primaryWaitMs}`);
    if (!(recoveringMs >= 0)) throw new RangeError(`recoveringMs must be >= 0, got ${recoveringMs}`);
    this.#defaultPrimaryWaitMs = primaryWaitMs;
    this.primaryWaitMs = primaryWaitMs;
    this.#defaultRecoveringMs = recoveringMs;
    this.recoveringMs = recoveringMs;
  }

  /**
   * Puts an existing table's shards (`'schema.name'`, or a name in `doc`) into RECOVERING now for `ms`
   * (default `recoveringMs`), as right after `ALTER TABLE ... OPEN`. Set a long `ms` and end it with
   * `startShards()` for a test that must not depend on timing.
   */
  recoverShards(table: string, options: { ms?: number } = {}): void {
    const ms = options.ms ?? this.recoveringMs;
    if (!(ms > 0)) throw new RangeError(`recoverShards: ms must be > 0, got ${ms}`);
    this.recovering.begin(table.includes('.') ? table : `doc.${table}`, ms);
  }

  /** Ends the RECOVERING window of `table` now, or of every table: creators answer, waiting writes go on. */
  startShards(table?: string): void {
    this.recovering.end(table === undefined || table.includes('.') ? table : `doc.${table}`);
  }

  /**
   * Sets a node's clock `ms` ahead of the server's clock (negative: behind), every node's without
   * `node`: `now()`, `CURRENT_TIMESTAMP` and column defaults of statements that node handles read it.
   * 0 removes the skew.
   */
  clockSkew(ms: number, options: { node?: number } = {}): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clockSkew: ms must be a finite number, got ${ms}`);
    this.#clockSkew.set(options.node ?? 'all', ms);
  }

  /** @internal The skew of `node`'s clock. */
  clockSkewFor(node: number): number {
    return this.#clockSkew.get(node) ?? this.#clockSkew.get('all') ?? 0;
  }

  /** Delays every request (all nodes, or only `node`) by `ms` before it is handled. 0 removes it. */
  latency(ms: number, options: { node?: number } = {}): void {
    if (!(ms >= 0)) throw new RangeError(`latency: ms must be >= 0, got ${ms}`);
    this.#latency.set(options.node ?? 'all', ms);
  }

  /**
   * Answers matching requests with a bare HTTP `answer` status (a plain-text body, as a proxy would)
   * or with the given CrateDB error. The statement is not applied.
   */
  fail(answer: number | CrateErrorAnswer, target: FaultTarget = {}): void {
    const action: FaultAction =
      typeof answer === 'number' ? { kind: 'status', status: answer } : { kind: 'error', error: answer };
    this.#arm(target, action);
  }

  /**
   * Closes the connection without an answer. By default after the statement was applied (the write is
   * kept, the answer lost); `{ applied: false }` drops it before the statement runs.
   */
  dropAnswer(target: FaultTarget = {}, options: { applied?: boolean } = {}): void {
    this.#arm(target, { kind: 'drop', applied: options.applied ?? true });
  }

  /** Removes every fault, latency and clock skew, starts every recovering shard and restores the
   * primary wait and RECOVERING window the server started with. */
  clear(): void {
    this.#armed = [];
    this.#latency.clear();
    this.#clockSkew.clear();
    this.recovering.end();
    this.primaryWaitMs = this.#defaultPrimaryWaitMs;
    this.recoveringMs = this.#defaultRecoveringMs;
  }

  /** @internal The delay for a request to `node`. */
  latencyFor(node: number): number {
    return this.#latency.get(node) ?? this.#latency.get('all') ?? 0;
  }

  /** @internal Counts the request against every armed fault; returns the first action that fires. */
  take(stmt: string, node: number): FaultAction | undefined {
    let fired: FaultAction | undefined;
    for (const fault of this.#armed) {
      const { match, node: onlyNode, nth, times } = fault.target;
      if (onlyNode !== undefined && onlyNode !== node) continue;
      if (match !== undefined && !(typeof match === 'function' ? match(stmt) : matches(match, stmt))) continue;
      fault.seen += 1;
      if (fired === undefined && fault.seen >= nth && fault.seen < nth + times) fired = fault.action;
    }
    return fired;
  }

  #arm(target: FaultTarget, action: FaultAction): void {
    const nth = target.nth ?? 1;
    const times = target.times ?? 1;
    if (!Number.isInteger(nth) || nth < 1) throw new RangeError(`fault nth must be an integer >= 1, got ${nth}`);
    if (!(times >= 1)) throw new RangeError(`fault times must be >= 1, got ${times}`);
    this.#armed.push({ target: { match: target.match, node: target.node, nth, times }, action, seen: 0 });
  }
}

function matches(re: RegExp, stmt: string): boolean {
  // A /g or /y RegExp keeps lastIndex between calls; a fresh test each time is what a caller means.
  re.lastIndex = 0;
  return re.test(stmt);
}
