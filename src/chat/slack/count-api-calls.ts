import type { webApi } from "@slack/bolt";

// Counts the Web API calls the bot's WebClient makes: the client takes a fetch function, and this one reports each
// answer's API method (chat.postMessage) and outcome before handing the response on unchanged.

export interface SlackCallCounter {
  slackApiCall(method: string, status: string): void;
}

/** A fetch for WebClientOptions.fetch that reports every call to `counter`. */
export function countingFetch(counter: SlackCallCounter, inner: typeof fetch = fetch): webApi.FetchFunction {
  return async (url, init) => {
    const method = apiMethodOf(url);
    let res: Response;
    try {
      res = await inner(url, init as RequestInit);
    } catch (err) {
      counter.slackApiCall(method, "error");
      throw err;
    }
    // Slack answers 200 with {"ok": false, "error": "channel_not_found"} for most failures: count the code. Upload
    // URLs answer plain text: their HTTP status is the outcome.
    if (res.status !== 200 || method === UPLOAD) counter.slackApiCall(method, String(res.status));
    else void res.clone().json().then(
      (body) => counter.slackApiCall(method, outcomeOf(body)),
      () => counter.slackApiCall(method, "unparsed"),
    );
    return res as unknown as Awaited<ReturnType<webApi.FetchFunction>>;
  };
}

const UPLOAD = "upload";

/** "chat.postMessage" for .../api/chat.postMessage; "upload" for the file-upload URLs Slack hands out. */
function apiMethodOf(url: string | URL): string {
  try {
    const m = /\/api\/([A-Za-z]+(?:\.[A-Za-z]+)+)$/.exec(new URL(url).pathname);
    return m ? m[1]! : UPLOAD;
  } catch {
    return UPLOAD;
  }
}

function outcomeOf(body: unknown): string {
  const b = body as { ok?: unknown; error?: unknown };
  if (b?.ok === true) return "ok";
  // Slack's error codes are short snake_case words; anything else is not a label value.
  return typeof b?.error === "string" && /^[a-z_]{1,60}$/.test(b.error) ? b.error : "error";
}
