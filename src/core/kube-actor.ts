import type { Actor } from "./command.js";
import { DeniedError } from "./errors.js";
import { isGatewayError, type KubeActor, type KubeCluster, type KubeGateway } from "../gateways/types.js";

// Impersonation as a second gate (clusters.<name>.impersonate): who Tugboat says it acts for, and a refusal
// from the cluster reported like Tugboat's own denials. The gateway sets the headers; this names the subject.

/** Kubernetes names of the people and roles behind a request. */
export const KUBE_USER_PREFIX = "tugboat:slack:";
export const KUBE_ROLE_PREFIX = "tugboat:role:";
export const KUBE_GROUP_PREFIX = "tugboat:slack-group:";

// Header values must stay one plain token: Slack ids, config role names.
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** tugboat:slack:<id>, in tugboat:role:<role> for each role bound here and tugboat:slack-group:<id> for each group. */
export function kubeActorFor(actor: Actor, roles: string[], slackGroups: string[]): KubeActor {
  if (!SAFE.test(actor.id)) throw new DeniedError(`Denied: Tugboat cannot act for user id "${actor.id.slice(0, 40)}" on the cluster (not a Slack user id).`, "kubernetes:impersonate");
  const groups = [...roles.filter((r) => SAFE.test(r)).map((r) => KUBE_ROLE_PREFIX + r), ...slackGroups.filter((g) => SAFE.test(g)).map((g) => KUBE_GROUP_PREFIX + g)];
  return { user: KUBE_USER_PREFIX + actor.id, groups: [...new Set(groups)].sort() };
}

/** A cluster refusal of a request made for someone, as a denial; anything else unchanged. */
export function asDenial(err: unknown, cluster: string): unknown {
  if (!isGatewayError(err, "forbidden") || !err.actingFor) return err;
  const message = err.message.replace(/\.$/, "");
  if (err.actingFor.refused === "impersonation") {
    return new DeniedError(`Denied: cluster ${cluster} does not let Tugboat act for you (clusters.${cluster}.impersonate is on, but Tugboat's own identity may not impersonate): ${message}. Nothing was changed.`, "kubernetes:impersonate");
  }
  return new DeniedError(`Denied by cluster ${cluster}'s RBAC for ${err.actingFor.user}: ${message}.`, "kubernetes:rbac");
}

/** The gateway with every cluster call's refusals-for-someone turned into denials. */
export function reportingDenials(gateway: KubeGateway): KubeGateway {
  const clusters = new Map<string, KubeCluster>();
  return {
    clusterNames: () => gateway.clusterNames(),
    cluster: (name) => {
      if (!clusters.has(name)) clusters.set(name, denying(gateway.cluster(name)));
      return clusters.get(name)!;
    },
    actingFor: (actor, scope) => reportingDenials(gateway.actingFor(actor, scope)),
  };
}

function denying(cluster: KubeCluster): KubeCluster {
  return denyingCalls(cluster, cluster.name);
}

/**
 * Every call of `target` (a cluster, or one of its typed kind clients such as `cluster.leases`) with its rejection
 * passed through asDenial; kind clients and `withRetry`'s cluster are wrapped alike, so no path skips the gate.
 */
function denyingCalls<T extends object>(target: T, clusterName: string): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (value !== null && typeof value === "object" && !(value instanceof Promise)) {
        // A typed kind client (cluster.deployments, .leases, …): its calls are the cluster's calls.
        if (!wrapped.has(prop)) wrapped.set(prop, denyingCalls(value, clusterName));
        return wrapped.get(prop);
      }
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        // A watch reports its end through its callback: convert that refusal too.
        if (prop === "watch" && typeof args[3] === "function") {
          const onClose = args[3] as (err?: unknown) => void;
          args[3] = (err?: unknown) => onClose(err === undefined ? err : asDenial(err, clusterName));
        }
        const out: unknown = Reflect.apply(value, obj, args);
        if (out instanceof Promise) return out.catch((err: unknown) => Promise.reject(asDenial(err, clusterName)));
        if (prop === "withRetry" && out !== null && typeof out === "object") return denyingCalls(out, clusterName);
        return out;
      };
    },
  });
}
