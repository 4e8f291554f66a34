// Checks webhook payloads against @octokit/webhooks-schemas (the community JSON schemas of GitHub's deliveries).
import { createRequire } from "node:module";
import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import type { ValidateFunction } from "ajv";

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

let ajv: InstanceType<typeof Ajv> | undefined;
const validators = new Map<string, ValidateFunction>();

/** The schema's definition for a delivery: "push$event", "status$event", "pull_request$opened", "check_run$completed"… */
export function definitionFor(event: string, action?: string): string {
  return action ? `${event}$${action}` : `${event}$event`;
}

/** The problems of a payload against its event's schema ("" when it validates). */
export function schemaProblems(event: string, payload: unknown): string {
  if (!ajv) {
    const schema = createRequire(import.meta.url)("@octokit/webhooks-schemas") as Record<string, unknown>;
    // The published schema is not checked against the meta-schema first (a few seconds saved on a large file).
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema({ ...schema, $id: "webhooks" });
  }
  const action = (payload as { action?: unknown }).action;
  const name = definitionFor(event, typeof action === "string" ? action : undefined);
  let v = validators.get(name);
  if (!v) {
    v = ajv.getSchema(`webhooks#/definitions/${name}`);
    if (!v) return `no schema for ${name}`;
    validators.set(name, v);
  }
  if (v(payload)) return "";
  return (v.errors ?? []).slice(0, 15).map((e) => `${name}: ${e.instancePath || "(payload)"} ${e.message} ${JSON.stringify(e.params)}`).join("\n");
}
