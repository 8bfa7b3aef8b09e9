import type { KeyPath, ProblemList } from './problems.js';

export type Environment = Record<string, string | undefined>;

// `$${` is a literal `${`; `${NAME}` or `${NAME:-default}` (default used when NAME is unset or empty, as
// in a shell); a `${` that matches neither is reported rather than passed on.
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

function interpolateString(text: string, path: KeyPath, environment: Environment, problems: ProblemList): string {
  return text.replace(TOKEN, (match: string, inner: string | undefined) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      problems.add(path, `'\${' without a closing '}': write \${NAME} or \${NAME:-default}, or $\${ for a literal \${`);
      return match;
    }
    const parsed = EXPRESSION.exec(inner);
    if (parsed === null) {
      problems.add(path, `'\${${inner}}' is not a variable reference: write \${NAME} or \${NAME:-default}`);
      return match;
    }
    const [, name, fallback] = parsed as unknown as [string, string, string | undefined];
    const value = environment[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    if (value === '') return '';
    problems.add(path, `environment variable ${name} is not set: set it, or give a default with \${${name}:-value}`);
    return '';
  });
}

/**
 * Replaces `${VAR}` / `${VAR:-default}` in every string value (keys are left alone) and drops keys whose
 * value is YAML null (`password:` with nothing after it means "not set"). Problems name the key path.
 */
export function interpolate(value: unknown, path: KeyPath, environment: Environment, problems: ProblemList): unknown {
  if (typeof value === 'string') return interpolateString(value, path, environment, problems);
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, [...path, i], environment, problems));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null) continue;
      out[key] = interpolate(item, [...path, key], environment, problems);
    }
    return out;
  }
  return value;
}
