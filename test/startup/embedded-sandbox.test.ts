import { expect } from "chai";
import * as sandboxPackage from "@tugboat/sandbox";
import { loadEmbeddedSandbox, SANDBOX_NOT_INSTALLED, SANDBOX_PACKAGE, type SandboxModule } from "../../src/startup/embedded-sandbox.js";
import { StartupError } from "../../src/config/environment.js";

// main.ts loads the sandbox by a name TypeScript does not resolve (so the build has none of it); its declarations of
// what it uses must still fit the package: this assignment stops typechecking when they drift apart.
const fits: SandboxModule = sandboxPackage;

/** An error as Node's ESM loader throws it. */
function loaderError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("loading the embedded sandbox (src/startup/embedded-sandbox.ts)", () => {
  it("loads the workspace package by its name", async () => {
    const loaded = await loadEmbeddedSandbox(() => import(SANDBOX_PACKAGE));
    expect(loaded.startSandbox).to.be.a("function");
    expect(Object.keys(loaded)).to.include.members(Object.keys(fits));
    expect(loaded.ZERO_DELAYS.podReadyMs).to.equal(0);
  });

  it("says in one line that the sandbox is a development tool, and how to configure a cluster, when the build has no sandbox", async () => {
    const missing = loaderError("ERR_MODULE_NOT_FOUND", `Cannot find package '${SANDBOX_PACKAGE}' imported from /app/dist/main.js`);
    const err = await loadEmbeddedSandbox(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(StartupError);
    expect((err as Error).message).to.equal(SANDBOX_NOT_INSTALLED);
    expect(SANDBOX_NOT_INSTALLED).to.match(/development tool/).and.to.include("KUBECONFIG").and.not.to.include("\n");
  });

  it("says the same when only its TypeScript sources are there (dist/main.js run from a clone)", async () => {
    const sources = loaderError("ERR_UNKNOWN_FILE_EXTENSION", 'Unknown file extension ".ts" for /repo/packages/sandbox/src/index.ts');
    const err = await loadEmbeddedSandbox(() => Promise.reject(sources)).catch((e: unknown) => e);
    expect((err as Error).message).to.equal(SANDBOX_NOT_INSTALLED);
  });

  it("passes on any other failure of the sandbox's own imports unchanged", async () => {
    const inner = loaderError("ERR_MODULE_NOT_FOUND", "Cannot find module '/repo/packages/sandbox/src/kube/gone.js'");
    const err = await loadEmbeddedSandbox(() => Promise.reject(inner)).catch((e: unknown) => e);
    expect(err).to.equal(inner);
  });
});
