import type { AppConfig, EnvironmentConfig, TugboatConfig } from "../../config/schema.js";
import { UsageError, UserError } from "../../core/errors.js";
import { deployContentPolicy } from "../content-policy/from-config.js";
import type { ContentPolicy } from "../content-policy/policy.js";
import { getOwn } from "../../core/own-keys.js";
import { didYouMean } from "../../core/suggest.js";

// Which app, environment, cluster, namespace, image repository and lock a deploy acts on.

export interface DeployEnv {
  app: string;
  appConfig: AppConfig;
  /** The environment named by the user ("canary"). */
  env: string;
  envConfig: EnvironmentConfig;
  /** Where the work happens: the environment itself, or for a canary its `canaryOf` environment. */
  baseEnv: string;
  canary: boolean;
  cluster: string;
  namespace: string;
  /** Image repository without a tag. */
  image: string;
  repo: string;
  lockName: string;
  /** Manifests folder in the app repository. */
  manifestsPath: string;
  /** What the manifests may contain (config `content`, layered on Tugboat's defaults). */
  content: ContentPolicy;
}

export function lockNameFor(app: string, env: string): string {
  return `tugboat-lock-${app}-${env}`;
}

/** The app a command is about: named, the channel's, or the only one configured. */
export function resolveAppName(config: TugboatConfig, channelId: string, named: string | undefined, usage?: string): string {
  const apps = Object.keys(config.apps);
  if (named !== undefined) {
    if (getOwn(config.apps, named)) return named;
    throw new UsageError(`unknown app "${named}" (known apps: ${apps.join(", ") || "none configured"})`, usage);
  }
  const channelApp = getOwn(config.channels, channelId)?.app;
  if (channelApp && getOwn(config.apps, channelApp)) return channelApp;
  const listing = apps.filter((a) => config.apps[a]!.channels.includes(channelId));
  if (listing.length === 1) return listing[0]!;
  if (apps.length === 1) return apps[0]!;
  if (apps.length === 0) throw new UserError("No apps are configured (config `apps`).");
  throw new UsageError(`which app? This channel has no default app; name one of: ${apps.join(", ")}`, usage);
}

export function deployableEnvironments(config: TugboatConfig): string[] {
  return Object.keys(config.environments);
}

export function resolveDeployEnv(config: TugboatConfig, app: string, env: string, usage?: string): DeployEnv {
  const appConfig = getOwn(config.apps, app);
  if (!appConfig) throw new UsageError(`unknown app "${app}" (known apps: ${Object.keys(config.apps).join(", ")})`, usage);
  const envConfig = getOwn(config.environments, env);
  if (!envConfig) {
    const known = deployableEnvironments(config);
    const hint = didYouMean(env, known);
    throw new UsageError(`unknown environment "${env}" (one of: ${known.join(", ")})${hint ? `.${hint}` : ""}`, usage);
  }
  const baseEnv = envConfig.canaryOf ?? env;
  const base = config.environments[baseEnv]!;
  const baseOverride = getOwn(appConfig.environments, baseEnv) ?? {};
  const ownOverride = getOwn(appConfig.environments, env) ?? {};
  const namespaceTemplate = baseOverride.namespace ?? base.namespace;
  const namespace = namespaceTemplate.replace(/\{app\}/g, app).replace(/\{env\}/g, baseEnv);
  return {
    app,
    appConfig,
    env,
    envConfig,
    baseEnv,
    canary: envConfig.canaryOf !== undefined,
    cluster: baseOverride.cluster ?? base.cluster,
    namespace,
    image: ownOverride.image ?? baseOverride.image ?? appConfig.image,
    repo: appConfig.repo,
    lockName: lockNameFor(app, baseEnv),
    manifestsPath: `config/kubernetes/${env}`,
    content: deployContentPolicy(config, app, baseEnv),
  };
}

/** The channels deploys to this environment may run from (a canary inherits its base's), or undefined for anywhere. */
export function allowedChannels(config: TugboatConfig, env: string): string[] | undefined {
  const e = getOwn(config.environments, env);
  if (!e) return undefined;
  if (e.channels) return e.channels;
  if (e.canaryOf) return getOwn(config.environments, e.canaryOf)?.channels;
  return undefined;
}

export function checkChannel(config: TugboatConfig, env: string, channelId: string): void {
  const allowed = allowedChannels(config, env);
  if (allowed && !allowed.includes(channelId)) {
    throw new UserError(`Deploys to ${env} may only run from ${allowed.map((c) => `<#${c}>`).join(", ")}; this channel is not one of them.`);
  }
}
