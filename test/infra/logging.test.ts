import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createLogging, SecretRegistry } from "../../src/infra/logging.js";
import type { AuditEntry } from "../../src/core/logger.js";

describe("logging", () => {
  async function capture(fn: (l: ReturnType<typeof createLogging>) => void, secrets = new SecretRegistry(), level = "debug") {
    const out = new PassThrough();
    const audit = new PassThrough();
    let text = "";
    let auditText = "";
    out.on("data", (c) => (text += c));
    audit.on("data", (c) => (auditText += c));
    const logging = createLogging({ level, secrets, stream: out, auditStream: audit });
    fn(logging);
    await logging.close();
    return { text, auditText };
  }

  it("writes JSON lines with the request id from child loggers", async () => {
    const { text } = await capture((l) => l.logger.child({ requestId: "abcd1234" }).info("command started", { command: "kube get" }));
    const line = JSON.parse(text.trim());
    expect(line).to.include({ message: "command started", requestId: "abcd1234", command: "kube get", level: "info" });
  });

  it("never writes tokens or registered secret values", async () => {
    const secrets = new SecretRegistry();
    secrets.add("s3cr3t-db-password");
    const { text } = await capture((l) => {
      l.logger.info("config", { token: "xoxb-123456-abcdef", nested: { authorization: "Bearer abc.def.ghi" } });
      l.logger.warn("oops xoxb-999999-zzzzzz and ghp_abcdefghijklmnopqrstuvwxyz012345 leaked");
      l.logger.error("secret value s3cr3t-db-password in a message", { value: "s3cr3t-db-password", data: { PASSWORD: "x" } });
    }, secrets);
    for (const leak of ["xoxb-123456", "abc.def.ghi", "xoxb-999999", "ghp_abcdef", "s3cr3t-db-password"]) expect(text).not.to.contain(leak);
    expect(text).to.contain("[redacted]");
  });

  it("redacts at any depth: a deeply nested error response leaks nothing", async () => {
    let deep: Record<string, unknown> = { headers: { authorization: "Bearer deep.nested.credential" }, note: "xoxb-777777-deepdeep" };
    for (let i = 0; i < 12; i++) deep = { level: deep };
    const { text } = await capture((l) => l.logger.error("request failed", { response: deep, error: new Error("boom with xoxb-888888-errerr") }));
    expect(text).not.to.contain("deep.nested.credential");
    expect(text).not.to.contain("xoxb-777777");
    expect(text).not.to.contain("xoxb-888888");
    expect(JSON.parse(text.trim()).error.message).to.equal("boom with [redacted]");
  });

  it("drops a line below the level before formatting it (no redaction walk, no JSON), and still writes the audit trail", async () => {
    let read = 0;
    const meta = {
      get command() {
        read++;
        return "kube get";
      },
    };
    const { text, auditText } = await capture(
      (l) => {
        l.logger.child({ requestId: "r1" }).info("command started", meta);
        l.logger.debug("details", meta);
        l.logger.warn("slow", meta);
        l.audit.record({ requestId: "r1", actor: "UADMIN", channel: "C1", command: "/kube get pods", decision: "allowed", outcome: "success", durationMs: 3 });
      },
      new SecretRegistry(),
      "warn",
    );
    expect(text.trim().split("\n").map((l) => JSON.parse(l).message)).to.deep.equal(["slow"]);
    expect(read, "only the warning's meta was read").to.equal(1);
    expect(JSON.parse(auditText.trim())).to.include({ log: "audit", command: "/kube get pods" });
  });

  it("keeps the audit trail on its own transport", async () => {
    const { text, auditText } = await capture((l) =>
      l.audit.record({ requestId: "r1", actor: "UADMIN", channel: "C1", command: "/nodes add 2", decision: "allowed", outcome: "success", durationMs: 12, details: { before: 3, after: 5 } }),
    );
    expect(text).to.equal("");
    const entry = JSON.parse(auditText.trim());
    expect(entry).to.include({ log: "audit", actor: "UADMIN", command: "/nodes add 2", outcome: "success" });
    expect(entry.details).to.deep.equal({ before: 3, after: 5 });
  });

  describe("with files (the terminal)", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tugboat-logging-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const entry = (i: number): AuditEntry => ({ requestId: `r${i}`, actor: "UADMIN", channel: "terminal", command: "help", decision: "allowed", outcome: "success", durationMs: 1 });

    it("close() hands every line to the audit file first, and a line logged while or after closing is dropped, not a crash", async () => {
      const auditFile = join(dir, "audit.log");
      const logging = createLogging({ level: "warn", secrets: new SecretRegistry(), stream: new PassThrough(), auditFile });
      for (let i = 0; i < 3000; i++) logging.audit.record(entry(i));
      const closing = logging.close();
      // A background task that logs during shutdown used to end the process with "write after end".
      logging.audit.record(entry(-1));
      logging.logger.warn("late");
      await closing;
      logging.audit.record(entry(-2));
      const lines = readFileSync(auditFile, "utf8").trim().split("\n");
      expect(lines).to.have.length(3000);
      expect(JSON.parse(lines[2999]!)).to.include({ requestId: "r2999", log: "audit" });
    });

    it("sends operational logs to the log file and shows only background warnings, as one human line", async () => {
      const logFile = join(dir, "tugboat.log");
      const notices = new PassThrough();
      let shown = "";
      notices.on("data", (c) => (shown += c));
      const secrets = new SecretRegistry();
      secrets.add("s3cr3t-token-value");
      const logging = createLogging({ level: "info", secrets, logFile, noticeStream: notices, auditStream: new PassThrough() });
      const request = logging.logger.child({ requestId: "abcd1234" });
      request.error("github client", { detail: "GET /repos/octo/github/pulls/99999 - 404" });
      request.warn("apply failed", { error: "conflict" });
      logging.logger.child({ task: "reviewlab" }).warn("review-lab reaper pass failed", { error: "connect ECONNREFUSED s3cr3t-token-value\u001b[2J" });
      logging.logger.info("Slack adapter started");
      await logging.close();
      expect(shown).to.equal("tugboat warning: review-lab reaper pass failed (error: connect ECONNREFUSED [redacted] [2J)\n");
      const file = readFileSync(logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(file.map((l) => l.message)).to.deep.equal(["github client", "apply failed", "review-lab reaper pass failed", "Slack adapter started"]);
      expect(readFileSync(logFile, "utf8")).not.to.contain("s3cr3t-token-value");
    });
  });
});
