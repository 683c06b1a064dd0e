/*
 * ingest.h: POST /internal/events, where the upstream store reports the
 * events that happen on its side (pack.viewed, client.signed_off) so they
 * reach the journal, the triggers and the subscribers like any other.
 *
 * No API key: the request is signed Standard-Webhooks style with
 * ingest_secret (headers webhook-id, webhook-timestamp within five
 * minutes, webhook-signature v1 over "id.timestamp.body"). ingest_secret
 * may be a whsec_ secret, or any string of 16+ characters whose bytes are
 * the HMAC key. The body is
 *   {"id": "<upstream event id>", "type", "workspace_id",
 *    "data": {flat snapshot fields}}
 * and the upstream id makes a repeat a no-op (200, "duplicate": true).
 */
#ifndef FZ_INGEST_H
#define FZ_INGEST_H

struct rq;

void	ingest_events(struct rq *rq);

#endif
