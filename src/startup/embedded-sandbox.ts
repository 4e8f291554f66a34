import { StartupError } from "../config/environment.js";

// The embedded sandbox is a development tool in its own workspace package (packages/sandbox): `npm start` loads it
// when nothing is configured; the built bot (dist/, the image) does not contain it. main.ts imports it by name with
// a specifier TypeScript does not resolve, so the build never compiles it; these declarations say what main.ts uses
// of it (test/startup/embedded-sandbox.test.ts checks the package still fits them).

export const SANDBOX_PACKAGE = "@tugboat/sandbox";

export interface EmbeddedSandboxDelays {
  podScheduleMs: number;
  podReadyMs: number;
}

export interface EmbeddedSandbox {
  kubeconfigPath: string;
  configPath: string;
  env: Record<string, string>;
  /** Its GitHub delivers webhooks to these URLs (main.ts adds the terminal bot's POST /github/webhooks). */
  github: { webhooks: { addUrl(url: string): void } };
  busy?: { dir: string; holder: { owner: string; pid: number } };
  /** With analysis: the Prometheus scraping the sandbox pods' request metrics, or why canary analysis is off. */
  analysis?: { prometheusUrl: string } | { off: string };
  stop(): Promise<void>;
}

/** What main.ts uses of the package. */
export interface SandboxModule {
  startSandbox(opts: {
    delays?: Partial<EmbeddedSandboxDelays>;
    kubePort?: number;
    githubPort?: number;
    owner?: string;
    whenBusy?: "refuse" | "own-dir";
    analysis?: boolean;
  }): Promise<EmbeddedSandbox>;
  DEMO_DELAYS: EmbeddedSandboxDelays;
  TEST_DELAYS: EmbeddedSandboxDelays;
  ZERO_DELAYS: EmbeddedSandboxDelays;
}

export const SANDBOX_NOT_INSTALLED =
  `the embedded sandbox (${SANDBOX_PACKAGE}) is a development tool and is not part of this build: ` +
  "configure a cluster with KUBECONFIG (or TUGBOAT_CLUSTERS=in-cluster), GitHub with GITHUB_TOKEN (or a GitHub App) " +
  "and TUGBOAT_CONFIG (README, Configuration), or run the sandbox from a clone with `npm start`.";

/** Loads the sandbox package; a build without it (or that cannot run its TypeScript sources) says so in one line. */
export async function loadEmbeddedSandbox(load: () => Promise<unknown>): Promise<SandboxModule> {
  let loaded: unknown;
  try {
    loaded = await load();
  } catch (err) {
    if (packageMissing(err)) throw new StartupError(SANDBOX_NOT_INSTALLED);
    throw err;
  }
  return loaded as SandboxModule;
}

function packageMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // Not installed (the image), or installed but only as TypeScript sources that plain node cannot load (dist/ run
  // from a clone): either way this build has no sandbox it can start.
  if (code === "ERR_MODULE_NOT_FOUND") return String((err as Error).message).includes(SANDBOX_PACKAGE);
  return code === "ERR_UNKNOWN_FILE_EXTENSION";
}
