/**
 * CrateDB's built-in analyzers mapped onto PG text search configurations. The language analyzers use
 * the same Snowball stemmers and stop words (`monti`, `guid`, `hitchhik`); `standard` and friends
 * only lower-case, as PG's `simple` does.
 */
import { sqlParse } from './errors.js';

const CONFIGS: Record<string, string> = {
  standard: 'simple',
  simple: 'simple',
  whitespace: 'simple',
  keyword: 'simple',
  stop: 'english',
  english: 'english',
  german: 'german',
  french: 'french',
  spanish: 'spanish',
  italian: 'italian',
  dutch: 'dutch',
  portuguese: 'portuguese',
  russian: 'russian',
  swedish: 'swedish',
  norwegian: 'norwegian',
  danish: 'danish',
  finnish: 'finnish',
  hungarian: 'hungarian',
  romanian: 'romanian',
  turkish: 'turkish',
  arabic: 'arabic',
  armenian: 'armenian',
  basque: 'basque',
  catalan: 'catalan',
  greek: 'greek',
  hindi: 'hindi',
  indonesian: 'indonesian',
  irish: 'irish',
  lithuanian: 'lithuanian',
  nepali: 'nepali',
  serbian: 'serbian',
  tamil: 'tamil',
  yiddish: 'yiddish',
  brazilian: 'portuguese',
  cjk: 'simple',
  chinese: 'simple',
  thai: 'simple',
  persian: 'simple',
  bulgarian: 'simple',
  czech: 'simple',
  latvian: 'simple',
  galician: 'simple',
  sorani: 'simple',
  bengali: 'simple',
  estonian: 'simple',
  fingerprint: 'simple',
  pattern: 'simple',
  snowball: 'english',
};

/** The built-in analyzers' names. */
export function builtInAnalyzers(): string[] {
  return Object.keys(CONFIGS);
}

/** True when CrateDB has a built-in analyzer of that name. */
export function isKnownAnalyzer(name: string): boolean {
  return name in CONFIGS;
}

/**
 * The PG text search configuration of a built-in or custom analyzer, or CrateDB's error for a name it
 * does not know (`what`: the column or index being defined).
 */
export function resolveAnalyzer(name: string, custom: ReadonlyMap<string, { searchConfig: string }>, what: string): string {
  const own = custom.get(name);
  if (own) return own.searchConfig;
  if (!isKnownAnalyzer(name)) throw sqlParse(`Analyzer "${name}" not found for column "${what}"`);
  return analyzerConfig(name);
}

/** The PG text search configuration for an analyzer (the default analyzer is `standard`). */
export function analyzerConfig(name: string): string {
  return CONFIGS[name] ?? 'simple';
}
