/**
 * CrateDB's shard routing: Murmur3 (x86, 32 bit, seed 0) over the routing value's UTF-16LE code units,
 * then `floorMod(hash, routingShards) / routingFactor`, where a table has `shards * 2^k` routing shards
 * (the largest such number up to 1024, at least one split), as Elasticsearch 7 computes it. With it
 * sys.shards counts the same documents per shard as CrateDB.
 */

function murmur3(bytes: Uint8Array): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const n = bytes.length;
  const blocks = n & ~3;
  let h = 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, c2);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const rest = n & 3;
  if (rest === 3) k ^= bytes[blocks + 2]! << 16;
  if (rest >= 2) k ^= bytes[blocks + 1]! << 8;
  if (rest >= 1) {
    k ^= bytes[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, c2);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

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
