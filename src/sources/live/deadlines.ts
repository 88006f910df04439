/**
 * Deadlines for every HTTP request `collect` sends, to AWS and to Kubernetes API servers: a request
 * still unfinished at its deadline fails, so an endpoint that accepts the connection and then stays
 * silent, or dribbles its answer, ends as a scan gap instead of holding the collector.
 * @module
 */

/** How long one HTTP request may take; both in milliseconds, both positive. */
export interface RequestDeadlines {
  /** Until the TCP connection is established. */
  readonly connectMs: number;
  /** The whole request, from sending it to the last byte of the response body (not an idle timeout). */
  readonly requestMs: number;
}

/** Generous enough for a page of 1,000 IAM roles or 500 pods over a slow link. */
export const DEFAULT_DEADLINES: RequestDeadlines = Object.freeze({ connectMs: 30_000, requestMs: 60_000 });

/**
 * The error a missed deadline fails a request with. Named `TimeoutError` with code `ETIMEDOUT`, so the
 * AWS SDK's retry strategy classifies it as transient and retries it as it retries its own timeouts.
 */
export function deadlineError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', code: 'ETIMEDOUT' });
}

/** Seconds as a human reads them in an error line: `60 s`, `0.5 s`. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
