/**
 * The rows of sys.jobs (what runs now) and sys.jobs_log: every finished statement, successful or not
 * (CrateDB logs failures before execution too), newest last, at most `stats.jobs_log_size` (10,000)
 * entries. The error is the exception's own message, without the `Exception[...]` wrapping of the HTTP
 * answer. The classification's type follows the kind of statement (Plan.StatementType); its labels, the
 * operators of CrateDB's plan, are not modelled (empty).
 */
import type { JobInfo } from './state.js';

export interface JobLogEntry extends JobInfo {
  ended: number;
  error: string | null;
}

const JOBS_LOG_SIZE = 10_000;

const TYPES: Array<[RegExp, string]> = [
  [/^(SELECT|WITH|VALUES|SHOW|EXPLAIN|\()/, 'SELECT'],
  [/^INSERT/, 'INSERT'],
  [/^UPDATE/, 'UPDATE'],
  [/^DELETE/, 'DELETE'],
  [/^COPY/, 'COPY'],
  [/^(CREATE|DROP|ALTER|REFRESH|OPTIMIZE)/, 'DDL'],
  [/^(SET|RESET|BEGIN|START|COMMIT|KILL|GRANT|DENY|REVOKE|ANALYZE|DISCARD|DEALLOCATE)/, 'MANAGEMENT'],
];

function statementType(stmt: string): string {
  const head = stmt.trimStart().toUpperCase();
  return TYPES.find(([re]) => re.test(head))?.[1] ?? 'UNDEFINED';
}

/** `RelationUnknown[Relation 'x' unknown]` -> `Relation 'x' unknown`. */
function innerMessage(message: string): string {
  return /^\w+\[([\s\S]*)\]$/.exec(message)?.[1] ?? message;
}

export function logJob(log: JobLogEntry[], job: JobInfo, ended: number, errorMessage: string | undefined): void {
  log.push({ ...job, ended, error: errorMessage === undefined ? null : innerMessage(errorMessage) });
  if (log.length > JOBS_LOG_SIZE) log.splice(0, log.length - JOBS_LOG_SIZE);
}

type Node = { id: string; name: string } | undefined;

const iso = (ms: number): string => new Date(ms).toISOString();
const nodeObject = (node: Node) => ({ id: node?.id ?? null, name: node?.name ?? null });

/** Rows of sys.jobs (running and leaked statements): id, node, started, stmt, username. */
export function jobRows(jobs: readonly JobInfo[], node: Node): unknown[][] {
  return jobs.map((j) => [j.id, nodeObject(node), iso(j.started), j.stmt, j.username]);
}

/** Rows of sys.jobs_log: classification, ended, error, id, node, started, stmt, username. */
export function jobLogRows(log: readonly JobLogEntry[], node: Node): unknown[][] {
  return log.map((j) => [{ labels: [], type: statementType(j.stmt) }, iso(j.ended), j.error, j.id, nodeObject(node), iso(j.started), j.stmt, j.username]);
}
