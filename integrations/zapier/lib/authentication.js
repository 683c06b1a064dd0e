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
      helpText: 'A Finalizo API key (`fz_live_…`). An admin of the ' +
        'workspace creates one in the workspace console (`/console`, such ' +
        'as https://finalizo.com/console) under **Settings → Security**: ' +
        'give it a name such as "Zapier", then copy the key at once, as it ' +
        'is shown only once. The `read` scope is enough for triggers, ' +
        'searches and dropdowns; the actions (Create Project, Create ' +
        'Client, Send Pack) and instant triggers need `write`. Zapier ' +
        'needs the Pro or Agency plan. A revoked key makes this connection ' +
        'expire: connect again with a new one.',
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
