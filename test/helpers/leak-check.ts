// Root hook: the suite runs without mocha's `exit: true`, so a server, socket, interval or child process left
// open keeps node alive after the last test. Rather than hang, the run then fails after a grace period and
// names what is still open. The timer is unref'd: a clean run exits at once and never sees it.

const GRACE_MS = 10_000;

function describeHandle(h: unknown): string {
  const name = (h as { constructor?: { name?: string } })?.constructor?.name ?? typeof h;
  const any = h as Record<string, unknown> & { address?: () => unknown; spawnargs?: string[] };
  if (name === "Server" && typeof any.address === "function") return `Server ${JSON.stringify(any.address())}`;
  if (name === "Socket") return `Socket ${String(any.localAddress)}:${String(any.localPort)} -> ${String(any.remoteAddress)}:${String(any.remotePort)}`;
  if (name === "ChildProcess") return `ChildProcess ${(any.spawnargs ?? []).join(" ")}`;
  if (name === "Timeout") return `Timer ${String(any._onTimeout).slice(0, 200)}`;
  return name;
}

export const mochaHooks = {
  afterAll(): void {
    let leaked = false;
    // Mocha sets the exit code from its own 'exit' listener, added after this hook; this one runs first and
    // exits with 1 on the spot when the run had to be ended for a leak.
    process.on("exit", () => {
      if (leaked) process.exit(1);
    });
    const timer = setTimeout(() => {
      leaked = true;
      const getHandles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles;
      const open = getHandles.call(process).filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin);
      console.error(`The test run left ${open.length} handle(s) open ${GRACE_MS / 1000} s after the last test:`);
      for (const h of open) console.error(`  - ${describeHandle(h)}`);
      console.error(`Active resources: ${process.getActiveResourcesInfo().join(", ")}`);
      process.exit(1);
    }, GRACE_MS);
    timer.unref();
  },
};
