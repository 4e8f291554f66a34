import type { CommandContext } from "../../core/command.js";
import { DeniedError, UserError } from "../../core/errors.js";
import { isGatewayError, type ApiResource, type KubeCluster } from "../../gateways/types.js";
import { explainGatewayError, withDeadline } from "./kube-errors.js";
import { chooseCluster, defaultNamespace, environmentNamespaces, type Target } from "../../domain/select-cluster.js";
import { didYouMean, nearest, suggestionOf } from "../../core/suggest.js";
import { isNamespaceType, withVisibleNamespaces, type NamespaceVisibility } from "./namespace-visibility.js";

// One /kube request against one cluster: picks the cluster, bounds every call by the configured timeout,
// turns gateway failures into one clear line, resolves type names, and checks the caller's scope.

export class KubeQuery {
  private constructor(
    private readonly ctx: CommandContext,
    readonly target: Target,
    readonly client: KubeCluster,
  ) {}

  static open(ctx: CommandContext, opts: { cluster?: string; namespace?: string }): KubeQuery {
    const { config, kube } = ctx.services;
    const target = chooseCluster(config, kube.clusterNames(), { ...opts, channelId: ctx.channel.id });
    let client: KubeCluster;
    try {
      client = kube.cluster(target.cluster);
    } catch (err) {
      if (isGatewayError(err, "not-found")) {
        throw new UserError(`Unknown cluster "${target.cluster}"; known clusters: ${kube.clusterNames().join(", ")}.`);
      }
      throw err;
    }
    ctx.audit({ cluster: target.cluster });
    return new KubeQuery(ctx, target, withVisibleNamespaces(client, namespaceVisibility(ctx, target.cluster)));
  }

  get cluster(): string {
    return this.target.cluster;
  }

  /** -n, else the channel's namespace on this cluster, else "default". */
  namespaceOr(ns: string | undefined): string {
    return ns ?? defaultNamespace(this.ctx.services.config, this.cluster, this.ctx.channel.id);
  }

  /** Runs a gateway call under the configured timeout; failures become one clear line. */
  async call<T>(fn: (c: KubeCluster) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(fn(this.client), this.ctx.services.config.kube.requestTimeoutSeconds, this.cluster, this.ctx.services.clock);
    } catch (err) {
      return explainGatewayError(err, this.cluster);
    }
  }

  /** Like call, but hands a GatewayError of the given kind back as undefined. */
  async callOr<T>(fn: (c: KubeCluster) => Promise<T>, kind: "not-found"): Promise<T | undefined> {
    try {
      return await withDeadline(fn(this.client), this.ctx.services.config.kube.requestTimeoutSeconds, this.cluster, this.ctx.services.clock);
    } catch (err) {
      if (isGatewayError(err, kind)) return undefined;
      return explainGatewayError(err, this.cluster);
    }
  }

  /**
   * A type name, or a discovery category such as `all` expanded to its types in discovery order, as kubectl does.
   * `category` says whether the name was a category (kubectl then prefixes names with their type).
   */
  async resolveTypes(type: string, verb: "list" | "get" = "list"): Promise<{ resources: ApiResource[]; category: boolean }> {
    const res = await this.call((c) => c.resolve(type));
    if (!res) {
      const wanted = type.toLowerCase();
      const members = (await this.call((c) => c.discover())).filter((r) => r.categories.includes(wanted) && r.verbs.includes(verb));
      if (members.length > 0) return { resources: members, category: true };
    }
    return { resources: [await this.resolve(type, verb)], category: false };
  }

  /** kubectl's type resolution from cached discovery; unknown names suggest close ones. */
  async resolve(type: string, verb: "list" | "get" = "list"): Promise<ApiResource> {
    const res = await this.call((c) => c.resolve(type));
    if (!res) {
      const all = await this.call((c) => c.discover());
      const names = all.flatMap((r) => [r.plural, r.singular, ...r.shortNames]);
      throw new UserError(`Unknown type "${type}" on cluster ${this.cluster}.${didYouMean(type, names)}`);
    }
    if (res.verbs.length > 0 && !res.verbs.includes(verb)) {
      throw new UserError(`Type "${res.plural}" on cluster ${this.cluster} does not support ${verb}.`);
    }
    return res;
  }

  /**
   * kube:get narrowed to (cluster, namespace, type). `namespace` undefined means all namespaces (-A): a role
   * limited to some namespaces is refused for that, with a sentence saying so.
   */
  async authorize(res: ApiResource | string, namespace: string | undefined): Promise<void> {
    const resource = typeof res === "string" ? res : res.plural;
    const namespaced = typeof res === "string" ? true : res.namespaced;
    const cluster = this.cluster;
    // A scope with a resource and no namespace is a cluster-scoped read (policy.ts): only those go without one.
    if (!namespaced) return this.ctx.auth.require("kube:get", { cluster, resource });
    if (namespace !== undefined) return this.ctx.auth.require("kube:get", { cluster, namespace, resource });
    if (await this.ctx.auth.allows("kube:get", { cluster, namespace: "*", resource })) return;
    // Say why: the cluster or the type when a role reading every namespace is refused them, else the namespace limit.
    if (await this.ctx.auth.allows("kube:get", { cluster, namespace: "*" })) return this.ctx.auth.require("kube:get", { cluster, namespace: "*", resource });
    await this.ctx.auth.require("kube:get", { cluster });
    throw new DeniedError(
      `Denied: all namespaces (-A) is not allowed for you on cluster \`${cluster}\`: your role is limited to some namespaces; name one with -n.`,
      "kube:get",
    );
  }

  /**
   * Named Namespace objects are checked against the namespace scope too (a role granted `namespaces` reads only
   * its own); other cluster-scoped names need nothing more than their type.
   */
  async authorizeNames(res: ApiResource, names: string[]): Promise<void> {
    if (!isNamespaceType(res)) return;
    for (const namespace of names) await this.ctx.auth.require("kube:get", { cluster: this.cluster, namespace });
  }

  async allows(resource: string, namespace: string | undefined): Promise<boolean> {
    return this.ctx.auth.allows("kube:get", { cluster: this.cluster, namespace, resource });
  }

  /** False only when the API server says the namespace does not exist (every other doubt counts as existing). */
  async namespaceExists(namespace: string): Promise<boolean> {
    try {
      const nsRes = await withDeadline(this.client.resolve("namespaces"), this.ctx.services.config.kube.requestTimeoutSeconds, this.cluster, this.ctx.services.clock);
      if (!nsRes) return true;
      const found = await withDeadline(this.client.find(nsRes, namespace), this.ctx.services.config.kube.requestTimeoutSeconds, this.cluster, this.ctx.services.clock);
      return found !== undefined;
    } catch {
      return true;
    }
  }

  async requireNamespace(namespace: string): Promise<void> {
    if (!(await this.namespaceExists(namespace))) {
      throw new UserError(`Namespace "${namespace}" does not exist on cluster ${this.cluster}.${await this.namespaceHint(namespace)}`);
    }
  }

  /**
   * Namespaces close to a mistyped one, among those the caller may read: this cluster's (one list, on this failure
   * path only) and the configured environments' on other clusters (where -n alone picks the cluster).
   */
  private async namespaceHint(wanted: string): Promise<string> {
    const clusterOf = new Map<string, string>();
    try {
      const nsRes = await withDeadline(this.client.resolve("namespaces"), this.ctx.services.config.kube.requestTimeoutSeconds, this.cluster, this.ctx.services.clock);
      const listed = nsRes ? await withDeadline(this.client.list(nsRes, { limit: 500, maxItems: 500 }), this.ctx.services.config.kube.requestTimeoutSeconds, this.cluster, this.ctx.services.clock) : { items: [] };
      for (const ns of listed.items) if (ns.metadata?.name) clusterOf.set(ns.metadata.name, this.cluster);
    } catch {
      // No hint is better than a second error on top of the first.
    }
    const known = this.ctx.services.kube.clusterNames();
    for (const e of environmentNamespaces(this.ctx.services.config)) {
      if (!clusterOf.has(e.namespace) && known.includes(e.cluster)) clusterOf.set(e.namespace, e.cluster);
    }
    const visible: string[] = [];
    for (const ns of nearest(wanted, clusterOf.keys(), 10)) {
      if (visible.length < 3 && (await this.ctx.auth.allows("kube:get", { cluster: clusterOf.get(ns), namespace: ns }))) visible.push(ns);
    }
    return suggestionOf(visible);
  }

  /** A not-found line with the nearest names in that namespace, checking the namespace first. */
  async notFound(res: ApiResource, name: string, namespace: string | undefined): Promise<never> {
    if (res.namespaced && namespace !== undefined) await this.requireNamespace(namespace);
    let hint = "";
    try {
      const { items } = await withDeadline(
        this.client.list(res, { namespace: res.namespaced ? namespace : undefined, limit: 500, maxItems: 500 }),
        this.ctx.services.config.kube.requestTimeoutSeconds,
        this.cluster,
        this.ctx.services.clock,
      );
      hint = didYouMean(name, items.map((o) => o.metadata?.name ?? "").filter((n) => n !== ""));
    } catch {
      // Suggestions are a courtesy: no list permission or a slow server just means no hint.
    }
    const where = res.namespaced && namespace !== undefined ? ` in namespace ${namespace}` : "";
    throw new UserError(`${qualified(res)} "${name}" not found${where} on cluster ${this.cluster}.${hint}`);
  }
}

/** Which namespaces the caller may read on this cluster: one of their roles' scopes allowing it is enough. */
function namespaceVisibility(ctx: CommandContext, cluster: string): NamespaceVisibility {
  let all: Promise<boolean> | undefined;
  return {
    seesAll: () => (all ??= ctx.auth.allows("kube:get", { cluster, namespace: "*" })),
    visible: (namespace) => ctx.auth.allows("kube:get", { cluster, namespace }),
  };
}

/** kubectl's qualified resource for messages: `pods`, `deployments.apps`. */
export function qualified(res: ApiResource): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

export function contextLine(cluster: string, namespace: string | undefined | "all"): string {
  return namespace === undefined ? `cluster: ${cluster}` : `cluster: ${cluster} · namespace: ${namespace}`;
}
