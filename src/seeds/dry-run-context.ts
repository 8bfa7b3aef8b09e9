import type { CrateClient } from '../client/types.js';
import type { MigrationContext } from '../context.js';
import { UsageError } from '../errors.js';

const READ = /^(?:select|with|show|explain|values)\b/i;

/**
 * The context a code seed's `rows(ctx)` gets in a dry run: reads go through, anything else is refused,
 * because a dry run writes nothing.
 */
export function readOnlyContext(ctx: MigrationContext): MigrationContext {
  const refuse = (stmt: string) =>
    new UsageError(`dry run: a code seed may only read, refused: ${stripLeadingComments(stmt).slice(0, 80)}`);
  const guard = (stmt: string) => {
    if (!READ.test(stripLeadingComments(stmt))) throw refuse(stmt);
  };
  // `ctx.client` is guarded too: a seed reaching for it must not write behind the dry run's back.
  const client: CrateClient = {
    async sql(stmt, args, options) {
      guard(stmt);
      return ctx.client.sql(stmt, args, options);
    },
    async bulk(stmt) {
      throw refuse(stmt);
    },
    async refresh() {},
    ping: (options) => ctx.client.ping(options),
    async close() {},
  };
  return {
    ...ctx,
    client,
    async sql(stmt, args) {
      guard(stmt);
      return ctx.sql(stmt, args);
    },
    async bulk(stmt) {
      throw refuse(stmt);
    },
    async refresh() {},
    async rebuildTable() {
      throw new UsageError('dry run: a code seed may only read, refused: ctx.rebuildTable');
    },
    async revertRebuild() {
      throw new UsageError('dry run: a code seed may only read, refused: ctx.revertRebuild');
    },
  };
}

function stripLeadingComments(stmt: string): string {
  return stmt.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '');
}
