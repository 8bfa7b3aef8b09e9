/**
 * KILL ALL / KILL 'job id' (KillPlan): kills running jobs and answers how many it killed. Over HTTP the only
 * job that outlives its request here is a bulk request that failed after it started (CrateDB leaves it in
 * sys.jobs, as recorded), so that is what KILL can reach. A user other than a superuser kills their own only.
 */
import { sqlParse } from './errors.js';
import type { Ctx } from './parse.js';
import type { Prepared } from './run.js';
import type { Env } from './scope.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function prepareKill(node: Ctx, env: Env): Prepared {
  const target: Ctx | null = node.jobId ?? node.parameterOrString?.() ?? null;
  const text: string | undefined = target?.getText();
  const param = text !== undefined && /^(\?|\$\d+)$/.test(text);
  return {
    returnsRows: false,
    maxParam: param ? 1 : 0,
    async run(ctx, args) {
      const { state } = ctx;
      let id: string | undefined;
      if (text !== undefined) {
        const value = param ? args[0] : text.slice(1, -1).replace(/''/g, "'");
        if (typeof value !== 'string' || !UUID.test(value)) throw sqlParse(`Can not parse job ID: ${param ? '$1' : text}`);
        id = value.toLowerCase();
      }
      const mine = (job: { username: string }) => env.user.superuser || job.username === env.user.name;
      const killed = state.leakedJobs.filter((job) => mine(job) && (id === undefined || job.id === id));
      for (const job of killed) state.leakedJobs.splice(state.leakedJobs.indexOf(job), 1);
      return { kind: 'count', rowcount: killed.length };
    },
  };
}
