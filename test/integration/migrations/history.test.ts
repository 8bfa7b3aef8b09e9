import { afterAll, beforeAll } from 'vitest';
import { createCrateHistory } from '../../../src/migrations/history.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { describeHistoryStore } from '../../unit/migrations/history-contract.js';
import { createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
let n = 0;
beforeAll(async () => {
  crate = await startCrate();
  project = await createProject(crate);
});
afterAll(async () => {
  await project?.close();
  await crate?.close();
});

// Each store gets a table of its own, in a schema that close() drops.
describeHistoryStore('CrateDB', async () => createCrateHistory(project.client, { schema: `${project.schema}_migrate`, table: `history_${++n}` }));
