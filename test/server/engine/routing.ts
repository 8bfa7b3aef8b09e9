/**
 * CrateDB's shard routing: Murmur3 (x86, 32 bit, seed 0) over the routing value's UTF-16LE code units,
 * then `floorMod(hash, routingShards) / routingFactor`, where a table has `shards * 2^k` routing shards
 * (the largest such number up to 1024, at least one split), as Elasticsearch 7 computes it. With it
 * sys.shards counts the same documents per shard as CrateDB.
 */
import { murmur3 } from './murmur3.js';

function routingShards(shards: number): number {
  const log2 = 32 - Math.clz32(shards - 1);
  return shards * 2 ** Math.max(1, 10 - log2);
}

/** The shard a routing value (the CLUSTERED BY value, else `_id`) lands on. */
export function shardOf(routingKey: string, numberOfShards: number): number {
  const shards = Math.max(1, numberOfShards);
  const units = new Uint8Array(routingKey.length * 2);
  for (let i = 0; i < routingKey.length; i++) {
    const c = routingKey.charCodeAt(i);
    units[i * 2] = c & 0xff;
    units[i * 2 + 1] = c >>> 8;
  }
  const total = routingShards(shards);
  const hash = murmur3(units);
  return Math.floor((((hash % total) + total) % total) / (total / shards));
}
