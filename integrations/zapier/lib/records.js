'use strict';
// Projects and clients as the app's actions and searches return them, the
// fields that pick one in a form, and the helpers that shape what is sent.

// fzrelay's flat project repeats two values for older clients: `name` beside
// `project_name`, and send-pack's `project_id` beside `id`. A Zap shows each
// value once, so the app keeps `id` and `project_name`.
const projectOut = (p) => {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return p;
  const { name, project_id: repeatedId, ...out } = p;
  if (out.project_name === undefined && name !== undefined)
    out.project_name = name;
  return out;
};

const projectFields = [
  { key: 'id', label: 'Project ID' },
  { key: 'project_name', label: 'Project Name' },
  { key: 'status', label: 'Project Status' },
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

// A client as create-client, find-client and the clients list answer it.
// Finalizo keeps one name per client, as it was given (a person or a
// company); splitting it into first and last would be a guess.
const clientFields = [
  { key: 'id', label: 'Client ID' },
  { key: 'name', label: 'Client Name' },
  { key: 'email', label: 'Client Email' },
  { key: 'created_at', label: 'Created At', type: 'datetime' },
];

const clientSample = {
  id: 'client_5hG7jK2lM9nP4qR8sT1v',
  name: 'Jane Smith',
  email: 'jane@example.com',
  created_at: '2026-05-27T12:00:00.000Z',
};

// The built-in project types, each with a pack template of its own
// (state/templates.c). Any other type is accepted and starts empty.
const PROJECT_TYPES = ['Web Design', 'SEO', 'Branding'];

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

// The API wants YYYY-MM-DD. A datetime field sends an ISO date-time in the
// Zap's time zone (2026-06-01T00:00:00-05:00): its date part is the day the
// user meant.
const dateOnly = (v) => {
  const s = typeof v === 'string' ? v.trim() : v;
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(s)
    ? s.slice(0, 10) : s;
};

// Dropdowns: the hidden list triggers fill them, a search finds the one
// record in an account too large to scroll. The label keys after the id
// tell two projects (or clients) of the same name apart.
const projectPicker = {
  key: 'project_id',
  label: 'Project',
  required: true,
  dynamic: 'list_projects.id.name,client_name',
  search: 'find_project.id',
  helpText: 'The project whose handover pack is sent. Pick it from the ' +
    'list (newest first), or add a Find Project step and map its ' +
    'Project ID.',
};

const clientPicker = {
  key: 'client_id',
  label: 'Client',
  required: false,
  dynamic: 'list_clients.id.name,email',
  search: 'find_client.id',
  altersDynamicFields: true,
  helpText: 'An existing client of the workspace. Leave it empty to give ' +
    'the client\'s email and name instead: a client with that email is ' +
    'reused, otherwise a new one is created.',
};

const templatePicker = {
  key: 'template_id',
  label: 'Pack Template',
  required: false,
  dynamic: 'list_templates.id.name',
  helpText: 'Optional: the pack template to start from. Left empty, the ' +
    'project starts from the template of its project type, if it has one.',
};

// An id as picked or mapped: ids never carry spaces, a mapped value may.
const trimmed = (v) => (typeof v === 'string' ? v.trim() : v);

module.exports = {
  trimmed,
  projectOut,
  projectFields,
  projectSample,
  clientFields,
  clientSample,
  PROJECT_TYPES,
  compact,
  dateOnly,
  projectPicker,
  clientPicker,
  templatePicker,
};
