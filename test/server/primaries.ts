/**
 * Which copy of each shard is the primary, and its primary term. A shard starts with its primary on
 * node (k mod N) (cluster.ts) and term 1. When the node holding it stops and another copy is live,
 * that copy is promoted and the term goes up by one; the primary then stays there when the node comes
 * back, as in CrateDB (the returning copy recovers as a replica). The engine stamps the terms on the
 * shard's rows (`applyPrimaryTerms`), so `_primary_term` reads the new term and a compare-and-set with
 * the old one matches nothing.
 */
import { allocatedReplicas, shardCopies } from './cluster.js';

/** A table as placement needs it (the engine's table definitions have these fields). */
export interface PlacedTable {
  /** The engine's stable id: a table dropped and created again under the same name starts afresh. */
  id?: number;
  schema: string;
  name: string;
  numberOfShards: number;
  numberOfReplicas: string;
}

interface ShardState {
  primary: number;
  term: number;
}

export class Primaries {
  readonly #shards = new Map<string, ShardState>();

  constructor(private readonly nodeCount: number) {}

  /**
   * After node `stopped` went down: the shard's primary moves to its first live copy if it was on
   * `stopped` (term + 1). Returns the shard's term. Idempotent for one stop.
   */
  afterStop(t: PlacedTable, shard: number, stopped: number, alive: (node: number) => boolean): number {
    const copies = this.#copies(t, shard);
    const key = keyOf(t, shard);
    let state = this.#shards.get(key);
    if (state === undefined) {
      // First seen at this stop: its primary is where it was just before, the first copy then alive.
      state = { primary: copies.find((node) => node === stopped || alive(node)) ?? copies[0]!, term: 1 };
      this.#shards.set(key, state);
    }
    if (state.primary === stopped) {
      const promoted = copies.find(alive);
      if (promoted !== undefined) state = { primary: promoted, term: state.term + 1 };
      this.#shards.set(key, state);
    }
    return state.term;
  }

  /** The node that holds the shard's primary now, when a copy of it is live. */
  primaryOf(t: PlacedTable, shard: number, alive: (node: number) => boolean): number | undefined {
    const state = this.#shards.get(keyOf(t, shard));
    if (state !== undefined && alive(state.primary)) return state.primary;
    return this.#copies(t, shard).find(alive);
  }

  /** Forgets every promotion (the server's reset drops every table). */
  clear(): void {
    this.#shards.clear();
  }

  #copies(t: PlacedTable, shard: number): number[] {
    return shardCopies(shard, allocatedReplicas(t.numberOfReplicas, this.nodeCount), this.nodeCount);
  }
}

function keyOf(t: PlacedTable, shard: number): string {
  return `${t.id ?? `${t.schema}.${t.name}`}/${shard}`;
}
