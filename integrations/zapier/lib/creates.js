'use strict';
// Actions: POST /api/v1/zapier/actions/create-project, …/send-pack and
// …/create-client. Each takes snake_case fields and answers the usual
// envelope whose data is a flat object with `id`.

const { apiUrl } = require('./api');
const {
  trimmed, projectOut, projectFields, projectSample, clientFields,
  clientSample, PROJECT_TYPES, compact, dateOnly, projectPicker, clientPicker,
  templatePicker,
} = require('./records');

// The one name Finalizo keeps for a client: the full name when given,
// otherwise first and last name joined.
const fullName = (full, first, last) => {
  const whole = typeof full === 'string' ? full.trim() : '';
  if (whole) return whole;
  return [first, last].map((p) => (typeof p === 'string' ? p.trim() : ''))
    .filter(Boolean).join(' ');
};

const nameHelp = 'Give the client\'s First Name and Last Name, or their ' +
  'Full Name (a person or a company) as one value; Full Name wins when ' +
  'both are given.';

// A new client's fields in Create Project, shown while no existing client
// is picked (the Client field alters them).
const newClientFields = (z, bundle) => {
  if (String((bundle.inputData || {}).client_id || '').trim()) return [];
  return [
    { key: 'client_email', label: 'Client Email', required: true,
      helpText: 'A client of the workspace with this email (compared ' +
        'case-insensitively) is reused; otherwise a new client is ' +
        'created. Different aliases (jane+x@…) are different clients.' },
    { key: 'client_first_name', label: 'Client First Name',
      helpText: `The client's first name. ${nameHelp}` },
    { key: 'client_last_name', label: 'Client Last Name',
      helpText: `The client's last name. ${nameHelp}` },
    { key: 'client_name', label: 'Client Full Name',
      helpText: `The client's whole name. ${nameHelp}` },
  ];
};

const createProject = {
  key: 'create_project',
  noun: 'Project',
  display: {
    label: 'Create Project',
    description: 'Creates a project in Finalizo for an existing client, or ' +
      'for a new one given by email and name.',
  },
  operation: {
    inputFields: [
      { key: 'project_name', label: 'Project Name', required: true,
        helpText: 'The name the agency and the client see, such as ' +
          '"Website closeout".' },
      clientPicker,
      newClientFields,
      { key: 'project_type', label: 'Project Type', required: true,
        choices: PROJECT_TYPES,
        helpText: '"Web Design", "SEO" and "Branding" start from ' +
          'Finalizo\'s built-in pack template of that name. Any other type ' +
          '(enter it as a custom value) starts with an empty pack.' },
      { key: 'launch_date', label: 'Launch Date', required: true,
        type: 'datetime',
        helpText: 'The day the project launches; only the date is kept ' +
          '(for example 2026-06-01, or "next Friday").' },
      templatePicker,
    ],
    perform: async (z, bundle) => {
      const d = bundle.inputData;
      const response = await z.request({
        method: 'POST',
        url: apiUrl(bundle, '/zapier/actions/create-project'),
        body: compact({
          project_name: d.project_name,
          client_id: trimmed(d.client_id),
          client_name: fullName(d.client_name, d.client_first_name,
            d.client_last_name),
          client_email: d.client_email,
          project_type: d.project_type,
          launch_date: dateOnly(d.launch_date),
          template_id: trimmed(d.template_id),
        }),
      });
      return projectOut(response.data.data);
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
      projectPicker,
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
          project_id: trimmed(d.project_id),
          personal_message: d.personal_message,
        }),
      });
      return projectOut(response.data.data);
    },
    sample: {
      ...projectSample,
      status: 'sent',
      updated_at: '2026-05-27T12:05:00.000Z',
      share_url: 'https://finalizo.com/p/Xq7Lm2Pz9Rt4Vw8Yb3Nc6Df1Gh5Jk0Ms',
      personal_message: 'The handover pack is ready for review.',
      sent_at: '2026-05-27T12:05:00.000Z',
      event_recorded: true,
    },
    outputFields: [
      ...projectFields,
      { key: 'share_url', label: 'Share URL' },
      { key: 'personal_message', label: 'Personal Message' },
      { key: 'sent_at', label: 'Sent At', type: 'datetime' },
      { key: 'event_recorded', label: 'Event Recorded', type: 'boolean' },
    ],
  },
};

const createClient = {
  key: 'create_client',
  noun: 'Client',
  display: {
    label: 'Create Client',
    description: 'Creates a client in Finalizo, or returns the existing ' +
      'client with the same email address.',
  },
  operation: {
    inputFields: [
      { key: 'client_email', label: 'Client Email', required: true,
        helpText: 'The client\'s email address, compared ' +
          'case-insensitively: a client that already has it is returned ' +
          'as it is.' },
      { key: 'first_name', label: 'First Name',
        helpText: `The client's first name. ${nameHelp}` },
      { key: 'last_name', label: 'Last Name',
        helpText: `The client's last name. ${nameHelp}` },
      { key: 'client_name', label: 'Full Name',
        helpText: `The client's whole name. ${nameHelp}` },
    ],
    perform: async (z, bundle) => {
      const d = bundle.inputData;
      const whole = typeof d.client_name === 'string' ? d.client_name : '';
      // One form of the name, as the API takes it: the full name, or the
      // first and last name it joins itself.
      const name = whole.trim() ? { client_name: whole }
        : { first_name: d.first_name, last_name: d.last_name };
      const response = await z.request({
        method: 'POST',
        url: apiUrl(bundle, '/zapier/actions/create-client'),
        body: compact({ ...name, client_email: d.client_email }),
      });
      return response.data.data;
    },
    sample: clientSample,
    outputFields: clientFields,
  },
};

module.exports = {
  [createProject.key]: createProject,
  [sendPack.key]: sendPack,
  [createClient.key]: createClient,
};
