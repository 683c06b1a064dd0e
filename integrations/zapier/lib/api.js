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

// "invalid fields: a, b — a: is required; b: must be …", then hint, then the
// request id that Finalizo's support asks for.
const describe = (error, response, hint) => {
  let text = String(error.message || error.code);
  if (Array.isArray(error.details) && error.details.length) {
    const parts = error.details
      .filter((d) => d && d.field)
      .map((d) => `${d.field}: ${d.message}`);
    if (parts.length) text += ` (${parts.join('; ')})`;
  }
  if (hint) text += `. ${hint}`;
  const rid = response.getHeader('x-request-id') ||
    (response.data && response.data.meta && response.data.meta.request_id);
  if (rid) text += ` [X-Request-ID ${rid}]`;
  return text;
};

// Where a user finds or makes a new key, for the message of a refused one.
const KEY_PAGE = 'Settings → Security in the Finalizo workspace console ' +
  '(/console)';

// afterResponse: every answer of 400 or more becomes a Zapier error carrying
// the API's error.code and error.message. The app sets the flag
// throwForThrottlingEarly: false so that 429 reaches this middleware too.
const handleErrors = (response, z) => {
  if (response.status < 400) return response;
  // 401 is a missing, unknown or revoked key: no retry or refresh can fix
  // it. ExpiredAuthError marks the connection expired, so Zapier asks the
  // user to reconnect instead of failing each run with a generic error.
  const hint = response.status === 401 ? 'Reconnect Finalizo with a ' +
    `valid API key (${KEY_PAGE}).` : '';
  const error = envelopeError(response);
  const message = error ? describe(error, response, hint)
    : `fzrelay answered HTTP ${response.status} without an error ` +
      `envelope${hint ? `. ${hint}` : ''}`;
  const code = error ? error.code : `HTTP_${response.status}`;

  if (response.status === 429) {
    const after = parseInt(response.getHeader('retry-after') || '', 10);
    throw new z.errors.ThrottledError(`${code}: ${message}`,
      Number.isFinite(after) && after >= 0 ? after : undefined);
  }
  if (response.status === 401)
    throw new z.errors.ExpiredAuthError(`${code}: ${message}`);
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

const MAX_LIMIT = 100;

// Page size: Zapier's bundle.meta.limit where it gives one, as many as the
// API allows when Zapier is filling its de-duplication list, else fallback
// (undefined: the daemon's default, 50).
const pageLimit = (meta, fallback) => {
  const limit = meta && meta.limit;
  if (Number.isInteger(limit) && limit > 0) return Math.min(limit, MAX_LIMIT);
  if (meta && meta.isPopulatingDedupe) return MAX_LIMIT;
  return fallback;
};

// A perform for one of fzrelay's Zapier lists (polling triggers, dropdown
// lists): a bare JSON array, newest first, with X-Next-Cursor while more
// remain. Each call makes its own closure: core finds a method by identity,
// so two operations must not share one.
const makeListPerform = (path, fallbackLimit) => async (z, bundle) => {
  const meta = bundle.meta || {};
  const page = Number.isInteger(meta.page) ? meta.page : 0;
  const params = {};
  const limit = pageLimit(meta, fallbackLimit);
  if (limit !== undefined) params.limit = limit;
  if (page > 0) {
    // Zapier asks for a further page ("load more"): continue where the
    // previous page of this run left off, or stop if it was the last.
    const cursor = await z.cursor.get();
    if (!cursor) return [];
    params.cursor = cursor;
  }
  const response = await z.request({ url: apiUrl(bundle, path), params });
  if (!Array.isArray(response.data))
    throw new z.errors.Error(`fzrelay answered ${path} without a list`,
      'UNEXPECTED_RESPONSE', response.status);
  // An empty cursor marks the end, so a later page is never a repeat.
  await z.cursor.set(response.getHeader('x-next-cursor') || '');
  return response.data;
};

module.exports = {
  MAX_LIMIT,
  makeListPerform,
  DEFAULT_BASE_URL,
  errorStatus,
  baseUrl,
  apiUrl,
  addBearer,
  handleErrors,
};
