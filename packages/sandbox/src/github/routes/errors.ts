// GitHub-shaped errors: handlers throw them, the server answers with their status and body.
export const DOCS = "https://docs.github.com/rest";

export class HttpError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.message));
  }
}

export const apiError = (status: number, message: string, extra: Record<string, unknown> = {}): HttpError =>
  new HttpError(status, { message, documentation_url: DOCS, status: String(status), ...extra });
export const notFound = (message = "Not Found"): HttpError => apiError(404, message);
export const unprocessable = (message: string, errors?: Array<Record<string, unknown>>): HttpError =>
  apiError(422, message, errors ? { errors } : {});
