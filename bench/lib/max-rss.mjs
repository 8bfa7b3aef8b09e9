// Preloaded with --import into a measured process: prints its peak RSS (bytes) on exit, for bench/groups/rss.ts.
// Linux: VmHWM of /proc/self/status, the high-water mark of this process's own memory. getrusage's maxRSS is
// not used there: Linux carries it over exec from the forked parent, so it reports the bench process's size.
import { readFileSync } from 'node:fs';

function peakRss() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Number(kb[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

process.on('exit', () => process.stderr.write(`\nmax-rss ${peakRss()}\n`));
