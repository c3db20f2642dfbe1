/**
 * What a failed `fetch` says about the network. Node's fetch (undici) throws a bare "fetch failed"
 * TypeError whose `cause` holds the system error (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`...);
 * a host with several addresses fails with an AggregateError there, whose first error has the code.
 */

/** The system error code behind a failed fetch, if there is one. */
export function networkErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } })?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short reason for a failed fetch: its code, else the cause's message, else the error's own. */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } })?.cause;
  const causeMessage = typeof cause?.message === 'string' && cause.message ? cause.message : undefined;
  return networkErrorCode(error) ?? causeMessage ?? (error as Error)?.message ?? String(error);
}
