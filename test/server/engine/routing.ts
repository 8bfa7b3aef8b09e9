/** Stable shard of a routing value (FNV-1a over its UTF-8 bytes): the same key always lands on the same shard.
 * CrateDB hashes with Murmur3; any stable hash gives the behaviour tests rely on (a key's shard is fixed). */
export function shardOf(routingKey: string, numberOfShards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(routingKey, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, numberOfShards);
}
