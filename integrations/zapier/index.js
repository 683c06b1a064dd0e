'use strict';
// Finalizo for Zapier: the Zapier Platform app that talks to fzrelay.

const { version } = require('./package.json');
const { version: platformVersion } = require('zapier-platform-core');

const authentication = require('./lib/authentication');
const { addBearer, handleErrors } = require('./lib/api');
const triggers = require('./lib/triggers');
const creates = require('./lib/creates');

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [addBearer],
  afterResponse: [handleErrors],
  // Let handleErrors see 429 answers too, so the ThrottledError carries the
  // API's message and honours its Retry-After.
  flags: { throwForThrottlingEarly: false },
  triggers,
  creates,
  searches: {},
  resources: {},
};
