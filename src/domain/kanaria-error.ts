/**
 * The error type for exceptional outcomes (DESIGN §11). Expected outcomes — a refused command, a failed
 * analysis — are values, not errors. `code` is stable and meant for programs; `message` is for people.
 */
export class KanariaError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KanariaError";
    this.code = code;
  }
}
