import { plainText, type Text } from "./reply.js";

// Two kinds of failure: UserError is the user's to fix and is shown verbatim;
// anything else is internal and shown only as "internal error (ref X)", with details in the log.

export class UserError extends Error {
  /** The reason as shown in chat: may hold Tugboat's mentions and links (message is its plain form, for logs). */
  readonly text: Text;
  constructor(
    message: Text,
    /** Usage text to show under the reason. */
    public readonly usage?: string,
  ) {
    super(plainText(message));
    this.text = message;
    this.name = "UserError";
  }
}

/** Bad command line: shown to the caller only, with the usage. */
export class UsageError extends UserError {
  constructor(message: Text, usage?: string) {
    super(message, usage);
    this.name = "UsageError";
  }
}

/** Policy said no. Names the missing permission or the scope that was not allowed. */
export class DeniedError extends UserError {
  constructor(
    message: Text,
    public readonly permission: string,
  ) {
    super(message);
    this.name = "DeniedError";
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
