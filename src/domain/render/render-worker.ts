import { parentPort } from "node:worker_threads";
import type { TemplateValues } from "../render-manifests.js";
import { renderManifestsWithin } from "./render-templates.js";

// Worker thread entry (see render-pool.ts): renders one template per message, so a template that runs away
// costs only this thread, which the pool ends when its time runs out.

export interface RenderRequest {
  id: number;
  file: string;
  source: string;
  values: TemplateValues;
  maxBytes: number;
}

export type RenderResponse = { id: number; ok: true; objects: unknown[]; bytes: number } | { id: number; ok: false; reason: string };

// Tells the pool the worker has loaded, so start-up time is not counted against a template's budget.
parentPort?.postMessage({ ready: true });

parentPort?.on("message", (req: RenderRequest) => {
  let res: RenderResponse;
  try {
    res = { id: req.id, ok: true, ...renderManifestsWithin(req.source, req.values, req.file, req.maxBytes) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // UserErrors already name the file; anything else (a stack overflow in a parser) is named here.
    res = { id: req.id, ok: false, reason: message.startsWith(`${req.file}: `) ? message : `${req.file}: cannot be rendered (${message.split("\n")[0]})` };
  }
  parentPort!.postMessage(res);
});
