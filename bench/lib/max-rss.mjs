// Preloaded with --import into a measured process: prints its peak RSS (bytes) on exit, for bench/groups/rss.ts.
process.on('exit', () => process.stderr.write(`\nmax-rss ${process.resourceUsage().maxRSS * 1024}\n`));
