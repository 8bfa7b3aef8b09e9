import { createMemoryHistory } from '../../../src/migrations/history.js';
import { describeHistoryStore } from './history-contract.js';

describeHistoryStore('memory', async () => createMemoryHistory());
