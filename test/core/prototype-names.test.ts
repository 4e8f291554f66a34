import { expect } from "chai";
import { startHarness, type Harness } from "../helpers/harness.js";

// Names users type index config maps (apps, environments, clusters, pools, roles, channels). Object.prototype's
// names must read as unknown names: a usage error or a refusal, never "Internal error".

const NAMES = ["constructor", "__proto__", "hasOwnProperty", "toString", "valueOf", "isPrototypeOf"];

const CORPUS = [
  "/deploy status N",
  "/deploy where N",
  "/deploy history N",
  "/deploy history github N",
  "/deploy PR4812 to N",
  "/deploy N PR4812 to staging",
  "/deploy PR4812 to N --dry-run",
  "/deploy lock github N reason",
  "/deploy lock N staging reason",
  "/deploy unlock github N",
  "/deploy rollback github N",
  "/deploy rollback N staging",
  "/canary status N",
  "/canary promote N",
  "/canary abort N",
  "/reviewlab up my-branch N",
  "/reviewlab list",
  "/reviewlab down N",
  "/reviewlab extend N 2",
  "/nodes list --cluster N",
  "/nodes add 1 N --cluster production",
  "/nodes add 1 general --cluster N",
  "/nodes add 1 N --cluster production --dry-run",
  "/kube get pods --cluster N",
  "/kube get pods -n N",
  "/kube get N",
  "/kube describe deploy N -n github-staging",
  "/kube logs N -n github-staging",
  "help N",
  "N status",
  "/deploy PR4812 to staging --N",
  "/deploy status --N=1",
  "/kube get pods --N",
  "/kube get pods -o N",
  "/kube --N get pods",
  "/nodes list --N",
  "/reviewlab list --N",
  "/canary status --N",
];

/** What leaks when a prototype member is taken for config: an internal error, or the member itself. */
const LEAK = /Internal error|undefined|native code|function |Cannot read|is not a function/;

describe("Object.prototype's names as user input", function () {
  this.timeout(120000);
  let h: Harness;
  before(async () => {
    h = await startHarness({
      configure: (c) => {
        // A user bound to a role named like a prototype key must get nothing from it.
        c.bindings.push({ role: "viewer", users: ["UPROTO"], groups: [] });
      },
    });
  });
  after(async () => {
    await h.stop();
  });

  for (const name of NAMES) {
    it(`every family treats "${name}" as an unknown name`, async () => {
      const failures: string[] = [];
      for (const template of CORPUS) {
        const line = template.replace("N", name);
        for (const channel of ["CDEPLOYS", name]) {
          const t = await h.run(line, { user: "UADMIN", channel });
          if (LEAK.test(t.text) || !t.text.trim()) failures.push(`${line} (channel ${channel}): ${t.text.split("\n")[0] || "(no reply)"}`);
        }
      }
      expect(failures, failures.join("\n")).to.deep.equal([]);
    });
  }

  it("a user whose id is a prototype name is simply unknown", async () => {
    for (const user of NAMES) {
      const t = await h.run("/deploy status github", { user, channel: "CDEPLOYS" });
      expect(t.text).to.match(/Denied/);
    }
  });

  it("leaves no internal error in the log", () => {
    expect(h.logText()).to.not.match(/"message":"internal error"/);
  });
});
