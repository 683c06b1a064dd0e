#!/usr/bin/env node
'use strict';
// The API description validated by a real OpenAPI validator, and checked
// against what the daemon actually routes.
const assert = require('node:assert/strict');
const SwaggerParser = require('@apidevtools/swagger-parser');
const h = require('./harness');

let d;
let doc;

h.test('daemon serves /api/v1/openapi.json without a key', async () => {
  d = await h.start();
  const res = await fetch(`${d.base}/api/v1/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.ok(res.headers.get('x-request-id'));
  doc = await res.json();
  assert.match(doc.openapi, /^3\.1\./);
});

h.test('swagger-parser validates the document', async () => {
  const api = await SwaggerParser.validate(structuredClone(doc));
  assert.ok(api.paths['/api/v1/projects']);
});

h.test('bearer security scheme is declared and used', () => {
  assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
  assert.deepEqual(doc.paths['/api/v1/auth'].get.security, [{ bearer: [] }]);
  assert.deepEqual(doc.paths['/healthz'].get.security, []);
});

h.test('request bodies name their required fields', () => {
  const op = doc.paths['/api/v1/projects'].post;
  const ref = op.requestBody.content['application/json'].schema.$ref;
  const schema = doc.components.schemas[ref.split('/').pop()];
  for (const f of ['name', 'projectType', 'launchDate'])
    assert.ok(schema.required.includes(f), f);
  assert.ok(schema.examples.length > 0);
});

h.test('every documented operation is routed (no 404 or 405)', async () => {
  const token = h.key(d);
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      const url = d.base + p.replace(/\{[^}]+\}/g, 'x');
      const res = await fetch(url, {
        method: method.toUpperCase(),
        // JSON, as the API answers it: the share link's GET answers a
        // web page to anyone who does not ask for JSON.
        headers: { Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json', Accept: 'application/json' },
        body: ['post', 'put', 'patch'].includes(method) ? '{}' : undefined,
      });
      assert.notEqual(res.status, 405, `${method} ${p}`);
      // /metrics answers text; everything else answers JSON.
      if (!/json/.test(res.headers.get('content-type') || '')) {
        assert.equal(res.status, 200, `${method} ${p}`);
        continue;
      }
      const body = await res.json();
      // A placeholder id may be "no such record", never "no such endpoint".
      if (res.status === 404)
        assert.notEqual(body.error.message, 'no such endpoint',
          `${method} ${p}`);
    }
  }
});

h.test('error answers are documented with the envelope', () => {
  const op = doc.paths['/api/v1/projects'].post;
  for (const s of ['400', '401', '403', '409', '413', '415', '429'])
    assert.ok(op.responses[s], s);
  assert.equal(op.responses['201'].content['application/json'].schema
    .properties.meta.$ref, '#/components/schemas/Meta');
});

h.test('daemon stops cleanly', async () => {
  assert.equal(await h.stop(d), 0);
});

h.run();
