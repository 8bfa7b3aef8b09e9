/**
 * The CrateDB test server: N nodes on N loopback ports sharing one SQL engine (engine/, PGlite with
 * CrateDB's dialect around it), with faults a test can set. The integration suite reaches it through
 * test/support/crate.ts; `npm run test-server` runs it on its own (main.ts).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { realClock } from './clock.js';
import { sysView } from './cluster.js';
import type { Clock, CrateVersion, Engine } from './contract.js';
import { CRATE_PRIMARY_WAIT_MS, DEFAULT_RECOVERING_MS, Faults } from './faults.js';
import { createNodeHandler, type RequestRecord } from './http.js';
import type { ClusterView } from './lost-shards.js';
import { Primaries, type PlacedTable } from './primaries.js';

export type { CrateVersion } from './contract.js';
export type { RequestRecord } from './http.js';
export { ManualClock, realClock } from './clock.js';
export { DEFAULT_RECOVERING_MS, Faults, type CrateErrorAnswer, type FaultTarget, type StatementMatch } from './faults.js';

const HOST = '127.0.0.1';

export interface TestServerOptions {
  /** CrateDB version to impersonate. @default '6.4' */
  version?: CrateVersion;
  /** Number of nodes, each on its own port. @default 1 */
  nodes?: number;
  /** Port of the first node; node i listens on port + i. @default 0 (a free port per node) */
  port?: number;
  /** Users besides the trusted `crate`, name to password. */
  users?: Record<string, string>;
  /** Bearer tokens accepted, token to user name. */
  tokens?: Record<string, string>;
  /** `GET /` name of the first node (others get `-2`, `-3`...). @default 'n1' */
  name?: string;
  /** `GET /` cluster_name. @default 'crate-test' */
  clusterName?: string;
  /** Clock given to the engine the server creates (a shared `engine` keeps its own). @default realClock */
  clock?: Clock;
  /** An engine to share (the conformance replay keeps one per version); it is not closed by `close()`. */
  engine?: Engine;
  /** How long a write to a shard with no live copy (or a RECOVERING one) blocks before 5002. @default 60000, CrateDB's 1 minute */
  primaryWaitMs?: number;
  /** How long a table created by `CREATE TABLE` stays RECOVERING (`faults.recoveringMs`); 0 turns it off. @default 20 */
  recoveringMs?: number;
  /** Bounds `requests` for a long-running server (past twice this, the oldest go). @default Infinity */
  requestLogLimit?: number;
}

/** One node: its own port and listener, sharing the cluster's engine. */
export interface TestNode {
  readonly index: number;
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** Kills the node: closes its listener and connections (connection refused) and loses its shards;
   * a live replica of a primary it held is promoted (higher `_primary_term`). */
  stop(): Promise<void>;
  /** Starts it again on the same port; its shards are live again. */
  start(): Promise<void>;
}

export interface TestServer {
  /** The first node's base URL. */
  readonly url: string;
  /** Every node's base URL. */
  readonly urls: string[];
  readonly version: CrateVersion;
  readonly nodes: readonly TestNode[];
  readonly faults: Faults;
  readonly clock: Clock;
  readonly engine: Engine;
  /** The `/_sql` requests with a valid body, in arrival order (see `requestLogLimit`); cleared by `reset()`. */
  readonly requests: readonly RequestRecord[];
  /** Back to a fresh server: no faults, every node running, new sessions on every connection, no user
   * tables, views or SQL-created users (engine.reset()). Open connections stay usable. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

class Node implements TestNode {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  #port: number;

  constructor(
    readonly index: number,
    readonly name: string,
    port: number,
    private readonly handler: Parameters<typeof createServer>[1],
    private readonly onChange: (node: Node) => void | Promise<void>,
  ) {
    this.#port = port;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://${HOST}:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer({ keepAlive: true }, this.handler);
    // CrateDB keeps idle keep-alive connections open (and sends no Keep-Alive hint): 0 disables Node's
    // 5 s idle timeout, so a client's pooled connection, and the session on it, lives as long as it wants.
    server.keepAliveTimeout = 0;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
    await this.onChange(this);
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
    // Two turns of the event loop: an in-process client sees its pooled sockets close before the
    // caller's next request, so that request is refused (ECONNREFUSED) instead of hitting a dead socket.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await this.onChange(this);
  }
}

/** Starts the nodes and, unless one is given, an engine. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const version = options.version ?? '6.4';
  const count = options.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`nodes must be an integer >= 1, got ${count}`);
  const clock = options.clock ?? realClock;
  const ownEngine = options.engine === undefined;
  // Loaded on demand: a caller that brings its own engine does not pay for PGlite's module load.
  const engine =
    options.engine ?? (await (await import('./engine/index.js')).createEngine({ version, clock, users: options.users }));
  if (engine.version !== version) throw new Error(`the shared engine is ${engine.version}, the server was asked for ${version}`);
  const faults = new Faults(options.primaryWaitMs ?? CRATE_PRIMARY_WAIT_MS, options.recoveringMs ?? DEFAULT_RECOVERING_MS);
  const primaries = new Primaries(count);
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const requests: RequestRecord[] = [];
  const baseName = options.name ?? 'n1';
  const clusterName = options.clusterName ?? 'crate-test';

  let closed = false;
  let epoch = 0;
  const waiters = new Set<() => void>();
  const notify = () => [...waiters].forEach((wake) => wake());
  const nodes: Node[] = [];
  const alive = (i: number) => nodes[i]?.running ?? false;
  // `applyPrimaryTerms` is the engine's own (not in the contract): an engine without it keeps term 1.
  const termEngine = engine as Engine & {
    applyPrimaryTerms?: (termOf: (t: PlacedTable, shard: number) => number) => Promise<void>;
  };
  const onChange = async (node: Node) => {
    notify();
    if (!node.running && !closed) await termEngine.applyPrimaryTerms?.((t, shard) => primaries.afterStop(t, shard, node.index, alive));
  };
  const cluster: ClusterView = {
    size: count,
    alive,
    waitForAny: (wanted, ms) =>
      new Promise<boolean>((resolve) => {
        const done = (result: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(result);
        };
        const check = () => {
          if (closed) done(false);
          else if (wanted.some((i) => nodes[i]?.running)) done(true);
        };
        const timer = setTimeout(() => done(false), ms);
        waiters.add(check);
        check();
      }),
  };

  for (let i = 0; i < count; i++) {
    const name = i === 0 ? baseName : `${baseName}-${i + 1}`;
    const handler = createNodeHandler({
      index: i,
      name,
      clusterName,
      version,
      engine,
      faults,
      tokens,
      cluster,
      requests,
      requestLogLimit: options.requestLogLimit ?? Number.POSITIVE_INFINITY,
      sessionEpoch: () => epoch,
    });
    nodes.push(new Node(i, name, options.port ? options.port + i : 0, handler, onChange));
  }
  try {
    for (const node of nodes) await node.start();
    // sys.nodes / sys.health / sys.shards follow the live nodes. `setCluster` is the engine's own
    // (not in the contract): an engine without it keeps reporting one healthy node.
    const nodeId = (name: string) => createHash('sha256').update(`${clusterName}/${name}`).digest('base64url').slice(0, 22);
    const view = sysView(
      nodeId(''),
      clusterName,
      nodes.map((node) => ({ id: nodeId(node.name), name: node.name, restUrl: `${HOST}:${node.port}` })),
      alive,
      { primaryOf: (t, shard) => primaries.primaryOf(t, shard, alive), isRecovering: (t) => faults.recovering.isRecovering(t) },
    );
    (engine as Engine & { setCluster?: (cluster: typeof view) => void }).setCluster?.(view);
  } catch (err) {
    closed = true;
    await Promise.all(nodes.map((node) => node.stop()));
    if (ownEngine) await engine.close();
    throw err;
  }

  return {
    get url() {
      return nodes[0]!.url;
    },
    get urls() {
      return nodes.map((node) => node.url);
    },
    version,
    nodes,
    faults,
    clock,
    engine,
    requests,
    async reset() {
      faults.clear();
      // Sessions end, connections stay: a client's pooled sockets keep working, as with a server whose
      // connections happen to be new.
      epoch += 1;
      for (const node of nodes) await node.start();
      requests.length = 0;
      await engine.reset();
      primaries.clear();
    },
    async close() {
      closed = true;
      notify();
      faults.recovering.end();
      await Promise.all(nodes.map((node) => node.stop()));
      if (ownEngine) await engine.close();
    },
  };
}
