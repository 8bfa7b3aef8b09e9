import * as v from 'valibot';

/**
 * valibot pieces that the config schema and the seed header share: both validate parsed YAML/JSON and say
 * the same thing about the same mistake.
 */

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A YAML/JSON mapping, not a list: valibot's object and record schemas take a list too (its indexes as
 * keys). Put it before one of them in a pipe. */
export const mappingOf = (message: string) => v.custom<Record<string, unknown>>(isMapping, message);

/** A string with something in it. */
export const nonEmptyText = v.pipe(v.string('expected a string'), v.minLength(1, 'must not be empty'));
