import { UserError } from "./errors.js";
import { isGatewayError } from "../gateways/types.js";

// Gateway errors that escape a command (API down, forbidden, timeouts) become one clear line in the channel.

export async function withClearErrors<T>(what: string, fn: () => Promise<T>, after = ""): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isGatewayError(err)) throw new UserError(`${what}: ${err.message.replace(/\.$/, "")}.${after ? ` ${after}` : ""}`);
    throw err;
  }
}
