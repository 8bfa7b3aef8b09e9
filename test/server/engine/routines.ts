/**
 * information_schema.routines (RoutineInfos): the built-in analyzers, then the custom ones CREATE ANALYZER
 * made, each with its settings as `routine_definition` (ES Settings printed as JSON, keys in order, every
 * value a string). Built-in tokenizers, token filters and char filters are not listed (the test server
 * only knows analyzers by name). The user-defined functions follow (udfs.ts).
 */
import type { AnalyzerDef } from './catalog.js';
import { builtInAnalyzers } from './fulltext.js';
import { constantOf } from './literals.js';
import { identName, type Ctx } from './parse.js';

type Setting = string | string[];

function settingValue(node: Ctx): Setting {
  const c = constantOf(node);
  if (c?.kind === 'value') return Array.isArray(c.value) ? c.value.map(String) : String(c.value);
  return node.getText();
}

/**
 * The settings CREATE ANALYZER stores for the analyzer itself: `type` (the extended analyzer, or `custom`),
 * its generic properties, and the names of its tokenizer, token filters and char filters. A component given
 * its own `WITH (...)` is a custom one stored as `<analyzer>_<name>`, and named so here.
 */
export function analyzerDefinition(node: Ctx, name: string, base: string | undefined): string {
  const settings: Record<string, Setting> = { type: base ?? 'custom' };
  const component = (n: Ctx): string => (n.withProperties() ? `${name}_${identName(n.ident())}` : identName(n.ident()));
  for (const el of (node.analyzerElement() as Ctx[]) ?? []) {
    if (el.tokenizer()) settings.tokenizer = component(el.tokenizer().namedProperties());
    else if (el.tokenFilters()) settings.filter = (el.tokenFilters().namedProperties() as Ctx[]).map(component);
    else if (el.charFilters()) settings.char_filter = (el.charFilters().namedProperties() as Ctx[]).map(component);
    else if (el.genericProperty()) settings[identName(el.genericProperty().ident())] = settingValue(el.genericProperty().expr());
  }
  const sorted = Object.keys(settings).sort().map((k) => [k, settings[k]]);
  return JSON.stringify(Object.fromEntries(sorted));
}

/** The rows, in the table's column order: data_type, is_deterministic, routine_body, routine_definition, routine_name, routine_schema, routine_type, specific_name. */
export function routineRows(analyzers: ReadonlyMap<string, AnalyzerDef>): unknown[][] {
  const row = (name: string, definition: string | null): unknown[] => [null, false, null, definition, name, null, 'ANALYZER', null];
  return [
    ...builtInAnalyzers().map((a) => row(a, null)),
    ...[...analyzers.values()].map((a) => row(a.name, a.definition ?? null)),
  ];
}
