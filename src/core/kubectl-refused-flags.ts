import type { FlagSpecs } from "./args.js";

// kubectl's flags that /kube refuses by name, with the reason: those that would change who Tugboat acts as or which
// server it talks to, and those that keep a stream open, which a chat reply cannot be. Kept apart from the /kube
// grammar because it is kubectl's vocabulary, not Tugboat's.

const IDENTITY =
  "is refused: /kube always queries as Tugboat's own identity and never changes the user, credentials, server or kubeconfig context (pick a configured cluster with --cluster)";

/** Flags that could change who Tugboat acts as or which server it talks to: refused by name. */
export const REJECTED_FLAGS: Record<string, string> = Object.fromEntries(
  [
    "as",
    "as-group",
    "as-uid",
    "token",
    "server",
    "kubeconfig",
    "context",
    "user",
    "username",
    "password",
    "cluster-name",
    "client-certificate",
    "client-key",
    "certificate-authority",
    "insecure-skip-tls-verify",
    "tls-server-name",
    "cache-dir",
    "raw",
  ].map((f) => [f, `--${f} ${IDENTITY}`]),
);
REJECTED_FLAGS["watch"] = "--watch is not supported: /kube answers once; run the command again to refresh";
REJECTED_FLAGS["watch-only"] = REJECTED_FLAGS["watch"];
REJECTED_FLAGS["follow"] = "--follow is not supported: /kube logs answers once (use --tail and --since)";

/** Short spellings of refused flags, so `-s URL` is refused by name rather than as an unknown flag. */
export const REFUSED_SHORTS: FlagSpecs = {
  server: { kind: "string", short: "s" },
  watch: { kind: "boolean", short: "w" },
  follow: { kind: "boolean", short: "f" },
};
