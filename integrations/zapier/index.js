'use strict';
// Finalizo for Zapier: the Zapier Platform app that talks to fzrelay.

const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');

const authentication = require('./lib/authentication');
const { addBearer, handleErrors } = require('./lib/api');
const triggers = require('./lib/triggers');
const lists = require('./lib/lists');
const creates = require('./lib/creates');
const searches = require('./lib/searches');

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addBearer],
  afterResponse: [handleErrors],
  // Let handleErrors see 429 answers too, so the ThrottledError carries the
  // API's message and honours its Retry-After.
  flags: { throwForThrottlingEarly: false },
  triggers: { ...triggers, ...lists },
  creates,
  searches,
  // Find-or-create: the key of each is its search's, as Zapier requires.
  searchOrCreates: {
    find_project: {
      key: 'find_project',
      display: {
        label: 'Find or Create Project',
        description: 'Finds the newest project matching a name or a ' +
          'client\'s email address, or creates one if none matches.',
      },
      search: 'find_project',
      create: 'create_project',
    },
    find_client: {
      key: 'find_client',
      display: {
        label: 'Find or Create Client',
        description: 'Finds a client by email address, or creates one if ' +
          'none has it.',
      },
      search: 'find_client',
      create: 'create_client',
    },
  },
  resources: {},
};
