/** The mock's API listener: RunComfy's four endpoints (and the model's price), with faults. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KLING_MODEL_ID, type KlingRequest } from '../../plan/types.js';
import { describeFault } from './faults.js';
import type { JobEnding, MockJob } from './jobs.js';
import type { MediaContext } from './media.js';
import {
  breakConnection,
  isConnectionFault,
  isStatusFault,
  type MockRequestLog,
  type RequestLog,
  readBody,
  sendJson,
  sendStatusFault,
  sendText,
} from './respond.js';
import { validateInput } from './validate.js';

/** RunComfy's published prices for this model, USD per second (used for `cost`). */
export const MOCK_PRICES = { withSound: 0.126, silent: 0.084 };

export interface ApiContext extends MediaContext {
  token: string;
  apiOrigin: string;
  mediaOrigin: string;
  /** Where a completed result puts its link: `output.video` (default) or `output.videos[0]`. */
  outputKey: 'video' | 'videos';
  log: RequestLog;
}

type Route =
  | { endpoint: 'submit'; model: string }
  | { endpoint: 'model-info'; model: string }
  | { endpoint: 'status' | 'result' | 'cancel'; requestId: string };

interface Answer {
  status: number;
  body: unknown;
}

function route(method: string, pathname: string): Route | undefined {
  const model = /^\/v1\/models\/(.+)$/.exec(pathname);
  if (model) {
    const id = model[1]!.split('/').map(decodeURIComponent).join('/');
    if (method === 'POST') return { endpoint: 'submit', model: id };
    if (method === 'GET') return { endpoint: 'model-info', model: id };
    return undefined;
  }
  const request = /^\/v1\/requests\/([^/]+)\/(status|result|cancel)$/.exec(pathname);
  if (!request) return undefined;
  const endpoint = request[2] as 'status' | 'result' | 'cancel';
  if ((endpoint === 'cancel') !== (method === 'POST')) return undefined;
  return { endpoint, requestId: decodeURIComponent(request[1]!) };
}

export async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  entry: MockRequestLog,
  context: ApiContext,
): Promise<void> {
  const url = new URL(request.url ?? '/', context.apiOrigin);
  const found = route(request.method ?? 'GET', url.pathname);
  if (!found) return sendJson(response, entry, 404, { detail: 'Not Found' });
  entry.endpoint = found.endpoint;
  if ('requestId' in found) entry.requestId = found.requestId;
  if (found.endpoint === 'submit') context.log.countSubmission();
  const body = await readBody(request);
  if (entry.authorization !== 'valid') {
    return sendJson(response, entry, 401, {
      error_code: 400004,
      error_message: 'Invalid or missing API token (send Authorization: Bearer <token>)',
    });
  }
  if (found.endpoint === 'model-info') {
    const info = modelInfo(found.model);
    return sendJson(response, entry, info.status, info.body);
  }
  const fault = context.faults.draw(found.endpoint);
  if (fault) entry.fault = describeFault(fault);
  if (fault && isStatusFault(fault)) return sendStatusFault(response, entry, fault);
  if (fault?.kind === 'not-found') return sendJson(response, entry, 404, notFound());
  if (fault?.kind === 'error-200') {
    const code = fault.code ?? 400002;
    return sendJson(response, entry, 200, {
      error_code: code,
      error_message: fault.message ?? 'Insufficient balance',
    });
  }
  // Faults below lose the answer of a request that was handled (a submit did create its job).
  const answer =
    found.endpoint === 'submit'
      ? submit(found.model, body, context)
      : jobAnswer(found.endpoint, found.requestId, url.searchParams, context);
  if (fault && isConnectionFault(fault)) return breakConnection(request, entry, fault.kind);
  if (fault?.kind === 'malformed') return sendText(response, entry, 200, '{"request_id": "4f1c", "status": ');
  if (fault?.kind === 'unexpected') return sendJson(response, entry, 200, { ok: true, data: { id: 42 } });
  return sendJson(response, entry, answer.status, answer.body);
}

function modelInfo(model: string): Answer {
  if (model !== KLING_MODEL_ID) {
    return { status: 400, body: { error_code: 400001, error_message: `Unknown model id: ${model}` } };
  }
  const note = `$${MOCK_PRICES.silent}/s without audio, $${MOCK_PRICES.withSound}/s with audio (mock)`;
  const body = {
    model_id: model,
    base_price_usd: MOCK_PRICES.withSound,
    price_unit: 'second',
    pricing_note: note,
  };
  return { status: 200, body };
}

function submit(model: string, text: string, context: ApiContext): Answer {
  if (model !== KLING_MODEL_ID) {
    return { status: 400, body: { error_code: 400001, error_message: `Unknown model id: ${model}` } };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { status: 400, body: { detail: 'The request body is not valid JSON' } };
  }
  const problems = validateInput(payload);
  if (problems.length > 0) return { status: 422, body: { detail: problems } };
  const job = context.jobs.create(model, payload as KlingRequest, drawEnding(context));
  return { status: 200, body: { request_id: job.id, ...urlsOf(job, context) } };
}

/** Generation faults are drawn once, when the job is created. */
function drawEnding(context: ApiContext): JobEnding {
  const fault = context.faults.draw('generation');
  if (fault?.kind === 'fail') {
    return {
      as: 'failed',
      reason: fault.message ?? 'Generation failed: the prompt was flagged by the content policy',
    };
  }
  if (fault?.kind === 'cancel') return { as: 'cancelled' };
  return { as: 'completed' };
}

function jobAnswer(
  endpoint: 'status' | 'result' | 'cancel',
  requestId: string,
  query: URLSearchParams,
  context: ApiContext,
): Answer {
  const job = context.jobs.get(requestId);
  if (!job) return { status: 404, body: notFound() };
  if (endpoint === 'cancel') {
    const outcome = context.jobs.cancel(requestId);
    return { status: 200, body: { request_id: job.id, status: job.state, outcome } };
  }
  if (endpoint === 'result' && job.state === 'completed') {
    return { status: 200, body: completedResult(job, query.get('include_cost') === 'true', context) };
  }
  return { status: 200, body: stateOf(job, context) };
}

function completedResult(job: MockJob, includeCost: boolean, context: ApiContext): unknown {
  const link = context.links.issue(context.mediaOrigin, job.id);
  const output = context.outputKey === 'videos' ? { videos: [link] } : { video: link };
  const perSecond = job.payload.sound === false ? MOCK_PRICES.silent : MOCK_PRICES.withSound;
  const cost = Math.round((job.payload.duration ?? 5) * perSecond * 10_000) / 10_000;
  return {
    request_id: job.id,
    status: 'completed',
    output,
    created_at: iso(job.submittedAt),
    finished_at: iso(job.finishedAt),
    ...(includeCost ? { cost } : {}),
  };
}

function stateOf(job: MockJob, context: ApiContext): unknown {
  const position = context.jobs.queuePosition(job);
  return {
    request_id: job.id,
    status: job.state,
    ...(job.state === 'in_queue' && position !== undefined ? { queue_position: position } : {}),
    ...(job.ending.as === 'failed' && job.state === 'failed' ? { error: job.ending.reason } : {}),
    ...urlsOf(job, context),
    created_at: iso(job.submittedAt),
    ...(job.finishedAt === undefined ? {} : { finished_at: iso(job.finishedAt) }),
  };
}

function urlsOf(job: MockJob, context: ApiContext) {
  const base = `${context.apiOrigin}/v1/requests/${job.id}`;
  return { status_url: `${base}/status`, result_url: `${base}/result`, cancel_url: `${base}/cancel` };
}

function notFound() {
  return { error_code: 404001, error_message: 'Request not found or expired' };
}

function iso(time: number | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}
