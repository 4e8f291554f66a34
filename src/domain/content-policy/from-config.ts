import type { TugboatConfig } from "../../config/schema.js";
import { hostOfUrl, resolveContentPolicy, type ContentPolicy } from "./policy.js";

// The content policy of a deploy target or of review labs, from the config's layers.

/** An environment's own Ingress domains: configured, or the host of its url. */
function environmentDomains(config: TugboatConfig, env: string, app?: string): string[] {
  const e = config.environments[env];
  if (!e) return [];
  const configured = (app ? config.apps[app]?.environments[env]?.content?.ingressDomains : undefined) ?? e.content?.ingressDomains;
  const host = hostOfUrl(e.url);
  return configured ?? (host ? [host] : []);
}

/** `env` is where the objects land (a canary's base environment). */
export function deployContentPolicy(config: TugboatConfig, app: string, env: string): ContentPolicy {
  const own = environmentDomains(config, env, app);
  const foreign = Object.keys(config.environments)
    .filter((other) => other !== env && config.environments[other]!.canaryOf !== env)
    .flatMap((other) => environmentDomains(config, other, app));
  if (config.reviewlab) foreign.push(config.reviewlab.domain);
  return resolveContentPolicy([config.environments[env]?.content, config.apps[app]?.environments[env]?.content], {
    lab: false,
    ingressDomains: [],
    defaultIngressDomains: own,
    foreignDomains: foreign.filter((d) => !own.includes(d)),
    reservedNames: [],
  });
}

/** A lab may route its own host (`<slug>.<domain>`) and names below it, plus the configured domains. */
export function labContentPolicy(config: TugboatConfig, labHost: string): ContentPolicy {
  const lab = config.reviewlab;
  const foreign = Object.keys(config.environments).flatMap((env) => environmentDomains(config, env));
  return resolveContentPolicy([lab?.content], {
    lab: true,
    ingressDomains: [labHost],
    defaultIngressDomains: [],
    foreignDomains: foreign,
    reservedNames: lab ? [lab.secretName] : [],
  });
}
