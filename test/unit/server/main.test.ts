import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function freePorts(count: number): Promise<number> {
  // A free base port whose next count-1 ports are free too, on loopback.
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const servers = [];
    try {
      for (let i = 0; i < count; i++) {
        const s = createServer();
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(base + i, '127.0.0.1', () => resolve());
        });
        servers.push(s);
      }
      return base;
    } catch {
      // taken: try another base
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  }
  throw new Error('no free port range found');
}

describe('npm run test-server', () => {
  it('prints one listening line per node, serves, and exits 0 on SIGTERM', async () => {
    const port = await freePorts(2);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/server/main.ts', '--port', String(port), '--nodes', '2', '--crate-version', '5.10'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in 30 s; stderr: ${stderr}`)), 30_000);
        const check = () => {
          if (stdout.split('\n').filter((l) => l.startsWith('listening on')).length === 2) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        child.on('exit', () => reject(new Error(`exited early; stderr: ${stderr}`)));
      });
      expect(stdout).toBe(`listening on http://127.0.0.1:${port}\nlistening on http://127.0.0.1:${port + 1}\n`);
      const info = (await (await request(`http://127.0.0.1:${port + 1}/`)).body.json()) as { version: { number: string } };
      expect(info.version.number).toBe('5.10.16');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('refuses a --recovering-ms that is not an integer >= 0 with exit 2, naming the option', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/server/main.ts', '--recovering-ms', '1.5'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('--recovering-ms must be an integer >= 0 (0 turns the window off), got "1.5"');
  }, 60_000);
});
