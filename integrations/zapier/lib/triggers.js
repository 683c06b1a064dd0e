'use strict';
// Triggers on fzrelay's event journal: one visible REST hook ("instant")
// trigger per event, and the polling trigger of the same event, hidden.
//
// The polling triggers were the app's first triggers. They stay, hidden, so
// the Zaps built on them keep running; new Zaps get the instant ones, whose
// performList is the same polling endpoint.
//
// Polling: each answers a bare JSON array of flat events, newest first; `id`
// is the event id (evt_…), unique and stable, so Zapier's de-duplication
// works on it. While older events remain the daemon sends X-Next-Cursor,
// which goes back as ?cursor=.
//
// REST hooks: POST /api/v1/zapier/hooks subscribes Zapier's target URL to one
// event, DELETE /api/v1/zapier/hooks/:id ends it. fzrelay then POSTs each
// event to that URL as the same flat object the polling trigger lists.

const { apiUrl, errorStatus, makeListPerform } = require('./api');

const makePerform = (path) => makeListPerform(`/zapier/triggers/${path}`);

// Fields every event carries: the event's own, then a snapshot of the
// project and client at the moment it happened.
const commonFields = [
  { key: 'id', label: 'Event ID' },
  { key: 'type', label: 'Event Type' },
  { key: 'occurred_at', label: 'Occurred At', type: 'datetime' },
  { key: 'workspace_id', label: 'Workspace ID' },
  { key: 'project_id', label: 'Project ID' },
  { key: 'project_name', label: 'Project Name' },
  { key: 'project_type', label: 'Project Type' },
  { key: 'launch_date', label: 'Launch Date' },
  { key: 'status', label: 'Project Status' },
  { key: 'client_id', label: 'Client ID' },
  { key: 'client_name', label: 'Client Name' },
  { key: 'client_email', label: 'Client Email' },
];

const commonSample = {
  workspace_id: 'ws_3kQ9xY7mN2pL8vR4tW6z',
  project_id: 'project_8fJ2kL9mN4pQ7rS1tV3x',
  project_name: 'Website closeout',
  project_type: 'Web Design',
  launch_date: '2026-06-01',
  client_id: 'client_5hG7jK2lM9nP4qR8sT1v',
  client_name: 'Jane Smith',
  client_email: 'jane@example.com',
};

const SHARE_URL = 'https://finalizo.com/p/Xq7Lm2Pz9Rt4Vw8Yb3Nc6Df1Gh5Jk0Ms';

// performSubscribe: the answer's data, {id: "hook_…", event, target_url},
// becomes bundle.subscribeData.
const makeSubscribe = (event) => async (z, bundle) => {
  const response = await z.request({
    method: 'POST',
    url: apiUrl(bundle, '/zapier/hooks'),
    body: { hookUrl: bundle.targetUrl, event },
  });
  return response.data.data;
};

const makeUnsubscribe = () => async (z, bundle) => {
  const id = bundle.subscribeData && bundle.subscribeData.id;
  if (!id)
    throw new z.errors.Error('no subscription id to unsubscribe',
      'MISSING_SUBSCRIPTION');
  try {
    const response = await z.request({
      method: 'DELETE',
      url: apiUrl(bundle, `/zapier/hooks/${encodeURIComponent(id)}`),
    });
    return response.data.data;
  } catch (e) {
    // Already gone: fzrelay removes a hook whose target answered 410, and
    // a user may have deleted it. Turning the Zap off must still succeed.
    if (errorStatus(e) === 404) return { id, deleted: false };
    throw e;
  }
};

// perform: the event fzrelay POSTed, already the flat trigger object.
const makeHookPerform = () => async (z, bundle) => {
  const event = bundle.cleanedRequest;
  if (Array.isArray(event)) return event;
  if (!event || typeof event !== 'object')
    throw new z.errors.Error('the hook carried no event object',
      'UNEXPECTED_RESPONSE');
  return [event];
};

// One spec makes both triggers. Every operation function is its own closure:
// core finds a method by identity, so two triggers must not share one.
const triggers = ({ key, path, event, noun, label, description, sample,
  fields }) => {
  const outputFields = [...commonFields, ...fields];
  const polling = {
    key,
    noun,
    display: { label, description, hidden: true },
    operation: {
      type: 'polling',
      perform: makePerform(path),
      canPaginate: true,
      sample,
      outputFields,
    },
  };
  const hook = {
    key: `${key}_hook`,
    noun,
    display: {
      label: `${label} (Instant)`,
      description: description.replace(/^Triggers when/,
        'Triggers instantly when'),
    },
    operation: {
      type: 'hook',
      performSubscribe: makeSubscribe(event),
      performUnsubscribe: makeUnsubscribe(),
      perform: makeHookPerform(),
      // Zapier's "test trigger" and samples: the polling endpoint.
      performList: makePerform(path),
      canPaginate: true,
      sample,
      outputFields,
    },
  };
  return { hook, polling };
};

const packSent = triggers({
  key: 'pack_sent',
  event: 'pack_sent',
  path: 'pack-sent',
  noun: 'Pack',
  label: 'Pack Sent',
  description: 'Triggers when a handover pack is sent to a client.',
  sample: {
    id: 'evt_2bC4dE6fG8hJ1kL3mN5p',
    type: 'pack.sent',
    occurred_at: '2026-05-27T12:00:00.000Z',
    ...commonSample,
    status: 'sent',
    personal_message: 'The handover pack is ready for review.',
    share_url: SHARE_URL,
    sent_at: '2026-05-27T12:00:00.000Z',
    pack_revision: 1,
  },
  fields: [
    { key: 'personal_message', label: 'Personal Message' },
    { key: 'share_url', label: 'Share URL' },
    { key: 'sent_at', label: 'Sent At', type: 'datetime' },
    { key: 'pack_revision', label: 'Pack Revision', type: 'integer' },
  ],
});

const packViewed = triggers({
  key: 'pack_viewed',
  event: 'pack_viewed',
  path: 'pack-viewed',
  noun: 'Pack View',
  label: 'Pack Viewed',
  description: 'Triggers when a client opens a sent handover pack for the ' +
    'first time.',
  sample: {
    id: 'evt_7qR9sT2uV4wX6yZ8aB1c',
    type: 'pack.viewed',
    occurred_at: '2026-05-28T09:30:00.000Z',
    ...commonSample,
    status: 'viewed',
    viewed_at: '2026-05-28T09:30:00.000Z',
  },
  fields: [
    { key: 'viewed_at', label: 'Viewed At', type: 'datetime' },
  ],
});

const clientSignedOff = triggers({
  key: 'client_signed_off',
  event: 'client_signed_off',
  path: 'client-signed-off',
  noun: 'Sign-off',
  label: 'Client Signed Off',
  description: 'Triggers when a client signs off a project\'s handover pack.',
  sample: {
    id: 'evt_4dF6gH8jK1lM3nP5qR7s',
    type: 'client.signed_off',
    occurred_at: '2026-05-29T15:45:00.000Z',
    ...commonSample,
    status: 'signed_off',
    signed_by_name: 'Jane Smith',
    signed_by_email: 'jane@example.com',
    comment: 'Everything received, thank you.',
    signed_at: '2026-05-29T15:45:00.000Z',
    signoff_id: 'signoff_9kL2mN4pQ6rS8tV1wX3y',
  },
  fields: [
    { key: 'signed_by_name', label: 'Signer Name' },
    { key: 'signed_by_email', label: 'Signer Email' },
    { key: 'comment', label: 'Comment' },
    { key: 'signed_at', label: 'Signed At', type: 'datetime' },
    { key: 'signoff_id', label: 'Sign-off ID' },
  ],
});

// The instant triggers first: the order Zapier lists them in.
const all = [packSent.hook, packViewed.hook, clientSignedOff.hook,
  packSent.polling, packViewed.polling, clientSignedOff.polling];

module.exports = Object.fromEntries(all.map((t) => [t.key, t]));
