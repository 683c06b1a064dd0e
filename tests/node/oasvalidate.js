'use strict';
// A response validator built from an OpenAPI 3.1 document: an answer must
// be one the document lists for its operation (status), carry every header
// the document requires there and nothing it does not describe beyond
// HTTP's own framing, each with a value its schema takes, and a body of a
// listed media type that its schema takes. Schemas are checked by Ajv's
// JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1), formats
// included.
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

// Headers of HTTP itself, not of the API.
const FRAMING = new Set(['content-type', 'content-length', 'date', 'server',
  'connection', 'keep-alive', 'transfer-encoding']);
const DOC_ID = 'https://fzrelay.invalid/openapi.json';

class Validator {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    // The document's components, under the document's own address, so
    // each "#/components/..." reference resolves as in the document.
    this.ajv.addSchema({ $id: DOC_ID, components: doc.components });
    this.compiled = new Map();
  }

  schemaCheck(schema, value) {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile({
        $id: `https://fzrelay.invalid/check/${this.compiled.size}`,
        ...rebase(schema) });
      this.compiled.set(key, fn);
    }
    if (fn(value)) return null;
    return this.ajv.errorsText(fn.errors, { dataVar: 'body' });
  }

  resolve(obj) {
    while (obj && obj.$ref) {
      const parts = obj.$ref.replace(/^#\//, '').split('/');
      obj = parts.reduce((o, p) => o && o[p], this.doc);
    }
    return obj;
  }

  operation(method, template) {
    const item = this.doc.paths[template];
    return item && item[method.toLowerCase()];
  }

  // Returns the problems with an answer (an empty array when it is one
  // the document describes). res: { status, headers (a Headers or a plain
  // object of lower-case names), text }.
  check(method, template, res) {
    const op = this.operation(method, template);
    if (!op) return [`${method} ${template} is not documented`];
    const where = `${method} ${template} ${res.status}`;
    const r = this.resolve(op.responses[String(res.status)]);
    if (!r) return [`${where}: status not documented (body ${
      String(res.text).slice(0, 200)})`];
    const problems = [];
    const got = new Map();
    const entries = typeof res.headers.entries === 'function' ?
      [...res.headers.entries()] : Object.entries(res.headers);
    for (const [k, v] of entries) got.set(k.toLowerCase(), v);
    const declared = new Set();
    for (const [name, ref] of Object.entries(r.headers || {})) {
      const h = this.resolve(ref);
      const lname = name.toLowerCase();
      declared.add(lname);
      const v = got.get(lname);
      if (v === undefined) {
        if (h.required) problems.push(`${where}: header ${name} missing`);
        continue;
      }
      const schema = h.schema || {};
      const value = schema.type === 'integer' && /^-?\d+$/.test(v) ?
        Number(v) : v;
      const err = this.schemaCheck(schema, value);
      if (err) problems.push(`${where}: header ${name}: ${v}: ${err}`);
    }
    for (const name of got.keys())
      if (!declared.has(name) && !FRAMING.has(name))
        problems.push(`${where}: header ${name} not described`);
    const ctype = (got.get('content-type') || '').split(';')[0].trim();
    const media = r.content && r.content[ctype];
    if (!media) {
      problems.push(`${where}: content type ${ctype || '(none)'} not ` +
        'described');
      return problems;
    }
    let body = res.text;
    if (ctype === 'application/json') {
      try { body = JSON.parse(res.text); } catch (e) {
        problems.push(`${where}: body is not JSON: ${e.message}`);
        return problems;
      }
    }
    if (media.schema) {
      const err = this.schemaCheck(media.schema, body);
      if (err) problems.push(`${where}: ${err}`);
    }
    return problems;
  }
}

// A schema taken out of the document, its local references pointed at
// the document's address.
function rebase(schema) {
  return JSON.parse(JSON.stringify(schema), (k, v) =>
    k === '$ref' && typeof v === 'string' && v.startsWith('#/') ?
      DOC_ID + v : v);
}

module.exports = { Validator };
