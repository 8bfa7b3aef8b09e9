/**
 * CrateDB's shard routing: Murmur3 (x86, 32 bit, seed 0) over the routing value's UTF-16LE code units,
 * then `floorMod(hash, routingShards) / routingFactor`, where a table has `shards * 2^k` routing shards
 * (the largest such number up to 1024, at least one split), as Elasticsearch 7 computes it. With it
 * sys.shards counts the same documents per shard as CrateDB.
 */
import { murmur3 } from './murmur3.js';
import { SYSTEM_SCHEMA } from './storage.js';

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

/**
 * The same routing in PL/pgSQL, for a query that groups rows by shard (knn_match's k per shard):
 * `shard_of(routing value as text, shards)`. Products are split into 16-bit halves so that the 32-bit
 * arithmetic fits a bigint.
 */
export const ROUTING_FUNCTIONS_SQL = `CREATE FUNCTION ${SYSTEM_SCHEMA}.mul32(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT (a * (b & 65535) + (((a * (b >> 16)) & 65535) << 16)) & 4294967295
$$;
CREATE FUNCTION ${SYSTEM_SCHEMA}.rotl32(x bigint, r int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT ((x << r) | (x >> (32 - r))) & 4294967295
$$;
CREATE FUNCTION ${SYSTEM_SCHEMA}.shard_of(key text, shards int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  b int[] := '{}'; cp int; u int; h bigint := 0; k bigint; n int; i int; total bigint; bits int; s int := greatest(1, shards);
BEGIN
  FOR i IN 1..char_length(key) LOOP
    cp := ascii(substr(key, i, 1));
    IF cp > 65535 THEN
      u := 55296 + ((cp - 65536) >> 10);
      b := b || (u & 255) || (u >> 8);
      cp := 56320 + ((cp - 65536) & 1023);
    END IF;
    b := b || (cp & 255) || (cp >> 8);
  END LOOP;
  n := coalesce(array_length(b, 1), 0);
  i := 1;
  WHILE i + 3 <= n LOOP
    k := b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3]::bigint << 24);
    k := ${SYSTEM_SCHEMA}.mul32(${SYSTEM_SCHEMA}.rotl32(${SYSTEM_SCHEMA}.mul32(k, 3432918353), 15), 461845907);
    h := ${SYSTEM_SCHEMA}.rotl32(h # k, 13);
    h := (${SYSTEM_SCHEMA}.mul32(h, 5) + 3864292196) & 4294967295;
    i := i + 4;
  END LOOP;
  k := 0;
  IF n - i + 1 = 3 THEN k := k # (b[i + 2] << 16); END IF;
  IF n - i + 1 >= 2 THEN k := k # (b[i + 1] << 8); END IF;
  IF n - i + 1 >= 1 THEN
    k := k # b[i];
    h := h # ${SYSTEM_SCHEMA}.mul32(${SYSTEM_SCHEMA}.rotl32(${SYSTEM_SCHEMA}.mul32(k, 3432918353), 15), 461845907);
  END IF;
  h := h # n;
  h := h # (h >> 16);
  h := ${SYSTEM_SCHEMA}.mul32(h, 2246822507);
  h := h # (h >> 13);
  h := ${SYSTEM_SCHEMA}.mul32(h, 3266489909);
  h := h # (h >> 16);
  IF h >= 2147483648 THEN h := h - 4294967296; END IF;
  bits := CASE WHEN s <= 1 THEN 0 ELSE 32 - position('1' in (s - 1)::bit(32)::text) + 1 END;
  total := s * (2 ^ greatest(1, 10 - bits))::bigint;
  RETURN floor((((h % total) + total) % total) / (total / s));
END $$;`;
