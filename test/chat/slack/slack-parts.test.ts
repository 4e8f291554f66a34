import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { LogLevel } from "@slack/bolt";
import { createBoltLogger } from "../../../src/chat/slack/bolt-logger.js";
import { SeenIds } from "../../../src/core/seen-ids.js";
import { commandTextFromMessage, commandTextFromSlash, familyOfSlashCommand } from "../../../src/chat/slack/parse-mention.js";
import { createSlackAdapter } from "../../../src/chat/slack/slack-adapter.js";
import { ResponseUrl, canInvite } from "../../../src/chat/slack/response-url.js";
import { buildFamilies } from "../../../src/commands/index.js";
import { capturingLogger, type LogLine } from "./helpers/test-bot.js";

describe("Slack adapter parts", () => {
  describe("command text", () => {
    it("strips the bot's mention and keeps the rest, Hubot-style", () => {
      expect(commandTextFromMessage("<@UBOT> deploy PR4812 to canary", "UBOT")).to.equal("deploy PR4812 to canary");
      expect(commandTextFromMessage("<@UBOT|tugboat>: deploy   PR4812\u00a0to canary", "UBOT")).to.equal("deploy PR4812 to canary");
      expect(commandTextFromMessage("<@UBOT> kube get pods -l app=<http://a.example.com|a.example.com>", "UBOT")).to.equal("kube get pods -l app=a.example.com");
      expect(commandTextFromMessage("<@UBOT> kube logs x --since 1h &amp;&amp; &lt;b&gt;", "UBOT")).to.equal("kube logs x --since 1h && <b>");
      // Other people's mentions stay: a command may take a user.
      expect(commandTextFromMessage("<@UBOT> reviewlab list <@UALICE>", "UBOT")).to.equal("reviewlab list <@UALICE>");
    });

    it("reads slash command text and family", () => {
      expect(commandTextFromSlash("  get pods -n a&amp;b ")).to.equal("get pods -n a&b");
      expect(commandTextFromSlash(undefined)).to.equal("");
      expect(familyOfSlashCommand("/Deploy")).to.equal("deploy");
    });
  });

  describe("SeenIds", () => {
    it("answers true once per id within the ttl", () => {
      let t = 0;
      const seen = new SeenIds(1000, () => t);
      expect(seen.firstTime("Ev1")).to.equal(true);
      expect(seen.firstTime("Ev1")).to.equal(false);
      expect(seen.firstTime("Ev2")).to.equal(true);
      t = 1001;
      expect(seen.firstTime("Ev1")).to.equal(true);
    });

    it("stays bounded", () => {
      const seen = new SeenIds(60_000, () => 0, 100);
      for (let i = 0; i < 1000; i++) seen.firstTime(`Ev${i}`);
      expect(seen.firstTime("Ev999")).to.equal(false);
      expect((seen as unknown as { seen: Map<string, number> }).seen.size).to.be.at.most(101);
    });
  });

  describe("Bolt logger bridge", () => {
    it("drops debug lines by default and scrubs tokens and the signing secret", () => {
      const lines: LogLine[] = [];
      const bolt = createBoltLogger(capturingLogger(lines), ["xoxb-secret-token-123", "my-signing-secret"]);
      bolt.debug("http request body: token=xoxb-secret-token-123");
      bolt.warn("failed with xoxb-secret-token-123 and my-signing-secret and xapp-1-A1-999-abc", { header: "Bearer xoxb-other-9" });
      expect(lines).to.have.length(1);
      const text = JSON.stringify(lines);
      expect(text).not.to.include("xoxb-secret-token-123");
      expect(text).not.to.include("my-signing-secret");
      expect(text).not.to.include("xapp-1-A1-999-abc");
      expect(text).not.to.include("xoxb-other-9");
      bolt.setLevel(LogLevel.DEBUG);
      expect(bolt.getLevel()).to.equal(LogLevel.DEBUG);
    });
  });

  describe("options", () => {
    const base = { botToken: "xoxb-1", port: 0, log: capturingLogger([]), confirmTimeoutSeconds: 5, userGroupCacheSeconds: 5 };
    it("needs the app token for Socket Mode and the signing secret for HTTP, naming the variable", () => {
      expect(() => createSlackAdapter({ ...base, mode: "socket" })).to.throw(/SLACK_APP_TOKEN/);
      expect(() => createSlackAdapter({ ...base, mode: "http" })).to.throw(/SLACK_SIGNING_SECRET/);
    });

    it("builds a Socket Mode adapter without touching the network until start()", () => {
      const adapter = createSlackAdapter({ ...base, mode: "socket", appToken: "xapp-1-A1-1-abc" });
      expect(adapter.httpPort()).to.equal(undefined);
      expect(adapter.groups.groupsOf).to.be.a("function");
    });
  });

  describe("response_url", () => {
    it("counts Slack's 5 posts and expires after 30 minutes", async () => {
      let t = 0;
      const sent: unknown[] = [];
      const url = new ResponseUrl(async (m) => void sent.push(m) as never, () => t);
      for (let i = 0; i < 5; i++) await url.send({ text: `post ${i}` });
      expect(url.left).to.equal(0);
      let refused: unknown;
      await url.send({ text: "sixth" }).catch((e) => (refused = e));
      expect(String(refused)).to.match(/used up/);
      expect(sent).to.have.length(5);
      const fresh = new ResponseUrl(async () => undefined as never, () => t);
      t += 30 * 60 * 1000;
      expect(fresh.left).to.equal(0);
    });

    it("offers /invite only where an app can be invited", () => {
      expect(canInvite("CPRIVATE", "privategroup")).to.equal(true);
      expect(canInvite("C123", "deploys")).to.equal(true);
      expect(canInvite("D123", "directmessage")).to.equal(false);
      expect(canInvite("G123", "mpdm-alice--bob-1")).to.equal(false);
    });
  });

  describe("app manifest", () => {
    const manifest = parse(readFileSync(fileURLToPath(new URL("../../../config/slack-app-manifest.yml", import.meta.url)), "utf8"));

    it("names the app Tugboat and declares the five slash commands", () => {
      expect(manifest.display_information.name).to.equal("Tugboat");
      expect(manifest.features.bot_user.display_name).to.equal("Tugboat");
      const commands = manifest.features.slash_commands;
      expect(commands.map((c: { command: string }) => c.command)).to.deep.equal(["/kube", "/deploy", "/canary", "/reviewlab", "/nodes"]);
      for (const c of commands) {
        expect(c.command).to.match(/^\/[a-z]{1,31}$/);
        expect(c.description, c.command).to.be.a("string").and.not.equal("");
        expect(c.usage_hint, c.command).to.be.a("string").and.not.equal("");
        expect(c.should_escape, c.command).to.equal(false);
      }
    });

    it("hints only subcommands that exist", () => {
      const verbs = new Map(buildFamilies().map((f) => [`/${f.name}`, new Set(f.commands.map((c) => c.verb))]));
      for (const c of manifest.features.slash_commands as Array<{ command: string; usage_hint: string }>) {
        const known = verbs.get(c.command)!;
        for (const alternative of c.usage_hint.split("|")) {
          const word = alternative.trim().split(/\s+/)[0]!;
          if (/^[a-z]+$/.test(word) && word !== "help") expect([...known], `${c.command}: "${word}" in the usage hint`).to.include(word);
        }
      }
    });

    it("asks for exactly the bot scopes of the Web API methods the adapter calls, its events and slash commands", () => {
      // The scopes each Web API method needs (api.slack.com/methods). A call not in this table fails the test, so a
      // new method brings its scope into the manifest; a scope nothing needs fails it too.
      const scopesOf: Record<string, string[]> = {
        // chat:write.public: post in public channels without being invited.
        "chat.postMessage": ["chat:write", "chat:write.public"],
        "chat.update": ["chat:write"],
        "chat.postEphemeral": ["chat:write"],
        "chat.getPermalink": [],
        "conversations.open": ["im:write"],
        filesUploadV2: ["files:write"],
        "usergroups.users.list": ["usergroups:read"],
        "views.publish": [],
        // No scope: a trigger_id is the permission (the production confirmation modal).
        "views.open": [],
      };
      const eventScopes: Record<string, string[]> = { app_mention: ["app_mentions:read"], "message.im": ["im:history"], app_home_opened: [] };
      const dir = fileURLToPath(new URL("../../../src/chat/slack/", import.meta.url));
      const source = readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => readFileSync(join(dir, f), "utf8"))
        .join("\n");
      const called = new Set([...source.matchAll(/client\.((?:chat|conversations|usergroups|users|files|im|reactions|views)\.[\w.]+?|filesUploadV2)\(/g)].map((m) => m[1]!));
      expect([...called]).to.include.members(["chat.postMessage", "chat.update", "usergroups.users.list"]);
      for (const method of called) expect(scopesOf, `scopes of ${method}`).to.have.property(method);
      const needed = new Set(["commands", ...[...called].flatMap((m) => scopesOf[m]!), ...manifest.settings.event_subscriptions.bot_events.flatMap((e: string) => eventScopes[e]!)]);
      expect(manifest.oauth_config.scopes.bot).to.have.members([...needed]);
      expect(manifest.oauth_config.scopes.bot).not.to.include.members(["users:read"]);
      expect(manifest.settings.event_subscriptions.bot_events).to.have.members(["app_mention", "message.im", "app_home_opened"]);
      expect(manifest.features.app_home.home_tab_enabled).to.equal(true);
      expect(manifest.settings.interactivity.is_enabled).to.equal(true);
      expect(manifest.settings.socket_mode_enabled).to.equal(true);
      expect(readFileSync(fileURLToPath(new URL("../../../config/slack-app-manifest.yml", import.meta.url)), "utf8")).to.match(/request_url: https:\/\/\S+\/slack\/events/);
    });
  });
});
