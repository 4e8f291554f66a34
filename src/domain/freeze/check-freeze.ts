import type { TugboatConfig } from "../../config/schema.js";
import { getOwn } from "../../core/own-keys.js";
import { joinText, mention, outside, rich, type RichText } from "../../core/reply.js";
import { humanDuration, utcMinute } from "../format/human-duration.js";
import type { Coordination } from "../replicas/coordination.js";
import type { V1Lease } from "../../gateways/kube-models.js";
import { freezeFromLease, freezeLeaseName } from "./freeze-store.js";
import { configWindowsAt, type FreezeWindow } from "./freeze-windows.js";

// "Is the environment frozen?": the config's windows and the ad hoc freeze that hold now. A canary deploy puts a
// pod in its base environment, so it meets the base environment's freezes as well as its own.

/** The environments whose freezes a deploy to `env` meets: itself and, for a canary, its base. */
export function freezeScope(config: TugboatConfig, env: string): string[] {
  const base = getOwn(config.environments, env)?.canaryOf;
  return base && base !== env ? [env, base] : [env];
}

/** Every window holding now for these environments, soonest end first. */
export async function activeFreezes(config: TugboatConfig, c: Coordination, environments: readonly string[]): Promise<FreezeWindow[]> {
  const leases = new Map<string, V1Lease | undefined>();
  for (const env of environments) leases.set(env, await c.cluster.leases.find(freezeLeaseName(env), c.namespace));
  return freezesAt(config, environments, c.now(), (env) => leases.get(env));
}

/** activeFreezes from Leases already at hand (an informer's store): `adHocLease` gives an environment's freeze Lease. */
export function freezesAt(config: TugboatConfig, environments: readonly string[], now: Date, adHocLease: (env: string) => V1Lease | undefined): FreezeWindow[] {
  const found: FreezeWindow[] = [];
  for (const env of environments) {
    found.push(...configWindowsAt(env, getOwn(config.environments, env)?.freezes ?? [], now));
    const lease = adHocLease(env);
    const adHoc = lease ? freezeFromLease(lease, env, now) : undefined;
    if (adHoc) found.push(adHoc);
  }
  return found.sort((a, b) => a.end.getTime() - b.end.getTime());
}

/** "ad hoc freeze by @U1 until 2026-01-01 01:00 UTC (in 59m): incident"; the reason stays plain text. */
export function describeFreeze(w: FreezeWindow, now: Date): RichText {
  const what = w.kind === "ad-hoc" ? rich`ad hoc freeze${w.by ? rich` by ${mention(w.by)}` : ""}` : rich`freeze window "${w.name}"`;
  const where = w.kind === "ad-hoc" ? "" : ` (config, ${w.environment})`;
  return rich`${what}${where} until ${utcMinute(w.end)} (in ${humanDuration(w.end.getTime() - now.getTime())}): ${outside(w.reason)}`;
}

/** Why a deploy to `env` is refused, naming each window, its reason and its end, and the way through. */
export function frozenText(app: string, env: string, windows: readonly FreezeWindow[], now: Date): RichText {
  const list = windows.map((w) => describeFreeze(w, now));
  const head = list.length === 1 ? rich`${app} ${env} is frozen: ${list[0]!}.` : rich`${app} ${env} is frozen by ${String(list.length)} windows: ${joinText(list, "; ")}.`;
  return rich`${head} Deploy after it ends, or break the glass with \`--break-glass REASON\` (needs \`deploy:break-glass\` and an approval from someone else).`;
}
