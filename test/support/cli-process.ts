/**
 * The built `cratedb-migrate` bin as a real process, as a deployment starts it (`npm test` builds first).
 * Bounded: each run is killed after `timeoutMs`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(root, 'dist', 'cli', 'main.js');

export interface ProcessRun {
  code: number | null;
  /** 'SIGKILL' when the process was killed (the crash hook, or the timeout). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin in `cwd` with `args`; `env` is added to this process's environment less CRATEDB_URL,
 * CRATE_ENV and NODE_ENV. */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    // The project's config file names the server and the environment, not the test run's variables.
    const { CRATEDB_URL: _url, CRATE_ENV: _env, NODE_ENV: _node, ...inherited } = process.env;
    const childEnv: NodeJS.ProcessEnv = { ...inherited, ...env };
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
