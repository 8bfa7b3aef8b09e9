import { createMemoryHistory } from './fakes.js';
import { describeHistoryStore } from './history-contract.js';

describeHistoryStore('memory', async () => createMemoryHistory());
