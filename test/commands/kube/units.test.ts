import { expect } from "chai";
import { loadConfigFile } from "../../../src/config/load-config.js";
import { UsageError } from "../../../src/core/errors.js";
import { cutForChat, dataReply, MAX_CHARS, MAX_LINES } from "../../../src/commands/kube/chat-output.js";
import { compareValues, parseFieldPath, evaluatePath } from "../../../src/commands/kube/jsonpath.js";
import { parseGetArgs, parseLogsArgs } from "../../../src/commands/kube/parse-kube-args.js";
import { forDisplay, redactSecret } from "../../../src/commands/kube/redact-secret.js";
import { chooseCluster, defaultNamespace } from "../../../src/domain/select-cluster.js";
import { didYouMean, editDistance } from "../../../src/core/suggest.js";
import { smartLabel } from "../../../src/commands/kube/describe-format.js";

// Pure pieces of /kube, without a sandbox.

describe("/kube units", () => {
  describe("grammar", () => {
    it("parses every get form", () => {
      const a = parseGetArgs(["po,svc", "-n", "github-staging", "-o", "wide", "--sort-by", "{.metadata.name}", "--cluster", "staging"]);
      expect(a.requests).to.deep.equal([{ type: "po", names: [] }, { type: "svc", names: [] }]);
      expect(a).to.include({ namespace: "github-staging", output: "wide", cluster: "staging", multiType: true, allNamespaces: false });
      expect(a.sortBy?.steps).to.deep.equal(["metadata", "name"]);
      const b = parseGetArgs(["deploy", "unicorn", "unicorn-api", "-nfoo"]);
      expect(b.requests).to.deep.equal([{ type: "deploy", names: ["unicorn", "unicorn-api"] }]);
      expect(b.namespace).to.equal("foo");
      const c = parseGetArgs(["pod/a", "deploy/b", "pod/c"]);
      expect(c.requests).to.deep.equal([{ type: "pod", names: ["a", "c"] }, { type: "deploy", names: ["b"] }]);
      const d = parseGetArgs(["pods", "-A", "-l", "app=unicorn,tier in (web,api)", "--field-selector=status.phase!=Running", "-o=name"]);
      expect(d).to.include({ allNamespaces: true, selector: "app=unicorn,tier in (web,api)", fieldSelector: "status.phase!=Running", output: "name" });
    });
    it("refuses identity flags by name, whatever their spelling", () => {
      for (const words of [["pods", "--as=x"], ["pods", "--as", "x"], ["pods", "--token=t"], ["pods", "-s", "https://x"], ["pods", "--kubeconfig=/x"]]) {
        expect(() => parseGetArgs(words), words.join(" ")).to.throw(UsageError, /is refused/);
      }
    });
    it("logs: tail 1..500, durations", () => {
      expect(parseLogsArgs(["p", "--tail", "500", "--since", "1h30m"])).to.include({ pod: "p", tail: 500, sinceSeconds: 5400 });
      for (const bad of ["0", "501", "abc", "1.5", "-1"]) expect(() => parseLogsArgs(["p", "--tail", bad]), bad).to.throw(UsageError);
    });
  });

  describe("cluster and namespace choice", () => {
    const config = loadConfigFile("config/sandbox/tugboat.yaml");
    const known = ["production", "staging"];
    it("--cluster, then the environment of -n, then the channel, then the default", () => {
      expect(chooseCluster(config, known, { cluster: "production", namespace: "github-staging", channelId: "C" }).cluster).to.equal("production");
      expect(chooseCluster(config, known, { namespace: "github-production", channelId: "CGITHUB" })).to.deep.equal({ cluster: "production", reason: "namespace" });
      expect(chooseCluster(config, known, { namespace: "other", channelId: "CDEPLOYS" })).to.deep.equal({ cluster: "production", reason: "channel" });
      expect(chooseCluster(config, known, { channelId: "C" })).to.deep.equal({ cluster: "staging", reason: "default" });
      expect(() => chooseCluster(config, known, { cluster: "mars", channelId: "C" })).to.throw('Unknown cluster "mars"; known clusters: production, staging.');
    });
    it("applies per-app overrides of namespace and cluster", () => {
      const c = structuredClone(config);
      c.apps.github!.environments = { staging: { namespace: "gh-stage", cluster: "production" } };
      expect(chooseCluster(c, known, { namespace: "gh-stage", channelId: "C" }).cluster).to.equal("production");
      expect(chooseCluster(c, known, { namespace: "github-staging", channelId: "C" }).reason).to.equal("default");
    });
    it("defaults the namespace to the channel app's environment on that cluster", () => {
      expect(defaultNamespace(config, "production", "CDEPLOYS")).to.equal("github-production");
      expect(defaultNamespace(config, "staging", "CDEPLOYS")).to.equal("github-staging");
      expect(defaultNamespace(config, "staging", "CNONE")).to.equal("default");
    });
  });

  describe("Secret redaction", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: "s",
        managedFields: [{ manager: "kubectl" }],
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"a":"aGVsbG8="},"stringData":{"b":"xyz"}}\n', other: "keep" },
      },
      data: { a: "aGVsbG8=" },
      stringData: { b: "xyz" },
    };
    it("replaces data and stringData values with their sizes, inside last-applied too", () => {
      const r = forDisplay(secret);
      expect(r.data).to.deep.equal({ a: "<redacted: 5 bytes>" });
      expect(r.stringData).to.deep.equal({ b: "<redacted: 3 bytes>" });
      expect(r.metadata!.managedFields).to.equal(undefined);
      expect(r.metadata!.annotations!.other).to.equal("keep");
      expect(JSON.parse(r.metadata!.annotations!["kubectl.kubernetes.io/last-applied-configuration"]!)).to.deep.equal({
        data: { a: "<redacted: 5 bytes>" },
        stringData: { b: "<redacted: 3 bytes>" },
      });
      expect(secret.data.a).to.equal("aGVsbG8="); // the input is not modified
    });
    it("redacts an unparseable last-applied annotation whole; leaves other kinds alone", () => {
      const r = redactSecret({ ...secret, metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "not json aGVsbG8=" } } });
      expect(r.metadata!.annotations!["kubectl.kubernetes.io/last-applied-configuration"]).to.equal("<redacted>");
      const cm = { apiVersion: "v1", kind: "ConfigMap", data: { a: "b" } };
      expect(redactSecret(cm)).to.equal(cm);
    });
  });

  describe("chat limits", () => {
    it("keeps short output whole and cuts long output saying how much is left", () => {
      expect(cutForChat("a\nb", "rows")).to.deep.equal({ inline: "a\nb", omitted: 0 });
      const rows = ["NAME   AGE", ...Array.from({ length: 4812 + 38 }, (_, i) => `pod-${i}   1d`)].join("\n");
      const cut = cutForChat(rows, "rows", new Set([0]));
      const lines = cut.inline.split("\n");
      expect(lines).to.have.length(MAX_LINES);
      expect(lines.at(-1)).to.equal("… 4,812 more rows; the whole output is attached");
      const reply = dataReply({ summary: "s", context: "c", text: rows, unit: "rows", nonRowLines: new Set([0]), filename: "f.txt" });
      expect(reply.attachment?.content).to.equal(rows + "\n");
    });
    it("respects the character limit and cuts a single enormous line visibly", () => {
      const wide = Array.from({ length: 30 }, () => "x".repeat(200)).join("\n");
      const cut = cutForChat(wide, "lines");
      expect(cut.inline.length).to.be.at.most(MAX_CHARS);
      expect(cut.inline).to.match(/… \d+ more lines; the whole output is attached$/);
      const huge = cutForChat("y".repeat(10_000), "lines");
      expect(huge.inline.length).to.be.at.most(MAX_CHARS);
      expect(huge.inline).to.contain("(first line cut)");
    });
  });

  describe("suggestions, sorting and labels", () => {
    it("edit distance and prefix matches", () => {
      expect(editDistance("unicron", "unicorn")).to.equal(2);
      expect(didYouMean("unicron", ["unicorn", "consul-service-router"])).to.equal(" Did you mean `unicorn`?");
      expect(didYouMean("unicorn", ["unicorn-abc-1", "unicorn-api-x-2", "redis"])).to.equal(" Did you mean `unicorn-abc-1` or `unicorn-api-x-2`?");
      expect(didYouMean("zzz", ["unicorn"])).to.equal("");
    });
    it("kubectl's order: strings byte by byte, quantities by amount, numbers, missing first", () => {
      expect(compareValues("pod-10", "pod-2")).to.be.below(0);
      expect(compareValues("9", "10")).to.be.below(0);
      expect(compareValues("900Mi", "1Gi")).to.be.below(0);
      expect(compareValues("100m", "1")).to.be.below(0);
      expect(compareValues(undefined, "a")).to.be.below(0);
      expect(compareValues(10, 9)).to.be.above(0);
      expect(evaluatePath({ spec: { containers: [{ image: "x" }] } }, parseFieldPath(".spec.containers[0].image"))).to.equal("x");
      expect(evaluatePath({ metadata: { labels: { "app.kubernetes.io/name": "y" } } }, parseFieldPath("{.metadata.labels['app.kubernetes.io/name']}"))).to.equal("y");
      expect(() => parseFieldPath("..")).to.throw(UsageError);
    });
    it("describe's smart labels", () => {
      expect(smartLabel("creationTimestamp")).to.equal("Creation Timestamp");
      expect(smartLabel("uid")).to.equal("UID");
      expect(smartLabel("apiVersion")).to.equal("API Version");
      expect(smartLabel("podIP")).to.equal("Pod IP");
      expect(smartLabel("GITHUB_TOKEN")).to.equal("GITHUB_TOKEN");
    });
  });
});
