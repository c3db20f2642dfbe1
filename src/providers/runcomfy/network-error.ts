/**
 * What a failed request says about the network. node's http client fails with the system error
 * itself (`ECONNREFUSED`, `ECONNRESET`...); fetch (undici) with a bare "fetch failed" TypeError whose
 * `cause` holds it (or `UND_ERR_SOCKET`); the transport's ExchangeError holds it as its `cause` too. A
 * host with several addresses fails with an AggregateError, whose first error has the code.
 */

interface Coded {
  code?: unknown;
  errors?: Array<{ code?: unknown }>;
  cause?: Coded;
  message?: unknown;
}

/** The system error code behind a failed request, if there is one. */
export function networkErrorCode(error: unknown): string | undefined {
  const coded = error as Coded | undefined;
  for (const candidate of [coded?.cause, coded]) {
    const code = candidate?.code ?? candidate?.errors?.[0]?.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A short reason for a failed request: its code, else the cause's message, else the error's own. */
export function describeNetworkError(error: unknown): string {
  const cause = (error as Coded | undefined)?.cause;
  const causeMessage = typeof cause?.message === 'string' && cause.message ? cause.message : undefined;
  return networkErrorCode(error) ?? causeMessage ?? (error as Error)?.message ?? String(error);
}
