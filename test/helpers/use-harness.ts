import { startHarness, type Harness, type HarnessOptions } from "./harness.js";

// The usual set-up of a describe that runs commands against the sandbox, in one line: a harness started before the
// describe's tests (or before each one, with `{ each: true }`) and stopped after them. What it returns stands for the
// harness of the moment, so a test reads `h.run(…)`, `h.sandbox`, `h.audit` as with startHarness.

export function useHarness(opts: HarnessOptions | (() => HarnessOptions) = {}, when: { each?: boolean } = {}): Harness {
  let current: Harness | undefined;
  const start = async () => {
    current = await startHarness(typeof opts === "function" ? opts() : opts);
  };
  const stop = async () => {
    const h = current;
    current = undefined;
    await h?.stop();
  };
  if (when.each) {
    beforeEach(start);
    afterEach(stop);
  } else {
    before(start);
    after(stop);
  }
  // The harness's fields and functions are plain properties (its functions are closures), so reading them through
  // the current one is all it takes.
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!current) throw new Error(`useHarness: the harness is read outside the describe's tests (${String(key)})`);
      return Reflect.get(current, key);
    },
  });
}
