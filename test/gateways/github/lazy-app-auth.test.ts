import { expect } from "chai";
import { inFreshNode } from "../../helpers/fresh-node.js";

// GitHub App authentication loads on first use (src/gateways/github/create-octokit.ts): a bot with a token never
// loads @octokit/auth-app, an App's bot loads it with its first request, and that request is authenticated as the
// installation. Each case runs in a fresh node that notes every ES module it resolves.

async function child(auth: string): Promise<unknown> {
  return inFreshNode(`
    import { readFileSync } from "node:fs";
    import { createServer } from "node:http";
    import { generateKeyPairSync } from "node:crypto";
    const loaded = () => readFileSync(LOG, "utf8").includes("/node_modules/@octokit/auth-app/");
    const seen = [];
    const server = createServer((req, res) => {
      seen.push(req.method + " " + req.url + " " + (req.headers.authorization ?? "").replace(/^bearer eyJ.*/i, "bearer <jwt>"));
      res.setHeader("content-type", "application/json");
      if (req.url === "/app/installations/7/access_tokens") { res.statusCode = 201; res.end(JSON.stringify({ token: "ghs_installation", expires_at: "2999-01-01T00:00:00Z", permissions: {}, repository_selection: "all" })); return; }
      res.end(JSON.stringify({ number: 1 }));
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const { createOctokit } = await import("./src/gateways/github/create-octokit.ts");
    const octokit = createOctokit({ baseUrl: "http://127.0.0.1:" + server.address().port, ...${auth}, log: { warn() {}, debug() {} }, retries: 0, throttle: false });
    const before = loaded();
    const { data } = await octokit.rest.pulls.get({ owner: "o", repo: "r", pull_number: 1 });
    server.close();
    console.log(JSON.stringify({ before, number: data.number, seen, after: loaded() }));
  `);
}

describe("GitHub App authentication loads on first use", function () {
  this.timeout(30_000);

  it("a token never loads @octokit/auth-app", async () => {
    expect(await child(`{ token: "ghp_token" }`)).to.deep.equal({ before: false, number: 1, seen: ["GET /repos/o/r/pulls/1 token ghp_token"], after: false });
  });

  it("an App loads it with its first request, which goes out as the installation", async () => {
    expect(await child(`{ appId: "12", privateKey, installationId: "7" }`)).to.deep.equal({
      before: false,
      number: 1,
      seen: ["POST /app/installations/7/access_tokens bearer <jwt>", "GET /repos/o/r/pulls/1 token ghs_installation"],
      after: true,
    });
  });
});
