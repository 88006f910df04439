/**
 * Request deadlines for the AWS SDK clients of `collect`. The SDK's Node handler fails a request that
 * does not connect in `connectionTimeout`, and one whose response headers do not arrive in
 * `requestTimeout` — but only with `throwOnRequestTimeout` (without it, it merely logs a warning), and
 * it stops counting once the headers are in. A middleware next to the handler keeps the same deadline
 * over the response body, so a body dribbled one byte a second fails too. Each attempt gets its own
 * deadline and the SDK retries a missed one as it retries its own timeouts.
 * @module
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { deadlineError, seconds, type RequestDeadlines } from './deadlines.js';

/** The settings every AWS client of `collect` is built with. */
export function awsClientSettings(deadlines: RequestDeadlines) {
  return {
    retryMode: 'adaptive',
    maxAttempts: 4,
    requestHandler: { connectionTimeout: deadlines.connectMs, requestTimeout: deadlines.requestMs, throwOnRequestTimeout: true },
  } as const;
}

type Next = (args: unknown) => Promise<{ response?: { body?: unknown } }>;

interface DeserializeStack {
  add(mw: (next: Next) => Next, opts: { step: 'deserialize'; priority: 'low'; name: string }): void;
}

interface Body {
  readonly readableEnded?: boolean;
  readonly destroyed?: boolean;
  destroy(error: Error): void;
  once(event: 'close', listener: () => void): void;
}

function isNodeStream(body: unknown): body is Body {
  return typeof body === 'object' && body !== null && typeof (body as Body).destroy === 'function' && typeof (body as Body).once === 'function';
}

/**
 * Fails a response body still unread `deadlines.requestMs` after its attempt began. Added at the
 * innermost place of the deserialize step, so it runs once per attempt, inside the retry loop, and
 * wraps the handler but not the deserializer that reads the body.
 */
export function addBodyDeadline(client: IAMClient | EKSClient | CloudFormationClient, deadlines: RequestDeadlines): void {
  (client.middlewareStack as unknown as DeserializeStack).add(
    (next) => async (args) => {
      const started = Date.now();
      const result = await next(args);
      const body = result.response?.body;
      if (isNodeStream(body) && !body.readableEnded && !body.destroyed) {
        const left = Math.max(0, deadlines.requestMs - (Date.now() - started));
        const timer = setTimeout(() => {
          body.destroy(deadlineError(`the response was not complete within the ${seconds(deadlines.requestMs)} request deadline`));
        }, left);
        timer.unref();
        body.once('close', () => {
          clearTimeout(timer);
        });
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'irsa2piBodyDeadline' },
  );
}
