'use strict';
// Talking to fzrelay: where it is, how a request is authenticated, and how
// its error envelope becomes a Zapier error.

const DEFAULT_BASE_URL = 'https://finalizo.com';

// The connection's base URL without a trailing slash or /api/v1 (users of a
// self-hosted fzrelay paste either form).
const baseUrl = (bundle) => {
  const raw = String((bundle.authData && bundle.authData.baseUrl) || '')
    .trim();
  return (raw || DEFAULT_BASE_URL).replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '');
};

const apiUrl = (bundle, path) => `${baseUrl(bundle)}/api/v1${path}`;

// beforeRequest: the bearer token on every request made with z.request.
const addBearer = (request, z, bundle) => {
  const key = String((bundle.authData && bundle.authData.apiKey) || '')
    .trim();
  request.headers = request.headers || {};
  if (key) request.headers.Authorization = `Bearer ${key}`;
  request.headers.Accept = request.headers.Accept || 'application/json';
  return request;
};

// The API's error object, or null if the body is not an fzrelay envelope.
const envelopeError = (response) => {
  const body = response.data;
  if (body && typeof body === 'object' && !Array.isArray(body) &&
      body.error && typeof body.error === 'object' &&
      typeof body.error.code === 'string')
    return body.error;
  return null;
};

// "invalid fields: a, b — a: is required; b: must be …" plus the request id
// that Finalizo's support asks for.
const describe = (error, response) => {
  let text = String(error.message || error.code);
  if (Array.isArray(error.details) && error.details.length) {
    const parts = error.details
      .filter((d) => d && d.field)
      .map((d) => `${d.field}: ${d.message}`);
    if (parts.length) text += ` (${parts.join('; ')})`;
  }
  const rid = response.getHeader('x-request-id') ||
    (response.data && response.data.meta && response.data.meta.request_id);
  if (rid) text += ` [X-Request-ID ${rid}]`;
  return text;
};

// afterResponse: every answer of 400 or more becomes a Zapier error carrying
// the API's error.code and error.message. The app sets the flag
// throwForThrottlingEarly: false so that 429 reaches this middleware too.
const handleErrors = (response, z) => {
  if (response.status < 400) return response;
  const error = envelopeError(response);
  const message = error ? describe(error, response)
    : `fzrelay answered HTTP ${response.status} without an error envelope`;
  const code = error ? error.code : `HTTP_${response.status}`;

  if (response.status === 429) {
    const after = parseInt(response.getHeader('retry-after') || '', 10);
    throw new z.errors.ThrottledError(`${code}: ${message}`,
      Number.isFinite(after) && after >= 0 ? after : undefined);
  }
  // 401 (missing, unknown or revoked key) is an authentication failure that
  // no refresh can fix: the user has to reconnect with a valid key.
  throw new z.errors.Error(message, code, response.status);
};

// The HTTP status an error thrown by handleErrors carries (z.errors.Error
// keeps {message, code, status} as JSON in its message), or null.
const errorStatus = (e) => {
  if (!e || e.name !== 'AppError') return null;
  try {
    const { status } = JSON.parse(e.message);
    return Number.isInteger(status) ? status : null;
  } catch {
    return null;
  }
};

module.exports = {
  DEFAULT_BASE_URL,
  errorStatus,
  baseUrl,
  apiUrl,
  addBearer,
  handleErrors,
};
