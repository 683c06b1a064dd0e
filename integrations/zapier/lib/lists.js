'use strict';
// Hidden triggers that fill the app's dynamic dropdowns: GET
// /api/v1/zapier/lists/projects, …/clients and …/templates, bare arrays,
// newest first. "Load more" in a dropdown asks for the next page, which
// continues from the X-Next-Cursor the previous page kept with z.cursor.

const { makeListPerform, MAX_LIMIT } = require('./api');
const { clientFields, clientSample } = require('./records');

const list = ({ key, noun, path, label, sample, outputFields }) => ({
  key,
  noun,
  display: {
    label,
    description: `Lists ${noun.toLowerCase()}s for a dropdown.`,
    hidden: true,
  },
  operation: {
    type: 'polling',
    // A dropdown shows as many as the API gives in one page.
    perform: makeListPerform(`/zapier/lists/${path}`, MAX_LIMIT),
    canPaginate: true,
    sample,
    outputFields,
  },
});

const listProjects = list({
  key: 'list_projects',
  noun: 'Project',
  path: 'projects',
  label: 'List Projects',
  sample: {
    id: 'project_8fJ2kL9mN4pQ7rS1tV3x',
    name: 'Website closeout',
    client_id: 'client_5hG7jK2lM9nP4qR8sT1v',
    client_name: 'Jane Smith',
    client_email: 'jane@example.com',
    status: 'draft',
    project_type: 'Web Design',
    launch_date: '2026-06-01',
    created_at: '2026-05-27T12:00:00.000Z',
  },
  outputFields: [
    { key: 'id', label: 'Project ID' },
    { key: 'name', label: 'Project Name' },
    { key: 'client_id', label: 'Client ID' },
    { key: 'client_name', label: 'Client Name' },
    { key: 'client_email', label: 'Client Email' },
    { key: 'status', label: 'Project Status' },
    { key: 'project_type', label: 'Project Type' },
    { key: 'launch_date', label: 'Launch Date' },
    { key: 'created_at', label: 'Created At', type: 'datetime' },
  ],
});

const listClients = list({
  key: 'list_clients',
  noun: 'Client',
  path: 'clients',
  label: 'List Clients',
  sample: clientSample,
  outputFields: clientFields,
});

const listTemplates = list({
  key: 'list_templates',
  noun: 'Template',
  path: 'templates',
  label: 'List Pack Templates',
  sample: { id: 'tpl_WebDesign', name: 'Website handover',
    project_type: 'Web Design' },
  outputFields: [
    { key: 'id', label: 'Template ID' },
    { key: 'name', label: 'Template Name' },
    { key: 'project_type', label: 'Project Type' },
  ],
});

module.exports = {
  [listProjects.key]: listProjects,
  [listClients.key]: listClients,
  [listTemplates.key]: listTemplates,
};
