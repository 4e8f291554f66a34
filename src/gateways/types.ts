import type { GithubMarkdown } from "../core/github-markdown.js";
import type {
  CoreV1Event,
  Cluster,
  Machine,
  MachineDeployment,
  V1ConfigMap,
  V1Deployment,
  V1EndpointSlice,
  V1Ingress,
  V1Lease,
  V1LimitRange,
  V1Namespace,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V1ResourceQuota,
  V1Secret,
  V1ObjectMeta,
  V1Service,
} from "./kube-models.js";
// The gateway interfaces commands and domain code program against. Implementations live in
// src/gateways/kubernetes and src/gateways/github and are the only code that touches client-node or Octokit.

export type GatewayErrorKind =
  | "not-found"
  | "already-exists"
  | "conflict"
  | "invalid"
  | "forbidden"
  | "unauthorized"
  | "gone"
  | "unavailable"
  | "timeout"
  | "other";

/** An API answered with an error, or could not be reached. `message` is safe to show a user. */
export class GatewayError extends Error {
  /** Set on a refusal of a request made for someone (Kubernetes impersonation): whom, and what was refused. */
  actingFor?: { user: string; refused: "request" | "impersonation" };
  /** How long the server asked the client to wait before trying again (Retry-After on a 429 or 503). */
  retryAfterMs?: number;

  constructor(
    public readonly kind: GatewayErrorKind,
    message: string,
    public readonly status?: number,
    /** The API's own error body (metav1.Status, GitHub error JSON), for logs. */
    public readonly body?: unknown,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export function isGatewayError(err: unknown, kind?: GatewayErrorKind): err is GatewayError {
  return err instanceof GatewayError && (kind === undefined || err.kind === kind);
}

// ---------------------------------------------------------------- Kubernetes

/**
 * Any Kubernetes object, as the untyped calls return it: metadata typed (every object has it), every other field
 * `unknown` until the code reading it checks it. The typed kinds (`cluster.deployments`, …) return client-node's
 * models instead (./kube-models.ts).
 */
export interface KObject extends KubeObject {
  [key: string]: unknown;
}

/**
 * What every Kubernetes object has. The port writes a KObject or any such object (a typed model, whose interfaces
 * carry no index signature).
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
}

/** One API resource as discovery describes it. */
export interface ApiResource {
  group: string; // "" for core
  version: string;
  /** "v1" or "apps/v1". */
  groupVersion: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
  /** Discovery categories, e.g. "all" for pods, services, deployments and replicasets. */
  categories: string[];
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the gateway follows `continue` until done unless `maxItems` is reached. */
  limit?: number;
  /** Stop paging once this many items are in (the result may hold up to a page more). */
  maxItems?: number;
}

export interface TableColumn {
  name: string;
  type: string;
  format?: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  /** PartialObjectMetadata (or the full object when asked). */
  object?: KObject;
}

export interface KubeTable {
  columns: TableColumn[];
  rows: TableRow[];
  /** false when the server offered no Table and the gateway synthesized NAME/AGE. */
  serverTable: boolean;
}

export interface TableOptions extends ListOptions {
  name?: string;
}

/** One page of a Table list: `limit` rows from where `continue` left off. */
export interface TablePageOptions extends Omit<ListOptions, "limit" | "maxItems"> {
  limit: number;
  continue?: string;
}

export interface KubeTablePage extends KubeTable {
  /** The token for the next page; undefined on the last one. */
  continue?: string;
  /** Rows after this page, when the server counts them (it does not for selective lists). */
  remainingItemCount?: number;
}

/** One page of a plain list (kubectl's chunking for -o yaml/json), with the same paging fields as a Table page. */
export interface KubeListPage {
  items: KObject[];
  /** The token for the next page; undefined on the last one. */
  continue?: string;
  /** Items after this page, when the server counts them (it does not for selective lists). */
  remainingItemCount?: number;
}

export type PatchType = "json" | "merge" | "strategic";

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KObject;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

export interface WatchHandle {
  stop(): void;
}

/** How the port retries transient failures (5xx, 429, connection resets) of one call; see kubernetes/retry-policy.ts. */
export interface RetryPolicy {
  /** Tries in all, the first included; 1 turns retries off. */
  attempts: number;
  /** First back-off delay; doubles each try, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails, saying what the server asked. */
  maxRetryAfterMs: number;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Never give up (background watches that must outlast an outage): back off up to the cap and keep trying. */
  keepTrying?: boolean;
}

/** A change to an informer's store: one watch event, or a (re)list that replaced the store. */
export interface InformerChange<T extends KubeObject = KObject> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "RELISTED";
  object?: T;
}

export interface WaitForOptions {
  /** Give up after this long (on the gateway's clock): `waitFor` resolves undefined. */
  timeoutMs?: number;
  /** Aborting resolves `waitFor` with undefined. */
  signal?: AbortSignal;
}

/**
 * A local copy of the objects one list/watch selects, kept current the way client-go's reflector does: list, watch
 * from the list's resourceVersion, re-list on 410 Gone, back off with jitter (honouring Retry-After) on other
 * failures, and give up after repeated failure with a GatewayError that says why. Stop it when done.
 */
export interface Informer<T extends KubeObject = KObject> {
  readonly resource: ApiResource;
  /** Whether the first list has arrived (before that the store is empty, not "nothing exists"). */
  readonly synced: boolean;
  /** Set once the informer gave up; `waitFor` then rejects with it. */
  readonly failure?: GatewayError;
  /** The objects now in the store. */
  items(): T[];
  get(name: string, namespace?: string): T | undefined;
  /** Called after each change once synced; returns the unsubscribe function. */
  onChange(listener: (change: InformerChange<T>) => void): () => void;
  /**
   * Resolves with the predicate's first truthy answer (asked once synced and after every change), or undefined when
   * the time is up or the signal aborts; rejects with `failure` when the informer gives up.
   */
  waitFor<A>(predicate: (informer: Informer<T>) => A | undefined | null | false, opts?: WaitForOptions): Promise<A | undefined>;
  stop(): void;
}

export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  preconditions?: { resourceVersion?: string; uid?: string };
}

export interface ScaleInfo {
  replicas: number;
  statusReplicas: number;
  resourceVersion: string;
}

export interface LogOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  /** The server answers with the object as it would be after the apply and stores nothing (dryRun=All). */
  dryRun?: boolean;
}

/**
 * One kind Tugboat works with, its objects typed with client-node's models (src/gateways/kube-models.ts). The
 * resource is resolved through discovery of every served version, once per discovery (a miss reads discovery again,
 * as a CRD may have been installed since); a cluster that serves none answers GatewayError "not-found".
 */
export interface KindClient<T extends KubeObject> {
  /** The discovered resource (group, the version Tugboat's model describes, plural, scope). */
  resource(): Promise<ApiResource>;
  /** Whether the cluster serves this kind at all (Cluster API is optional). */
  served(): Promise<boolean>;
  get(name: string, namespace?: string): Promise<T>;
  /** undefined for 404 instead of throwing. */
  find(name: string, namespace?: string): Promise<T | undefined>;
  list(opts?: ListOptions): Promise<{ items: T[]; resourceVersion: string }>;
  create(obj: T): Promise<T>;
  /** A replace carrying the object's resourceVersion: a stale one is a GatewayError "conflict". */
  replace(obj: T): Promise<T>;
  /** Server-side apply of (part of) the object. */
  apply(obj: T, opts: ApplyOptions): Promise<T>;
  patch(name: string, namespace: string | undefined, patch: unknown, type: PatchType, opts?: { dryRun?: boolean }): Promise<T>;
  delete(name: string, namespace?: string, opts?: DeleteOptions): Promise<void>;
  /** A typed informer (see Informer): every wait for this kind's state goes through one. */
  informer(opts?: InformerOptions): Promise<Informer<T>>;
}

/** A kind with a scale subresource. */
export interface ScalableKindClient<T extends KubeObject> extends KindClient<T> {
  getScale(name: string, namespace?: string): Promise<ScaleInfo>;
  /** Replaces the scale with a resourceVersion precondition; a stale one is a GatewayError "conflict". */
  setScale(name: string, namespace: string | undefined, replicas: number, resourceVersion: string): Promise<ScaleInfo>;
}

/** The kinds Tugboat works with and the model of each (client-node's, or Cluster API's from ./kube-models.ts). */
export interface KindModels {
  deployments: V1Deployment;
  replicaSets: V1ReplicaSet;
  pods: V1Pod;
  services: V1Service;
  configMaps: V1ConfigMap;
  secrets: V1Secret;
  ingresses: V1Ingress;
  namespaces: V1Namespace;
  nodes: V1Node;
  leases: V1Lease;
  /** core/v1 Events. */
  events: CoreV1Event;
  resourceQuotas: V1ResourceQuota;
  limitRanges: V1LimitRange;
  endpointSlices: V1EndpointSlice;
  /** Cluster API (cluster.x-k8s.io): on the workload cluster itself or a management cluster. */
  capiClusters: Cluster;
  machineDeployments: MachineDeployment;
  machines: Machine;
}

export type KindName = keyof KindModels;

/** Every well-known kind's client; `clients[kind]` is a KindClient of that kind's model for a generic `kind`. */
export type KindClients = { readonly [K in KindName]: KindClient<KindModels[K]> };

/** The kinds Tugboat's domain code works with, typed (see src/gateways/kube-models.ts for the how-to). */
export interface WellKnownKinds extends KindClients {
  readonly deployments: ScalableKindClient<V1Deployment>;
  readonly replicaSets: ScalableKindClient<V1ReplicaSet>;
  readonly machineDeployments: ScalableKindClient<MachineDeployment>;
}

/** The untyped part of a cluster: any discovered resource, objects as KObject (/kube's any-type paths, CRDs). */
export type UntypedKubeCluster = Omit<KubeCluster, keyof WellKnownKinds>;

/** One cluster, reached through a kubeconfig context (or in-cluster config). */
export interface KubeCluster extends WellKnownKinds {
  readonly name: string;
  /** Cached API discovery. `refresh` forces a new read. */
  discover(refresh?: boolean): Promise<ApiResource[]>;
  /** Resolves a type name as kubectl does (plural, singular, short name, Kind, type.group); refreshes discovery on a miss. */
  resolve(typeName: string): Promise<ApiResource | undefined>;
  get(res: ApiResource, name: string, namespace?: string): Promise<KObject>;
  /** Returns undefined for 404 instead of throwing. */
  find(res: ApiResource, name: string, namespace?: string): Promise<KObject | undefined>;
  list(res: ApiResource, opts?: ListOptions): Promise<{ items: KObject[]; resourceVersion: string }>;
  table(res: ApiResource, opts?: TableOptions): Promise<KubeTable>;
  /** One page of the Table list (kubectl's chunking), for callers that stop early or stream. */
  tablePage(res: ApiResource, opts: TablePageOptions): Promise<KubeTablePage>;
  /** One page of the list, objects whole (apiVersion and kind filled in), for callers that stream. */
  listPage(res: ApiResource, opts: TablePageOptions): Promise<KubeListPage>;
  create(res: ApiResource, obj: KObject | KubeObject): Promise<KObject>;
  replace(res: ApiResource, obj: KObject | KubeObject): Promise<KObject>;
  /** Server-side apply; with `dryRun` the server returns the object as it would be after the apply and stores nothing. */
  apply(res: ApiResource, obj: KObject | KubeObject, opts: ApplyOptions): Promise<KObject>;
  /** `dryRun`: the server validates and answers with the would-be object but stores nothing (dryRun=All). */
  patch(res: ApiResource, name: string, namespace: string | undefined, patch: unknown, type: PatchType, opts?: { dryRun?: boolean }): Promise<KObject>;
  /** With `preconditions`, a 409 "conflict" when the object is no longer that version (or uid). */
  delete(res: ApiResource, name: string, namespace?: string, opts?: DeleteOptions): Promise<void>;
  /** Starts an informer (list + watch, see Informer); every wait for cluster state goes through one. */
  informer(res: ApiResource, opts?: InformerOptions): Informer;
  /** The same cluster whose calls retry transient failures with this policy (attempts: 1 for none). */
  withRetry(policy: Partial<RetryPolicy>): KubeCluster;
  /**
   * Runs a read-modify-write `step` (read the object, change it, write it with its resourceVersion), running it
   * again from the read when the write answers 409 Conflict, with back-off, up to the policy's attempts.
   */
  retryOnConflict<T>(step: () => Promise<T>, policy?: Partial<RetryPolicy>): Promise<T>;
  logs(namespace: string, pod: string, opts?: LogOptions): Promise<string>;
  getScale(res: ApiResource, name: string, namespace?: string): Promise<ScaleInfo>;
  /** Replaces the scale with a resourceVersion precondition; a stale one is a GatewayError "conflict". */
  setScale(res: ApiResource, name: string, namespace: string | undefined, replicas: number, resourceVersion: string): Promise<ScaleInfo>;
  /** Counts requests sent, for benchmarks and tests. */
  readonly requestCount: number;
}

/** Whom a request is made for on clusters with `impersonate: true` (Kubernetes user and groups). */
export interface KubeActor {
  user: string;
  groups: string[];
}

/** Which requests carry the actor: every request, or only writes (reads stay Tugboat's own). */
export type ActingScope = "all" | "writes";

export interface KubeGateway {
  clusterNames(): string[];
  /** Throws GatewayError("not-found") for an unknown cluster name. */
  cluster(name: string): KubeCluster;
  /**
   * The same clusters, where those configured with `impersonate` send `scope`'s requests as `actor`
   * (Impersonate-User / Impersonate-Group). A refusal is a GatewayError "forbidden" with `actingFor` set.
   */
  actingFor(actor: KubeActor, scope: ActingScope): KubeGateway;
}

// ---------------------------------------------------------------- GitHub

export interface PullRequest {
  number: number;
  title: string;
  author: string;
  /** Its labels' names (as GitHub lists them with the PR). */
  labels?: string[];
  draft?: boolean;
  state: "open" | "closed";
  merged: boolean;
  headSha: string;
  headRef: string;
  /** The repository ("owner/name") holding the head branch: a fork's for a PR from a fork (unknown: a deleted fork). */
  headRepo?: string;
  baseRef: string;
  url: string;
  /** Who merged it, as GitHub records it (only a single pull's read carries it). */
  mergedBy?: string;
}

export interface CommitInfo {
  sha: string;
  message: string;
  url: string;
  /** The GitHub login of its author (for a merge commit, who merged), when GitHub knows the account. */
  author?: string;
}

/**
 * Two commits compared (GitHub's compare): the commits on head and not on base, oldest first; beyond 100 of them, the
 * oldest 100 and the newest up to 100 (aheadBy counts them all).
 */
export interface CommitComparison {
  status: "ahead" | "behind" | "diverged" | "identical";
  aheadBy: number;
  behindBy: number;
  commits: Array<{ sha: string; message: string; author?: string; date?: string }>;
  /** The compare page on github.com. */
  url: string;
}

/** A GitHub deployment with its statuses, newest first (for figures over a deploy history). */
export interface DeploymentHistoryEntry {
  id: number;
  sha: string;
  environment: string;
  createdAt: string;
  statuses: Array<{ state: string; createdAt: string }>;
  /** Made by /deploy rollback (its payload says `rollback: true`): it undid the deploy before it. */
  rollback: boolean;
}

export type GateState = "success" | "pending" | "failure" | "missing";

export interface GateResult {
  context: string;
  state: GateState;
  description?: string;
  url?: string;
  /** Reports for this context that were not counted because their reporter is not trusted (newest first). */
  ignored?: ContextReport[];
}

/** Who made a commit status (a user, or a GitHub App's bot account) or a check run (a GitHub App), as GitHub records it. */
export type Reporter = { kind: "user"; login: string; bot: boolean } | { kind: "app"; slug: string; id: number };

/** One commit status or check run reported for a context at a commit. */
export interface ContextReport {
  context: string;
  state: "success" | "pending" | "failure";
  description?: string;
  url?: string;
  /** Undefined when GitHub names nobody (a deleted account). */
  by?: Reporter;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  creator: string;
  createdAt: string;
  payload: Record<string, unknown>;
  description?: string;
  /** Latest status, if any. */
  state?: string;
  statusAt?: string;
  environmentUrl?: string;
  logUrl?: string;
}

export interface CreateDeploymentInput {
  ref: string;
  environment: string;
  description?: string;
  payload: Record<string, unknown>;
  transientEnvironment?: boolean;
  productionEnvironment?: boolean;
}

export interface DeploymentStatusInput {
  state: "error" | "failure" | "inactive" | "in_progress" | "queued" | "pending" | "success";
  description?: string;
  environmentUrl?: string;
  logUrl?: string;
  autoInactive?: boolean;
}

export interface RepoEntry {
  name: string;
  path: string;
  type: "file" | "dir" | "symlink" | "submodule";
  /** Bytes, as GitHub lists it (0 for a folder). */
  size: number;
}

/** Repositories are named "owner/name". */
export interface GithubGateway {
  getPull(repo: string, number: number): Promise<PullRequest>;
  /** The open (or most recent) PR whose head is this branch, if any. */
  findPullForBranch(repo: string, branch: string): Promise<PullRequest | undefined>;
  /** The PRs GitHub associates with a commit: open and merged ones, or (on the default branch) the merged one. */
  listPullsForCommit(repo: string, sha: string): Promise<PullRequest[]>;
  /** Is the commit reachable from the repository's default branch? Names the branch it checked. */
  isOnDefaultBranch(repo: string, sha: string): Promise<{ onDefault: boolean; defaultBranch: string }>;
  /** Branch name, tag or (short) sha → the full commit. GatewayError "not-found" when unknown. */
  getCommit(repo: string, ref: string): Promise<CommitInfo>;
  /**
   * Every commit status and check run at sha for these contexts, each with who made it (statuses newest first, then
   * check runs newest first). Who may vouch for an image is decided in domain/image-gate.ts.
   */
  listContextReports(repo: string, sha: string, contexts: string[]): Promise<ContextReport[]>;
  createDeployment(repo: string, input: CreateDeploymentInput): Promise<DeploymentRecord>;
  createDeploymentStatus(repo: string, deploymentId: number, input: DeploymentStatusInput): Promise<void>;
  listDeployments(repo: string, opts?: { environment?: string; limit?: number }): Promise<DeploymentRecord[]>;
  /** Deployments created since `since` (paged, at most `limit`), each with its statuses; newest first. */
  listDeploymentHistory(repo: string, opts: { environment?: string; since: Date; limit: number }): Promise<DeploymentHistoryEntry[]>;
  /** GitHub's compare of base...head. GatewayError "not-found" when either is unknown. */
  compareCommits(repo: string, base: string, head: string): Promise<CommitComparison>;
  /** The body is markdown built with md`` (src/core/github-markdown.ts), so text from outside cannot mention or link. */
  createComment(repo: string, issueNumber: number, body: GithubMarkdown): Promise<{ id: number }>;
  /** Replaces the body of a comment Tugboat wrote (so one comment tells a PR the latest); "not-found" once it is deleted. */
  updateComment(repo: string, commentId: number, body: GithubMarkdown): Promise<void>;
  /** Directory listing at ref; undefined when the directory does not exist. */
  listDirectory(repo: string, path: string, ref: string): Promise<RepoEntry[] | undefined>;
  readFile(repo: string, path: string, ref: string): Promise<string>;
  /** One read of the repository, not retried: a startup check that GitHub answers and knows Tugboat's credentials. */
  checkReachable(repo: string): Promise<void>;
  // Writes a person makes on github.com, for the sandbox's /github commands (permission github:write). GitHub
  // attributes them to Tugboat's token, which needs Contents and Pull requests: write for them.
  getDefaultBranch(repo: string): Promise<string>;
  /** Creates or replaces a file on an existing branch: one commit, whose sha is returned. */
  writeFile(repo: string, input: WriteFileInput): Promise<{ commitSha: string }>;
  /** A new branch at a commit; GatewayError "invalid" when it exists. */
  createBranch(repo: string, branch: string, sha: string): Promise<void>;
  openPull(repo: string, input: { head: string; base: string; title: string; body?: string }): Promise<PullRequest>;
  /** Closes or reopens a PR. */
  setPullState(repo: string, number: number, state: "open" | "closed"): Promise<PullRequest>;
  /** Merges a PR (only if its head is still `sha`, when given); GatewayError "conflict" or "invalid" when GitHub refuses. */
  mergePull(repo: string, number: number, input?: { method?: "merge" | "squash" | "rebase"; sha?: string }): Promise<{ sha: string }>;
  /** The PR's labels afterwards. */
  addLabels(repo: string, number: number, labels: string[]): Promise<string[]>;
  removeLabel(repo: string, number: number, label: string): Promise<string[]>;
  setCommitStatus(repo: string, sha: string, input: { context: string; state: "error" | "failure" | "pending" | "success"; description?: string; targetUrl?: string }): Promise<void>;
  readonly requestCount: number;
}

export interface WriteFileInput {
  branch: string;
  path: string;
  content: string;
  message: string;
}
