'use strict';
// Searches: GET /api/v1/zapier/searches/find-project and …/find-client.
// Each answers a bare array, newest first, empty when nothing matches;
// Zapier takes the first. With "create if not found" Zapier runs Create
// Project or Create Client instead (searchOrCreates in index.js).

const { apiUrl } = require('./api');
const {
  projectOut, projectFields, projectSample, clientFields, clientSample,
  compact,
} = require('./records');

const search = async (z, bundle, path, params) => {
  const response = await z.request({ url: apiUrl(bundle, path),
    params: compact(params) });
  if (!Array.isArray(response.data))
    throw new z.errors.Error(`fzrelay answered ${path} without a list`,
      'UNEXPECTED_RESPONSE', response.status);
  return response.data;
};

const findProject = {
  key: 'find_project',
  noun: 'Project',
  display: {
    label: 'Find Project',
    description: 'Finds the newest project whose name contains the given ' +
      'text, or whose client has the given email address.',
  },
  operation: {
    inputFields: [
      { key: 'project_name', label: 'Project Name',
        helpText: 'Part of the project\'s name, in any case: "closeout" ' +
          'finds "Website Closeout". Give this, Client Email, or both ' +
          '(then a project must match both).' },
      { key: 'client_email', label: 'Client Email',
        helpText: 'The email address of the project\'s client, compared ' +
          'case-insensitively. Give this, Project Name, or both.' },
    ],
    perform: async (z, bundle) => {
      const d = bundle.inputData;
      const found = await search(z, bundle,
        '/zapier/searches/find-project',
        { name: d.project_name, client_email: d.client_email });
      return found.map(projectOut);
    },
    sample: projectSample,
    outputFields: projectFields,
  },
};

const findClient = {
  key: 'find_client',
  noun: 'Client',
  display: {
    label: 'Find Client',
    description: 'Finds a client of the workspace by email address.',
  },
  operation: {
    inputFields: [
      { key: 'client_email', label: 'Client Email', required: true,
        helpText: 'The client\'s email address, compared ' +
          'case-insensitively: Jane@Example.com finds jane@example.com, ' +
          'jane+x@example.com is another client.' },
    ],
    perform: (z, bundle) => search(z, bundle, '/zapier/searches/find-client',
      { email: bundle.inputData.client_email }),
    sample: clientSample,
    outputFields: clientFields,
  },
};

module.exports = {
  [findProject.key]: findProject,
  [findClient.key]: findClient,
};
