// Request bodies: read whole, protobuf decoded to JSON text, and JSON parsed with the API server's 400s.
import type { IncomingMessage } from "node:http";
import { errors } from "../errors.js";
import { decodeK8sProtobuf } from "../protobuf.js";

/** The body as text; a protobuf body (kubectl sends some) becomes the equivalent JSON. */
export async function readRequestBody(req: IncomingMessage): Promise<string> {
  const raw = await readBody(req);
  const ct = String(req.headers["content-type"] ?? "");
  return ct.startsWith("application/vnd.kubernetes.protobuf") ? JSON.stringify(decodeK8sProtobuf(raw)) : raw.toString("utf8");
}

export function parseJson(body: string): any {
  if (!body.trim()) throw errors.badRequest("the request body is empty");
  try {
    return JSON.parse(body);
  } catch {
    // create/update bodies must be JSON, as the real API server answers (apply-patch+yaml is parsed elsewhere)
    throw errors.badRequest(`the object provided is unrecognized (must be of type JSON): ${body.slice(0, 80)}`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
