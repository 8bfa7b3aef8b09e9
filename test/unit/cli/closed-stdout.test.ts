import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../../support/cli-process.js';

/** The built bin with its stdout pipe closed by the reader before anything is written (`| head -0`). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('a reader that closes stdout early', () => {
  it('ends the command quietly with its own exit code, not with an EPIPE stack trace', async () => {
    for (const args of [['--help'], ['--version']]) {
      const r = await runWithClosedStdout(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    // A usage error still says what is wrong (on stderr) and exits 2.
    const bad = await runWithClosedStdout(['no-such-command']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown command 'no-such-command'");
    expect(bad.stderr).not.toContain('EPIPE');
  });
});
