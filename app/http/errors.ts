// Errors that carry their HTTP answer. Anything else becomes a 500 that says nothing of the inside.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message?: string,
  ) {
    super(message ?? code);
  }
}
