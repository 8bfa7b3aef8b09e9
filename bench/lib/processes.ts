/** Whole processes: the CLI as built from this tree (into a git-ignored folder), timed from spawn to exit. */
import { spawn } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from './servers.js';

export const TOOLS = path.join(REPO, 'bench', '.tools');
const BUILD = path.join(TOOLS, 'cratedb-migrate');

let built: Promise<string> | undefined;

/**
 * The CLI compiled from src/ now (not a stale dist/), with the package.json beside it as when installed.
 * Returns the path of its main.js.
 */
export function builtCli(): Promise<string> {
  built ??= (async () => {
    await mkdir(BUILD, { recursive: true });
    await copyFile(path.join(REPO, 'package.json'), path.join(BUILD, 'package.json'));
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const out = await run(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.json'), '--outDir', path.join(BUILD, 'dist'), '--declaration', 'false', '--sourceMap', 'false']);
    // tsc emits despite type errors elsewhere in the tree (other work in progress); say so, do not stop.
    if (out.code !== 0) process.stderr.write(`bench: tsc reported errors, measuring what it emitted:\n${out.stdout.slice(0, 2000)}\n`);
    return path.join(BUILD, 'dist', 'cli', 'main.js');
  })();
  return built;
}

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd ?? REPO, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - start }));
  });
}

/** Milliseconds of a process that must exit 0 (else the run is an error with its output). */
export async function processMs(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(0, 2000)}${r.stdout.slice(0, 500)}`);
  return r.ms;
}
