import type { TugboatConfig } from "../config/schema.js";
import type { GithubGateway, KubeGateway } from "../gateways/types.js";

// At start, one cheap read per cluster (discovery, which later commands reuse) and one on GitHub, so a setup that
// points at nothing (a stopped sandbox, a wrong kubeconfig) is named at once instead of in every later reply.

export interface Unreachable {
  /** "cluster production", "GitHub". */
  what: string;
  reason: string;
}

export async function findUnreachable(deps: { config: TugboatConfig; kube: KubeGateway; github: GithubGateway; timeoutMs: number }): Promise<Unreachable[]> {
  const checks: Array<Promise<Unreachable | undefined>> = deps.kube.clusterNames().map((name) =>
    probe(`cluster ${name}`, () => deps.kube.cluster(name).discover(true), deps.timeoutMs),
  );
  const repo = Object.values(deps.config.apps)[0]?.repo;
  if (repo) checks.push(probe("GitHub", () => deps.github.checkReachable(repo), deps.timeoutMs));
  return (await Promise.all(checks)).filter((u): u is Unreachable => u !== undefined);
}

async function probe(what: string, read: () => Promise<unknown>, timeoutMs: number): Promise<Unreachable | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs)));
  try {
    const outcome = await Promise.race([read().then(() => undefined), late]);
    return outcome === undefined ? undefined : { what, reason: outcome };
  } catch (err) {
    return { what, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** What the terminal prints: every unreachable part on one line, and for the sandbox's config how to start it. */
export function describeUnreachable(unreachable: Unreachable[], sandboxConfig: boolean): string[] {
  if (unreachable.length === 0) return [];
  const lines = ["Tugboat: not everything this setup names answers:", ...unreachable.map((u) => `  ${u.what}: ${u.reason}`)];
  if (sandboxConfig) {
    lines.push("This is the sandbox's config: start the sandbox with `npm run sandbox` (in another terminal), then `. .sandbox/env && npm start` again (its ports change on every start).");
  } else {
    lines.push("Commands that need them will fail until they answer: check KUBECONFIG and its contexts, GITHUB_API_URL and the network.");
  }
  return lines;
}
