import { expect } from "chai";
import { channelMention, joinText, link, mention, plainText, rich, textParts } from "../../src/core/reply.js";
import { renderBlocks, toMrkdwn, cutMrkdwn } from "../../src/chat/slack/render-blocks.js";
import { renderText } from "../../src/chat/terminal/render-text.js";
import { renderFullText } from "../../src/chat/slack/render-full-text.js";

// The reply text model: strings are plain text everywhere; only mention()/link() nodes become markup.

/** Every sequence Slack would read as markup or an entity. */
const SPECIALS = ["<!channel>", "<!here>", "<!subteam^S123>", "<@U123>", "<http://evil.example|Approve>", "&amp;", "a & b"];

describe("reply text: plain strings and Tugboat-made markup", () => {
  it("Slack: every special sequence in a plain string is escaped, in every block type and the fallback text", () => {
    for (const evil of SPECIALS) {
      const r = renderBlocks({
        summary: `deploy ${evil}`,
        tone: "info",
        blocks: [
          { type: "text", text: `title ${evil}` },
          { type: "fields", fields: [{ label: `label ${evil}`, value: `value ${evil}` }] },
          { type: "list", items: [`item ${evil}`] },
          { type: "progress", items: [{ label: `step ${evil}`, state: "running", detail: `detail ${evil}` }] },
          { type: "context", text: `small ${evil}` },
          { type: "code", text: `code ${evil}` },
          { type: "header", text: `${"long header ".repeat(14)}${evil}` },
        ],
      });
      const sent = JSON.stringify([r.text, r.blocks]);
      expect(sent, evil).not.to.match(/<[!@h]/);
      expect(r.text).to.include(`deploy ${evil.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}`);
    }
  });

  it("Slack: mention and link nodes are markup; a forged id or a non-http URL stays text", () => {
    expect(toMrkdwn(rich`by ${mention("UADMIN")}`)).to.equal("by <@UADMIN>");
    expect(toMrkdwn(mention("U1> <!channel"))).to.equal("U1&gt; &lt;!channel");
    expect(toMrkdwn(rich`from ${channelMention("CDEPLOYS")} or ${channelMention("C1|x> <!here")}`)).to.equal("from <#CDEPLOYS> or C1|x&gt; &lt;!here");
    expect(toMrkdwn(link("https://x.example/a?b=1&c=2", "PR <!here>"))).to.equal("<https://x.example/a?b=1&amp;c=2|PR &lt;!here&gt;>");
    expect(toMrkdwn(link("https://x.example/a|b>c"))).to.equal("<https://x.example/a%7Cb%3Ec>");
    expect(toMrkdwn(link("javascript:alert(1)", "click"))).to.equal("click (javascript:alert(1))");
    expect(textParts(link("not a url"))).to.deep.equal(["not a url"]);
  });

  it("cutting rendered text never leaves half an entity or half a node", () => {
    expect(cutMrkdwn("ab &amp; cd", 5)).to.equal("ab ");
    expect(cutMrkdwn("ab <@UADMIN> cd", 7)).to.equal("ab ");
    expect(cutMrkdwn("ab <@UADMIN> cd", 13)).to.equal("ab <@UADMIN> ");
  });

  it("plain text: mentions as @U…, links as label (url), and RichText reads as plain text when interpolated", () => {
    const t = rich`locked by ${mention("UADMIN")} <!channel> see ${link("https://x.example/", "#1")}`;
    expect(plainText(t)).to.equal("locked by @UADMIN <!channel> see #1 (https://x.example/)");
    expect(`${t}`).to.equal(plainText(t));
    expect(plainText(joinText(["a", mention("UBOB")], ", "))).to.equal("a, @UBOB");
  });

  it("terminal and uploaded full text print strings as written (no markup read from them)", () => {
    const reply = {
      summary: "s",
      tone: "success" as const,
      blocks: [
        { type: "text" as const, text: rich`<http://evil.example|Approve> by ${mention("UADMIN")}` },
        { type: "fields" as const, fields: [{ label: "PR", value: link("https://x.example/pull/1", "#1") }] },
      ],
    };
    expect(renderText(reply)).to.equal("<http://evil.example|Approve> by @UADMIN\nPR: #1 (https://x.example/pull/1)");
    expect(renderFullText(reply)).to.equal("<http://evil.example|Approve> by @UADMIN\nPR: #1 (https://x.example/pull/1)\n");
  });
});
