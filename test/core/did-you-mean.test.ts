import { expect } from "chai";
import { startHarness, type Harness } from "../helpers/harness.js";

// Typos get the nearest known name: commands, environments, and namespaces the caller may read (no others).
describe("did you mean (sandbox, through the router)", function () {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      configure: (c) => {
        c.roles.narrow = { permissions: ["kube:get"], kube: { namespaces: ["github-stage", "github-production"] } };
        c.bindings.push({ role: "narrow", users: ["UNARROW"], groups: [] });
      },
    });
  });
  after(async () => h.stop());

  const reasonOf = async (line: string, user = "UADMIN") => {
    const t = await h.run(line, { user });
    return t.whispers[0]?.summary ?? t.final?.summary ?? "";
  };

  it("/kub get pods suggests /kube", async () => {
    expect(await reasonOf("/kub get pods")).to.equal('unknown command "kub". Did you mean `/kube`?');
    expect(await reasonOf("hlep")).to.equal('unknown command "hlep". Did you mean `help`?');
    expect(await reasonOf("/nodes lsit")).to.equal('unknown subcommand "lsit" for /nodes (one of: list, add). Did you mean `/nodes list`?');
  });

  it("/deploy PR4812 to prod suggests production", async () => {
    expect(await reasonOf("/deploy PR4812 to prod")).to.match(/^unknown environment "prod" \(one of: [a-z, ]+\)\. Did you mean `production`\?$/);
  });

  it("/kube get pods -n github-prod suggests github-production (on the other cluster)", async () => {
    expect(await reasonOf("/kube get pods -n github-prod")).to.equal('Namespace "github-prod" does not exist on cluster staging. Did you mean `github-production`?');
  });

  it("never suggests a namespace outside the caller's scope", async () => {
    expect(await reasonOf("/kube get pods -n github-stage")).to.contain("Did you mean `github-staging`?");
    expect(await reasonOf("/kube get pods -n github-stage", "UNARROW")).to.equal('Namespace "github-stage" does not exist on cluster staging.');
  });

  it("says nothing more when nothing is close", async () => {
    expect(await reasonOf("/zzzzzz")).to.equal('unknown command "zzzzzz"');
  });
});
