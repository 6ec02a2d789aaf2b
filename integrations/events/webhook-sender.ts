import { performance } from 'node:perf_hooks';
import axios from 'axios';

export interface WebhookRequest {
  url: string;
  /** The exact bytes that were signed. */
  body: string;
  headers: Record<string, string>;
  /** Addresses resolved and checked beforehand (resolveWebhookTarget): the only ones connected to. */
  addresses: Array<{ address: string; family: number }>;
  timeoutMs: number;
}

/** One attempt as it is recorded and shown: never the response body, headers or the URL. */
export interface WebhookAttemptOutcome {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host does not resolve',
  EAI_AGAIN: 'host does not resolve (temporary)',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
};

function describeStatus(status: number): string {
  if (status >= 300 && status < 400) return `receiver answered ${status}; redirects are not followed`;
  return `receiver answered ${status}`;
}

// The message says what happened in our words; an AxiosError's own text may quote the URL.
function describeError(err: unknown, timeoutMs: number): string {
  const code = (err as { code?: string }).code ?? '';
  const name = (err as { name?: string }).name ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || name === 'TimeoutError' || name === 'CanceledError') {
    return `no answer within ${timeoutMs} ms`;
  }
  return NETWORK_ERRORS[code] ?? (code ? `request failed (${code})` : 'request failed');
}

/**
 * POSTs one delivery and reports how it went; it never throws for the receiver's sake (the caller
 * records every outcome as an attempt). A 2xx is delivered; anything else, a timeout or a network
 * failure is not. No redirect is followed (it could lead anywhere, past the address check), no proxy
 * from the environment is used, and the response body is never read.
 */
export async function postWebhook(request: WebhookRequest): Promise<WebhookAttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await axios.post(request.url, request.body, {
      headers: request.headers,
      timeout: request.timeoutMs,
      signal: AbortSignal.timeout(request.timeoutMs),
      maxRedirects: 0,
      proxy: false,
      responseType: 'stream',
      decompress: false,
      validateStatus: () => true,
      transformRequest: [(data: string) => data],
      lookup: (_hostname, options, callback) => {
        const [first] = request.addresses;
        if ((options as { all?: boolean }).all) callback(null, request.addresses as never);
        else callback(null, first!.address, first!.family as 4 | 6);
      },
    });
    (response.data as { destroy?: () => void } | undefined)?.destroy?.();
    const delivered = response.status >= 200 && response.status < 300;
    return {
      delivered,
      statusCode: response.status,
      error: delivered ? null : describeStatus(response.status),
      durationMs: elapsed(),
    };
  } catch (err) {
    return { delivered: false, statusCode: null, error: describeError(err, request.timeoutMs), durationMs: elapsed() };
  }
}
