'use strict';
// Custom authentication: a Finalizo API key (fz_live_…) and the base URL of
// the fzrelay that serves it.

const { DEFAULT_BASE_URL, apiUrl } = require('./api');

// GET /api/v1/auth: the workspace and key behind the token. Plans pro and
// agency pass; free answers 403 PLAN_LIMIT, a bad key 401 UNAUTHORIZED.
const test = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/auth') });
  return response.data.data;
};

// GET /api/v1/me: data.label is "Workspace (key name)".
const connectionLabel = async (z, bundle) => {
  const response = await z.request({ url: apiUrl(bundle, '/me') });
  return response.data.data.label;
};

module.exports = {
  type: 'custom',
  fields: [
    {
      key: 'apiKey',
      label: 'API Key',
      type: 'password',
      required: true,
      helpText: 'A Finalizo API key (`fz_live_…`). Create a dedicated one ' +
        'in Finalizo under Settings → Security and copy it at once: it is ' +
        'shown only once. Triggers need the `read` scope; the Create ' +
        'Project and Send Pack actions need `write`. Zapier needs the Pro ' +
        'or Agency plan.',
    },
    {
      key: 'baseUrl',
      label: 'Base URL',
      type: 'string',
      required: false,
      default: DEFAULT_BASE_URL,
      isNoSecret: true,
      helpText: 'Leave as `https://finalizo.com` unless you run your own ' +
        'fzrelay; then give its address, such as ' +
        '`https://relay.example.com`.',
    },
  ],
  test,
  connectionLabel,
  customConfig: {},
};
