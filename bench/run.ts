/**
 * `npm run bench`: every benchmark in one process, each printing its figures and its ratio against a
 * baseline measured in the same run (machines are noisy: compare ratios, not absolute numbers).
 * `npm run bench -- server` runs one of them.
 */
const benches: Record<string, () => Promise<{ [name: string]: () => Promise<void> }>> = {
  server: async () => ({ server: (await import('./server.js')).benchServer }),
  migrate: async () => ({ migrate: (await import('./migrate.js')).benchMigrate }),
  seed: async () => ({ seed: (await import('./seed.js')).benchSeed }),
};

const wanted = process.argv.slice(2);
for (const [name, load] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  const run = (await load())[name]!;
  await run();
}
