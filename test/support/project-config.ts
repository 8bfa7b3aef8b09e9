/**
 * The crate.config.yaml of a throw-away project directory for the process tests: tables in `schema`,
 * the tool's own tables (history, lock, seeds tracking) in `<schema>_m`.
 */
export interface ProjectConfigOptions {
  url: string;
  schema: string;
  /** @default 'development' */
  env?: string;
  lock?: { lease_ms: number; wait_ms: number };
}

export function projectConfigYaml({ url, schema, env = 'development', lock }: ProjectConfigOptions): string {
  const tracking = `${schema}_m`;
  return [
    'environments:',
    `  ${env}:`,
    `    url: ${url}`,
    `    schema: ${schema}`,
    `    history_table: ${tracking}.migrations`,
    `    lock_table: ${tracking}.lock`,
    `    seeds_table: ${tracking}.seeds`,
    ...(lock ? ['    lock:', `      lease_ms: ${lock.lease_ms}`, `      wait_ms: ${lock.wait_ms}`] : []),
    '',
  ].join('\n');
}
