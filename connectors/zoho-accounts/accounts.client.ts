import { z } from 'zod';
import { AuthError, type ConnectorError, RateLimitedError, ValidationError } from '../errors.js';
import { HttpClient, type HttpResponse } from '../http.js';

export interface ZohoClientCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export interface ZohoAccessGrant {
  accessToken: string;
  expiresInSec: number;
  apiDomain?: string;
  scope?: string;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  api_domain: z.string().optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});

/** Codes the token endpoint returns in an `{ error }` body (crm-apis.md 1.2). */
const AUTH_CODES = new Set([
  'invalid_code',
  'invalid_client',
  'invalid_client_secret',
  'invalid_redirect_uri',
  'unauthorized_client',
]);

/**
 * Zoho's token endpoint. ⚠ It may answer HTTP 200 with `{"error":"invalid_code"}` (crm-apis.md 6.1), so the
 * body is inspected whatever the status.
 */
export function zohoTokenBodyError({ status, body }: HttpResponse): ConnectorError | undefined {
  const obj = (body ?? {}) as { error?: unknown; error_description?: unknown };
  if (typeof obj.error !== 'string') return undefined;
  const description = typeof obj.error_description === 'string' ? `: ${obj.error_description}` : '';
  const message = `Zoho token endpoint refused: ${obj.error}${description}`;
  // "Access Denied … too many requests": the 10-mints-per-10-minutes throttle (crm-apis.md 1.4).
  if (obj.error === 'Access Denied' || /too many requests/i.test(description)) {
    return new RateLimitedError(message, { status, code: 'TOKEN_THROTTLED', retryAfterMs: 60_000 });
  }
  if (AUTH_CODES.has(obj.error)) return new AuthError(message, { status, code: obj.error });
  return new ValidationError(message, { status, code: obj.error });
}

export class ZohoAccountsClient {
  private readonly http: HttpClient;

  constructor(accountsUrl: string, timeoutMs = 15_000) {
    this.http = new HttpClient({ baseUrl: accountsUrl, timeoutMs, bodyErrorCheck: zohoTokenBodyError });
  }

  /** Mints an access token with the refresh-token grant. Secrets travel in the form body, never the URL. */
  async refreshAccessToken(creds: ZohoClientCredentials): Promise<ZohoAccessGrant> {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
      refresh_token: creds.refreshToken,
    });
    const { data } = await this.http.json({ method: 'POST', path: '/oauth/v2/token', body: form }, TokenResponse);
    if (!data)
      throw new ValidationError('Zoho token endpoint returned an empty body', { code: 'EMPTY_TOKEN_RESPONSE' });
    return {
      accessToken: data.access_token,
      expiresInSec: data.expires_in,
      apiDomain: data.api_domain,
      scope: data.scope,
    };
  }
}
