/**
 * sys.sessions (SysSessionsTableInfo): the engine sees a session only when a statement of it runs (the HTTP
 * layer owns the connections), so the table lists the reading session alone, the one CrateDB would list
 * with certainty. What the row can say follows from that session: its id and user, the node the engine
 * reports jobs on, HTTP without TLS from the loopback address (the server listens on 127.0.0.1 only), the
 * statement now running as its last one (CrateDB sets it before running it), and its settings as
 * CoordinatorSessionSettings.toMap gives them. `time_created` is NULL: when the connection opened is not
 * known here, and a made-up time would pass for one.
 */
import type { CrateVersion, Session } from '../contract.js';
import { showSetting } from './session-settings.js';
import type { EngineState } from './state.js';
import { T, type CrateType } from './types.js';

/** The columns by name; `last_job_id` is 6.x only (it is not in 5.10's SysSessionsTableInfo). */
export const SESSION_COLUMNS: Array<[string, CrateType]> = [
  ['auth_user', T.text], ['client_address', T.text], ['handler_node', T.text], ['id', T.integer], ['last_job_id', T.text],
  ['last_statement', T.text], ['protocol', T.text], ['session_user', T.text], ['settings', T.object([], 'ignored')],
  ['ssl', T.boolean], ['time_created', T.timestamptz],
];

export const SESSION_COLUMNS_ONLY_IN: Record<string, CrateVersion> = { last_job_id: '6.4' };

/**
 * toMap's keys and value types: the search path with the implicit pg_catalog first (SearchPath keeps it in
 * the list unless it was named), booleans and the memory limit as values, the rest as text; no optimizer
 * rule is disabled here. `insert_select_fail_fast` came with 6.0.
 */
function settingsMap(session: Session, version: CrateVersion): Record<string, unknown> {
  const path = session.searchPath ?? [session.schema];
  return {
    application_name: showSetting(session, 'application_name'),
    datestyle: showSetting(session, 'datestyle'),
    disabled_optimizer_rules: '',
    enable_hashjoin: showSetting(session, 'enable_hashjoin') === 'true',
    error_on_unknown_object_key: showSetting(session, 'error_on_unknown_object_key') === 'true',
    ...(version === '5.10' ? {} : { insert_select_fail_fast: false }),
    'memory.operation_limit': Number(showSetting(session, 'memory.operation_limit')),
    search_path: (path.includes('pg_catalog') ? path : ['pg_catalog', ...path]).join(','),
    statement_timeout: showSetting(session, 'statement_timeout'),
  };
}

/** The reading session's row, in SESSION_COLUMNS' order. */
export function sessionRows(state: EngineState, session: Session): unknown[][] {
  const job = state.running;
  return [[
    session.user, '127.0.0.1', state.cluster.nodes[0]?.name ?? null, session.id, job?.id ?? null, job?.stmt ?? null, 'http',
    session.user, settingsMap(session, state.version), false, null,
  ]];
}
