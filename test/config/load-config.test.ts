import { expect } from "chai";
import { readFileSync } from "node:fs";
import { parseConfig, loadConfigFile, ConfigError } from "../../src/config/load-config.js";
import { planStartup, StartupError } from "../../src/config/environment.js";

describe("config", () => {
  it("loads the sandbox config", () => {
    const cfg = loadConfigFile("config/sandbox/tugboat.yaml");
    expect(cfg.environments.production!.confirm).to.equal(true);
    expect(cfg.bindings.map((b) => b.role)).to.include.members(["admin", "deployer", "viewer"]);
  });
  it("two loads share no objects (defaults included): changing one config leaves the other as loaded", () => {
    const a = loadConfigFile("config/sandbox/tugboat.yaml"), b = loadConfigFile("config/sandbox/tugboat.yaml");
    a.deploy.analysis.prometheusUrl = "http://127.0.0.1:1";
    const [first] = Object.values(a.deploy.analysis.queries);
    a.deploy.analysis.queries["leaked"] = first!;
    expect(b.deploy.analysis.prometheusUrl).to.not.equal("http://127.0.0.1:1");
    expect(b.deploy.analysis.queries).to.not.have.property("leaked");
  });
  it("loads the example config", () => {
    expect(() => loadConfigFile("config/tugboat.example.yaml")).not.to.throw();
  });

  const base = readFileSync("config/sandbox/tugboat.yaml", "utf8");
  const cases: Array<[string, string, RegExp]> = [
    ["a missing file", "", /cannot read the config file/],
    ["broken YAML", "roles: [unclosed", /YAML error/],
    ["a wrong type", base.replace("ttlHours: 72", "ttlHours: soon"), /reviewlab\.ttlHours: .*number/],
    ["an unknown key", base.replace("defaultCluster: staging", "defaultCluster: staging\nfavouriteColour: blue"), /favouriteColour/],
    ["a binding to an unknown role", base.replace("role: viewer", "role: viewr"), /bindings\[2\]\.role: expected one of the roles/],
    ["a binding to a role named like an Object method", base.replace("role: viewer", "role: toString"), /bindings\[2\]\.role: expected one of the roles/],
    ["a binding to the role __proto__", base.replace("role: viewer", "role: __proto__"), /bindings\[2\]\.role: expected one of the roles/],
    ["an environment on an unknown cluster", base.replace("cluster: production\n    confirm", "cluster: prod\n    confirm"), /environments\.production\.cluster: expected one of the clusters/],
    ["an approval source that is neither a role nor a user group", base.replace("from: [admin, approver]", "from: [admin, aprover]"), /environments\.production\.approvals\.from\[1\]: expected one of the roles \(.*\) or a Slack user group id/],
    ["an approving role without deploy:approve", base.replace("from: [admin, approver]", "from: [admin, viewer]"), /environments\.production\.approvals\.from\[1\]: role viewer cannot approve: give it the deploy:approve permission/],
    ["approvals naming nobody", base.replace("from: [admin, approver], ", ""), /environments\.production\.approvals\.from/],
    ["a malformed permission", base.replace('permissions: ["kube:get"]', 'permissions: ["Kube Get"]'), /roles\.viewer\.permissions\[0\]: a permission such as/],
    ["imageTrust naming nobody (deny by default would refuse every image)", base.replace("imageTrust: { apps: [sandbox-ci] }", "imageTrust: {}"), /apps\.github\.imageTrust: name at least one trusted user or app/],
    ["a cluster-scoped grant written as a short name", base.replace('permissions: ["kube:get"]\n', 'permissions: ["kube:get"]\n    kube: { namespaces: [github-staging], clusterScoped: [ns] }\n'), /roles\.viewer\.kube\.clusterScoped\[0\]: write the plural type name: namespaces/],
    ["a cluster-scoped grant on a role not limited to namespaces", base.replace('permissions: ["kube:get"]\n', 'permissions: ["kube:get"]\n    kube: { clusterScoped: [nodes] }\n'), /roles\.viewer\.kube\.clusterScoped: only narrows a role limited by namespaces/],
    ["a cluster-scoped grant outside the role's resources", base.replace('permissions: ["kube:get"]\n', 'permissions: ["kube:get"]\n    kube: { namespaces: [github-staging], resources: [pods], clusterScoped: [nodes] }\n'), /roles\.viewer\.kube\.clusterScoped\[0\]: nodes is not among this role's resources/],
    ["a cluster-scoped grant with a glob", base.replace('permissions: ["kube:get"]\n', 'permissions: ["kube:get"]\n    kube: { namespaces: [github-staging], clusterScoped: ["*"] }\n'), /roles\.viewer\.kube\.clusterScoped\[0\]: a plural type name/],
    ["an imageTrust user that is not a GitHub login", base.replace("imageTrust: { apps: [sandbox-ci] }", 'imageTrust: { users: ["ci bot"] }'), /apps\.github\.imageTrust\.users\[0\]: a GitHub login/],
  ];
  for (const [name, text, want] of cases) {
    it(`names the file, path and expectation for ${name}`, () => {
      try {
        if (name === "a missing file") loadConfigFile("config/does-not-exist.yaml");
        else parseConfig(text, "config/tugboat.yaml");
        expect.fail("should have thrown");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as Error).message).to.match(want);
        expect((err as Error).message).to.contain("config/");
      }
    });
  }
});

describe("startup plan", () => {
  it("runs the sandbox when nothing is configured", () => {
    const plan = planStartup({});
    expect(plan.sandbox).to.equal(true);
    expect(plan.chat).to.equal("terminal");
  });
  it("picks Socket Mode or HTTP from the Slack variables", () => {
    const live = { KUBECONFIG: "/k", GITHUB_TOKEN: "t", SLACK_BOT_TOKEN: "xoxb-1" };
    expect(planStartup({ ...live, SLACK_APP_TOKEN: "xapp-1" }).chat).to.equal("slack-socket");
    expect(planStartup({ ...live, SLACK_SIGNING_SECRET: "s" }).chat).to.equal("slack-http");
  });
  it("never falls back to the sandbox when partly configured, and says what is missing", () => {
    expect(() => planStartup({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" })).to.throw(StartupError, /KUBECONFIG.*TUGBOAT_CLUSTERS[\s\S]*GITHUB_TOKEN/);
    expect(() => planStartup({ KUBECONFIG: "/k" })).to.throw(StartupError, /GITHUB_TOKEN/);
    expect(() => planStartup({ KUBECONFIG: "/k", GITHUB_TOKEN: "t", SLACK_BOT_TOKEN: "xoxb" })).to.throw(StartupError, /SLACK_APP_TOKEN.*SLACK_SIGNING_SECRET/);
    expect(() => planStartup({ KUBECONFIG: "/k", GITHUB_APP_ID: "1" })).to.throw(StartupError, /GITHUB_PRIVATE_KEY/);
    expect(() => planStartup({ KUBECONFIG: "/k", GITHUB_APP_ID: "1", GITHUB_PRIVATE_KEY: "k" })).to.throw(StartupError, /GITHUB_INSTALLATION_ID/);
    // Any GitHub App variable alone is a live setup too, never a silent sandbox.
    expect(() => planStartup({ GITHUB_PRIVATE_KEY: "k" })).to.throw(StartupError, /partly configured/);
    expect(() => planStartup({ GITHUB_INSTALLATION_ID: "42" })).to.throw(StartupError, /partly configured/);
  });
  it("accepts a GitHub App instead of a token, and in-cluster Kubernetes", () => {
    const plan = planStartup({ TUGBOAT_CLUSTERS: "in-cluster", GITHUB_APP_ID: "1", GITHUB_PRIVATE_KEY: "k", GITHUB_INSTALLATION_ID: "42" });
    expect(plan.inCluster).to.equal(true);
    expect(plan.github.appId).to.equal("1");
    expect(plan.github.installationId).to.equal("42");
  });
  it("refuses a bad PORT", () => expect(() => planStartup({ PORT: "http" })).to.throw(StartupError, /PORT/));
});
