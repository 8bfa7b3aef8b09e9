/**
 * The check against migrations written the way CrateDB users write them (test/fixtures/real-world-sql/):
 * for each project, the check reads the pending files as `up` would, then every statement is sent as the
 * runner sends it (its refreshes before searches and at the end of a migration included), going on after
 * a refusal so that every statement gets CrateDB's answer. An error of the check must be a refusal of the
 * same statement, and a statement CrateDB accepts must have no error; the check must not throw.
 * Each project's `expect.json` lists the refusals the check must name (`file:line` of the statement) and
 * those it is known not to foresee, with why; a statement the test server does not model (4004 "... test
 * server ...") is listed as skipped, never counted as agreement.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrateDbError } from '../../../src/errors.js';
import { checkFiles } from '../../../src/migrations/check/files.js';
import type { CheckResult } from '../../../src/migrations/check/types.js';
import { describeStatement, parseSqlMigration, type SqlStatement } from '../../../src/migrations/sql-file.js';
import { discoverMigrations } from '../../../src/migrations/source.js';
import { createVisibility } from '../../../src/migrations/visibility.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/real-world-sql');

interface Expectations {
  /** `file:line` of statements CrateDB refuses and the check must call errors. */
  refused: string[];
  /** `file:line` → why: refusals the check cannot foresee (it reads no values, no node settings); they may
   * also be accepted, by a CrateDB configured for them. */
  missed?: Record<string, string>;
  /** `file:line` → why: statements the test server does not model (it refuses what CrateDB accepts);
   * skipped against the test server, judged against a real CrateDB. */
  testServerGaps?: Record<string, string>;
  /** Statements that undo what the project made outside its schema (users, functions, analyzers). */
  cleanup?: string[];
}

interface Answer {
  at: string;
  sql: string;
  refused: string | null;
  skipped: string | null;
}

let crate: CrateTarget;
beforeAll(async () => {
  crate = await startCrate();
});
afterAll(async () => {
  await crate?.close();
});

const projects = (await readdir(CORPUS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();

/** `all`: every migration checked before the first runs (a first `up` on an empty cluster); `one-by-one`:
 * each checked right before it runs, against the tables the earlier ones made (`up --step 1` in turn),
 * which reads them back through SHOW CREATE TABLE. */
const MODES = ['all', 'one-by-one'] as const;

describe('the check agrees with CrateDB on the real-world corpus', () => {
  it.each(MODES.flatMap((mode) => projects.map((name) => [name, mode] as const)))('%s, checked %s', async (name, mode) => {
    const dir = path.join(CORPUS, name);
    const expected = JSON.parse(await readFile(path.join(dir, 'expect.json'), 'utf8')) as Expectations;
    const project = await createProject(crate);
    try {
      for (const file of await readdir(path.join(dir, 'migrations'))) await project.write(file, await readFile(path.join(dir, 'migrations', file), 'utf8'));
      const files = await discoverMigrations(project.config.migrationsDir, { rootDir: project.config.rootDir });
      // The check reads the cluster before the statements it checks run, as `up` does; a throw is a crash.
      const check = (pending: typeof files) => checkFiles({ client: project.client, config: project.config }, pending);
      const findings: CheckResult['findings'] = mode === 'all' ? (await check(files)).findings : [];
      const answers: Answer[] = [];
      for (const file of files) {
        if (mode === 'one-by-one') findings.push(...(await check([file])).findings);
        const parsed = await parseSqlMigration(new TextDecoder().decode(file.content), {
          file: file.displayPath,
          placeholders: project.config.placeholders,
          defaultSchema: project.config.schema,
        });
        answers.push(...(await runLikeTheRunner(project, path.basename(file.displayPath), parsed.up, crate.real ? {} : expected.testServerGaps ?? {})));
      }

      const errorsAt = new Map<string, string[]>();
      for (const f of findings.filter((x) => x.severity === 'error')) {
        const at = statementOf(answers, path.basename(f.file), f.line);
        errorsAt.set(at, [...(errorsAt.get(at) ?? []), `${f.code}: ${f.message}`]);
      }
      const skipped = answers.filter((a) => a.skipped !== null);
      const judged = answers.filter((a) => a.skipped === null);
      const falseErrors = judged.filter((a) => a.refused === null && errorsAt.has(a.at)).map((a) => ({ at: a.at, errors: errorsAt.get(a.at) }));
      const missed = judged.filter((a) => a.refused !== null && !errorsAt.has(a.at)).map((a) => ({ at: a.at, refused: a.refused }));
      report(`${name} (${mode})`, answers.length, skipped, missed, expected);

      expect(falseErrors, 'errors of the check on statements CrateDB accepted').toEqual([]);
      // Every error names a statement CrateDB then refused or that the test server could not judge.
      for (const at of errorsAt.keys()) expect(answers.some((a) => a.at === at), `an error at ${at}, which is no statement`).toBe(true);
      const refusedAt = judged.filter((a) => a.refused !== null).map((a) => a.at);
      for (const at of expected.refused) {
        if (skipped.some((s) => s.at === at)) continue;
        expect(refusedAt, `${name}: CrateDB refuses ${at}`).toContain(at);
        expect([...errorsAt.keys()], `${name}: the check names ${at}`).toContain(at);
      }
      // A refusal the check does not name must be a known one (listed with why); a listed one may not
      // happen (a node whose path.repo allows the repository accepts it).
      const unexplained = missed.filter((m) => expected.missed?.[m.at] === undefined);
      expect(unexplained, `${name}: refusals the check did not name`).toEqual([]);
    } finally {
      for (const stmt of expected.cleanup ?? []) await project.client.sql(stmt.replaceAll('${schema}', project.schema)).catch(() => undefined);
      await project.close();
    }
  });
});

/** Sends a migration's statements as the runner does (step.ts: refresh before a search of tables written
 * earlier in the migration, and at its end), each one whatever the previous one's answer. */
async function runLikeTheRunner(project: TestProject, file: string, statements: readonly SqlStatement[], gaps: Record<string, string>): Promise<Answer[]> {
  const visibility = createVisibility(project.client, project.config.schema, pino({ level: 'silent' }));
  const answers: Answer[] = [];
  for (const stmt of statements) {
    const answer: Answer = { at: `${file}:${stmt.line}`, sql: stmt.sql, refused: null, skipped: null };
    try {
      await visibility.beforeStatement(stmt);
      await project.client.sql(stmt.sql);
      // The tables written, read from the statement as sent: parseSqlMigration reads `writes` from the text
      // before its placeholders are replaced, so `INSERT INTO ${schema}.t` names a table "$" there.
      const { writes } = await describeStatement(stmt.sql, project.config.schema);
      visibility.wrote(writes);
      if (stmt.type === 'REFRESH') visibility.refreshed(writes);
    } catch (err) {
      if (!(err instanceof CrateDbError)) throw err;
      if (gaps[answer.at] !== undefined) answer.skipped = `${gaps[answer.at]}: ${err.message}`;
      else if (!crate.real && err.crateCode === 4004 && /test server|is not supported\]/.test(err.message)) answer.skipped = err.message;
      else answer.refused = `${err.crateCode} ${err.message}`;
    }
    answers.push(answer);
  }
  await visibility.finish();
  return answers;
}

/** The statement a finding's line falls in: the last one of the file starting at or before it. */
function statementOf(answers: readonly Answer[], file: string, line: number): string {
  const starts = answers.filter((a) => a.at.startsWith(`${file}:`)).map((a) => Number(a.at.slice(file.length + 1)));
  const start = Math.max(...starts.filter((s) => s <= line));
  return `${file}:${start}`;
}

function report(name: string, statements: number, skipped: Answer[], missed: Array<{ at: string; refused: string | null }>, expected: Expectations): void {
  const lines = [`${name}: ${statements} statements`];
  for (const s of skipped) lines.push(`  skipped ${s.at} (the test server does not model it: ${s.skipped})`);
  for (const m of missed) lines.push(`  not foreseen ${m.at}: ${m.refused}${expected.missed?.[m.at] ? ` (known: ${expected.missed[m.at]})` : ''}`);
  console.log(lines.join('\n'));
}
