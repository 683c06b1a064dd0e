'use strict';
// Actions: POST /api/v1/zapier/actions/create-project and …/send-pack. Both
// take snake_case fields and answer the usual envelope whose data is a flat
// object with `id` (the project id).

const { apiUrl } = require('./api');

// Optional fields left empty are not sent at all.
const compact = (obj) => {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    out[k] = v;
  }
  return out;
};

// The API wants YYYY-MM-DD; a mapped ISO date-time keeps its date part.
const dateOnly = (v) => {
  const s = typeof v === 'string' ? v.trim() : v;
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(s)
    ? s.slice(0, 10) : s;
};

const projectFields = [
  { key: 'id', label: 'Project ID' },
  { key: 'name', label: 'Name' },
  { key: 'project_name', label: 'Project Name' },
  { key: 'status', label: 'Status' },
  { key: 'project_type', label: 'Project Type' },
  { key: 'launch_date', label: 'Launch Date' },
  { key: 'template_id', label: 'Template ID' },
  { key: 'client_id', label: 'Client ID' },
  { key: 'client_name', label: 'Client Name' },
  { key: 'client_email', label: 'Client Email' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
  { key: 'updated_at', label: 'Updated At', type: 'datetime' },
];

const projectSample = {
  id: 'project_8fJ2kL9mN4pQ7rS1tV3x',
  name: 'Website closeout',
  project_name: 'Website closeout',
  status: 'draft',
  project_type: 'Web Design',
  launch_date: '2026-06-01',
  template_id: 'tpl_WebDesign',
  client_id: 'client_5hG7jK2lM9nP4qR8sT1v',
  client_name: 'Jane Smith',
  client_email: 'jane@example.com',
  created_at: '2026-05-27T12:00:00.000Z',
  updated_at: '2026-05-27T12:00:00.000Z',
};

const createProject = {
  key: 'create_project',
  noun: 'Project',
  display: {
    label: 'Create Project',
    description: 'Creates a project in Finalizo, for a new client or the ' +
      'existing client with the same email address.',
  },
  operation: {
    inputFields: [
      { key: 'project_name', label: 'Project Name', required: true,
        helpText: 'For example "Website closeout".' },
      { key: 'client_name', label: 'Client Name', required: true },
      { key: 'client_email', label: 'Client Email', required: true,
        helpText: 'A client of the workspace with this email (compared ' +
          'case-insensitively) is reused; otherwise a new client is ' +
          'created. Different aliases (jane+x@…) are different clients.' },
      { key: 'project_type', label: 'Project Type', required: true,
        helpText: '"Web Design", "SEO" and "Branding" start from Finalizo\'s ' +
          'built-in pack template of that name; any other type starts ' +
          'with an empty pack.' },
      { key: 'launch_date', label: 'Launch Date', required: true,
        helpText: 'The date as YYYY-MM-DD, such as 2026-06-01.' },
      { key: 'template_id', label: 'Template ID', required: false,
        helpText: 'Optional: a pack template id (`tpl_…`) to start from ' +
          'instead of the project type\'s.' },
    ],
    perform: async (z, bundle) => {
      const d = bundle.inputData;
      const response = await z.request({
        method: 'POST',
        url: apiUrl(bundle, '/zapier/actions/create-project'),
        body: compact({
          project_name: d.project_name,
          client_name: d.client_name,
          client_email: d.client_email,
          project_type: d.project_type,
          launch_date: dateOnly(d.launch_date),
          template_id: d.template_id,
        }),
      });
      return response.data.data;
    },
    sample: projectSample,
    outputFields: projectFields,
  },
};

const sendPack = {
  key: 'send_pack',
  noun: 'Pack',
  display: {
    label: 'Send Pack',
    description: 'Sends a project\'s handover pack to its client and ' +
      'returns the link the client opens.',
  },
  operation: {
    inputFields: [
      { key: 'project_id', label: 'Project ID', required: true,
        helpText: 'The project\'s id (`project_…`), for example from the ' +
          'Create Project action.' },
      { key: 'personal_message', label: 'Personal Message', type: 'text',
        required: false,
        helpText: 'Shown to the client with the pack. A pack that has not ' +
          'changed since it was last sent is not sent again (and its ' +
          'message stays as it was).' },
    ],
    perform: async (z, bundle) => {
      const d = bundle.inputData;
      const response = await z.request({
        method: 'POST',
        url: apiUrl(bundle, '/zapier/actions/send-pack'),
        body: compact({
          project_id: typeof d.project_id === 'string' ? d.project_id.trim()
            : d.project_id,
          personal_message: d.personal_message,
        }),
      });
      return response.data.data;
    },
    sample: {
      ...projectSample,
      status: 'sent',
      updated_at: '2026-05-27T12:05:00.000Z',
      project_id: 'project_8fJ2kL9mN4pQ7rS1tV3x',
      share_url: 'https://finalizo.com/p/Xq7Lm2Pz9Rt4Vw8Yb3Nc6Df1Gh5Jk0Ms',
      personal_message: 'The handover pack is ready for review.',
      sent_at: '2026-05-27T12:05:00.000Z',
      event_recorded: true,
    },
    outputFields: [
      ...projectFields,
      { key: 'project_id', label: 'Project ID (again)' },
      { key: 'share_url', label: 'Share URL' },
      { key: 'personal_message', label: 'Personal Message' },
      { key: 'sent_at', label: 'Sent At', type: 'datetime' },
      { key: 'event_recorded', label: 'Event Recorded', type: 'boolean' },
    ],
  },
};

module.exports = {
  [createProject.key]: createProject,
  [sendPack.key]: sendPack,
};
