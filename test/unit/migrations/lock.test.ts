import { describeMigrationLock } from './lock-contract.js';
import { createMemoryLock } from './fakes.js';

describeMigrationLock('memory', async () => {
  const lock = createMemoryLock();
  return (waitMs) => lock.handle(waitMs);
});
