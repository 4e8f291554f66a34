import { spawn } from "node:child_process";

// The real entry point (what `npm start` runs), as a child process with piped stdin.

const LIVE_VARS = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "KUBECONFIG", "GITHUB_TOKEN", "GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_INSTALLATION_ID", "GITHUB_API_URL", "GITHUB_WEBHOOK_SECRET", "TUGBOAT_CONFIG", "TUGBOAT_CLUSTERS", "TUGBOAT_USER", "LOG_LEVEL", "PORT"];

export interface MainRun {
  code: number | null;
  out: string;
  err: string;
}

export interface MainOptions {
  env?: Record<string, string>;
  args?: string[];
  input?: string;
  /** Called with stdout so far on every chunk; may signal the child. */
  onOutput?: (out: string, child: ReturnType<typeof spawn>) => void;
}

export function runMain(opts: MainOptions = {}): Promise<MainRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of LIVE_VARS) delete env[k];
  Object.assign(env, { SANDBOX_SPEED: "zero" }, opts.env);
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...(opts.args ?? [])], { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c) => {
    out += c;
    opts.onOutput?.(out, child);
  });
  child.stderr.on("data", (c) => (err += c));
  child.stdin.on("error", () => {});
  if (opts.input !== undefined) child.stdin.end(opts.input);
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out, err })));
}
