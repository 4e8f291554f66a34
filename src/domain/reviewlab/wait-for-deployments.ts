import type { ApiResource, GatewayError, KObject, KubeCluster, WatchHandle } from "../../gateways/types.js";
import { rolloutState, type RolloutState } from "../rollout-status.js";

// Waits for Deployments to become available by watching them (list once, then watch from that
// resourceVersion; a dropped watch resumes, a 410 Gone re-lists). No polling.

export interface DeploymentWait {
  ok: boolean;
  /** "timeout" or "failed" when not ok. */
  reason?: "timeout" | "failed" | "aborted";
  states: Map<string, RolloutState>;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onChange?: (states: Map<string, RolloutState>) => void;
}

export async function deploymentResource(cluster: KubeCluster): Promise<ApiResource> {
  const res = (await cluster.discover()).find((r) => r.group === "apps" && r.plural === "deployments");
  if (!res) throw new Error(`cluster ${cluster.name} serves no apps/v1 Deployments`);
  return res;
}

export async function waitForDeployments(cluster: KubeCluster, namespace: string, names: string[], opts: WaitOptions): Promise<DeploymentWait> {
  const states = new Map<string, RolloutState>(names.map((n) => [n, { phase: "waiting", message: `${n}: not seen yet` }]));
  if (names.length === 0) return { ok: true, states };
  const res = await deploymentResource(cluster);
  const wanted = new Set(names);

  return new Promise<DeploymentWait>((resolve, reject) => {
    let watch: WatchHandle | undefined;
    let finished = false;
    const finish = (result: DeploymentWait | Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      watch?.stop();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: "timeout", states }), opts.timeoutMs);
    const onAbort = () => finish({ ok: false, reason: "aborted", states });
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    const settle = () => {
      opts.onChange?.(states);
      const all = [...states.values()];
      if (all.every((s) => s.phase === "done")) finish({ ok: true, states });
      else if (all.some((s) => s.phase === "failed")) finish({ ok: false, reason: "failed", states });
    };
    const observe = (d: KObject, deleted = false) => {
      const name = d.metadata?.name;
      if (!name || !wanted.has(name)) return false;
      const next: RolloutState = deleted ? { phase: "waiting", message: `${name}: deleted` } : rolloutState(d);
      const prev = states.get(name);
      states.set(name, next);
      return prev?.phase !== next.phase || prev.message !== next.message;
    };

    let resourceVersion: string | undefined;
    const relist = async () => {
      const { items, resourceVersion: rv } = await cluster.list(res, { namespace });
      for (const d of items) observe(d);
      resourceVersion = rv;
      settle();
    };
    const startWatch = async (): Promise<void> => {
      if (finished) return;
      watch = await cluster.watch(
        res,
        { namespace, resourceVersion },
        (ev) => {
          if (ev.object?.metadata?.resourceVersion) resourceVersion = ev.object.metadata.resourceVersion;
          if (ev.type === "BOOKMARK") return;
          if (observe(ev.object, ev.type === "DELETED")) settle();
        },
        (err?: GatewayError) => {
          if (finished) return;
          // A dropped watch resumes from the last resourceVersion; one that is too old (410) re-lists first.
          const again = watchExpired(err) ? relist().then(startWatch) : startWatch();
          again.catch((e) => finish(e instanceof Error ? e : new Error(String(e))));
        },
      );
      if (finished) watch.stop();
    };
    relist()
      .then(startWatch)
      .catch((e) => finish(e instanceof Error ? e : new Error(String(e))));
  });
}

/** A watch closed because its resourceVersion is too old (410 Gone): re-list before watching again. */
export function watchExpired(err?: { kind?: string; status?: number }): boolean {
  return err?.kind === "gone" || err?.status === 410;
}
