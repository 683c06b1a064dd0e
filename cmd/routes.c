#include "actions/hooks.h"
#include "actions/ingest.h"
#include "actions/keys.h"
#include "actions/portal_form.h"
#include "actions/writes.h"
#include "actions/zapier.h"
#include "actions/zsearch.h"
#include "cmd/routes.h"
#include "relay/account.h"
#include "relay/console.h"
#include "relay/health.h"
#include "relay/metrics.h"
#include "relay/openapi.h"
#include "relay/portal_page.h"
#include "relay/reads.h"
#include "triggers/poll.h"
#include "triggers/stream.h"
#include "triggers/zlists.h"

#define A	PLAN_AGENCY
#define P	PLAN_PRO
#define R	SCOPE_READ
#define W	SCOPE_WRITE
#define BODY	ROUTE_JSON_BODY

/*
 * What the API description says of each route beyond what its plan,
 * flags and path imply (relay/openapi.c adds those): answers its handler
 * gives and the parameters it reads.
 */
static const struct route_answer ready_answers[] = {
	{ 503, "The state directory does not take writes, or the store "
	    "(upstream with store = http) does not answer." },
	{ 0, NULL },
};
static const struct route_answer key_create_answers[] = {
	{ 403, "FORBIDDEN too when the scopes asked for exceed the calling "
	    "key's own." },
	{ 0, NULL },
};
static const struct route_answer filter_answers[] = {
	{ 400, "A filter value that cannot match: an email that is not one, "
	    "an id without its prefix, a status that is none, text over 200 "
	    "bytes; or a cursor of another filter (details name each)." },
	{ 0, NULL },
};
#define EMAIL_SCHEMA	"{\"type\":\"string\",\"format\":\"email\"," \
	"\"maxLength\":254,\"examples\":[\"sam@example.com\"]}"
#define TEXT_SCHEMA	"{\"type\":\"string\",\"maxLength\":200," \
	"\"examples\":[\"site\"]}"
static const struct route_param projects_params[] = {
	{ "query", "clientEmail", 0, EMAIL_SCHEMA, "Only the projects of the "
	    "client with this email (trimmed, any case)" },
	{ "query", "clientId", 0, "{\"type\":\"string\",\"pattern\":"
	    "\"^client_[A-Za-z0-9]+$\"}", "Only this client's projects" },
	{ "query", "status", 0, "{\"type\":\"string\",\"enum\":[\"draft\","
	    "\"sent\",\"viewed\",\"signed_off\"]}", "Only projects in this "
	    "state" },
	{ "query", "q", 0, TEXT_SCHEMA, "Only projects whose name holds this "
	    "(any case)" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_param clients_params[] = {
	{ "query", "email", 0, EMAIL_SCHEMA, "Only the client with this "
	    "email (trimmed, any case)" },
	{ "query", "q", 0, TEXT_SCHEMA, "Only clients whose name or email "
	    "holds this (any case)" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_param zlist_params[] = {
	{ "query", "q", 0, TEXT_SCHEMA, "Only those whose name (clients: or "
	    "email) holds this (any case)" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_param find_project_params[] = {
	{ "query", "name", 0, TEXT_SCHEMA, "Part of the project's name (any "
	    "case); name or client_email is needed" },
	{ "query", "client_email", 0, EMAIL_SCHEMA, "The email of the "
	    "project's client" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_param find_client_params[] = {
	{ "query", "email", 1, EMAIL_SCHEMA, "The client's email" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_answer find_project_answers[] = {
	{ 400, "Neither name nor client_email, or one that cannot match "
	    "(details name it)." },
	{ 0, NULL },
};
static const struct route_answer find_client_answers[] = {
	{ 400, "email missing or not an email (details name it)." },
	{ 0, NULL },
};
static const struct route_answer zapier_client_answers[] = {
	{ 200, "A client of this workspace already has client_email: that "
	    "client, unchanged." },
	{ 0, NULL },
};
static const struct route_answer client_create_answers[] = {
	{ 409, "A client of this workspace has this email (details name "
	    "it)." },
	{ 0, NULL },
};
static const struct route_answer project_create_answers[] = {
	{ 400, "clientId or templateId names no record of this workspace." },
	{ 0, NULL },
};
static const struct route_answer pack_put_answers[] = {
	{ 409, "The project is signed off: its pack is final." },
	{ 0, NULL },
};
static const struct route_answer pack_send_answers[] = {
	{ 409, "The project is already signed off." },
	{ 0, NULL },
};
static const struct route_answer reveals_answers[] = {
	{ 404, "No such project." },
	{ 0, NULL },
};
static const struct route_answer portal_reveal_answers[] = {
	{ 400, "section, item or label is missing or not a credential's "
	    "(details name each)." },
	{ 404, "No pack is shared under this token (with store = http the "
	    "portal is the upstream's)." },
	{ 409, "The pack changed: no credential with that label is at that "
	    "place any more (reload the page)." },
	{ 429, "Over 20 reveals a minute through this link; see "
	    "Retry-After." },
	{ 0, NULL },
};
static const struct route_answer signoff_get_answers[] = {
	{ 404, "The project is not signed off yet." },
	{ 0, NULL },
};
static const struct route_answer events_answers[] = {
	{ 400, "after is not a cursor of this workspace's stream, types "
	    "names an unknown event, or limit is outside 1..100 (details "
	    "name each)." },
	{ 0, NULL },
};
static const struct route_param events_params[] = {
	{ "query", "after", 0, "{\"type\":\"string\","
	    "\"pattern\":\"^[A-Za-z0-9_-]+$\"}", "meta.next_cursor of the "
	    "previous page: the events after it (none: from the first)" },
	{ "query", "types", 0, "{\"type\":\"string\",\"pattern\":"
	    "\"^(pack\\\\.sent|pack\\\\.viewed|client\\\\.signed_off)"
	    "(,(pack\\\\.sent|pack\\\\.viewed|client\\\\.signed_off))*$\","
	    "\"examples\":[\"pack.sent,client.signed_off\"]}",
	    "Only these events, comma-separated (none: every event)" },
	{ "query", "limit", 0, "{\"type\":\"integer\",\"minimum\":1,"
	    "\"maximum\":100,\"default\":50}", "Page size" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_answer zapier_create_answers[] = {
	{ 400, "client_id or template_id names no record of this "
	    "workspace." },
	{ 0, NULL },
};
static const struct route_answer zapier_send_answers[] = {
	{ 404, "project_id names no project of this workspace." },
	{ 409, "The project is already signed off." },
	{ 0, NULL },
};
static const struct route_answer hook_create_answers[] = {
	{ 400, "The target URL is refused: not http(s), or a loopback, "
	    "private or local address (unless allow_private_targets)." },
	{ 0, NULL },
};
static const struct route_answer replay_answers[] = {
	{ 400, "Neither since nor after, a since that is not an RFC 3339 "
	    "time, or an after that is not a cursor of GET /events." },
	{ 0, NULL },
};
static const struct route_answer ingest_answers[] = {
	{ 200, "A repeated id: recorded before, nothing new "
	    "(duplicate: true)." },
	{ 400, "workspace_id names no workspace here." },
	{ 401, "Missing, stale (over five minutes) or wrong webhook "
	    "signature; WWW-Authenticate names the Standard Webhooks "
	    "headers." },
	{ 404, "Ingest is not configured (no ingest_secret)." },
	{ 0, NULL },
};
static const struct route_param ingest_params[] = {
	{ "header", "webhook-id", 1, "{\"type\":\"string\",\"minLength\":1}",
	    "The report's id, signed with the body" },
	{ "header", "webhook-timestamp", 1, "{\"type\":\"string\","
	    "\"pattern\":\"^[0-9]{1,12}$\"}", "Seconds since the epoch, "
	    "within five minutes of the relay's clock" },
	{ "header", "webhook-signature", 1, "{\"type\":\"string\","
	    "\"minLength\":1}", "v1,<base64 HMAC-SHA256 of id.timestamp.body "
	    "under ingest_secret>, several separated by spaces" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct route_answer portal_answers[] = {
	{ 404, "No pack is shared under this token (with store = http the "
	    "portal is the upstream's)." },
	{ 0, NULL },
};
static const struct route_answer portal_signoff_answers[] = {
	{ 403, "The email is not the one the pack was sent to (FORBIDDEN); "
	    "nothing is recorded." },
	{ 404, "No pack is shared under this token (with store = http the "
	    "portal is the upstream's)." },
	{ 409, "The pack is already signed off." },
	{ 429, "Over five sign-off attempts a minute through this link; see "
	    "Retry-After." },
	{ 0, NULL },
};

static const struct route routes[] = {
	{ "GET", "/healthz", health_live, 0, 0, 0,
	    "Liveness", "Health", NULL, "Health",
	    "Answers while the daemon's event loop runs; it checks nothing "
	    "else.", NULL, NULL, NULL },
	{ "GET", "/readyz", health_ready, 0, 0, 0,
	    "Readiness", "Health", NULL, "Health",
	    "Ready when the state directory takes writes and the store "
	    "answers (with store = http, the upstream's /readyz).", NULL,
	    ready_answers, NULL },
	{ "GET", "/metrics", metrics_serve, 0, 0, ROUTE_RAW | ROUTE_TEXT,
	    "Prometheus metrics", "Health", NULL, NULL,
	    "Counters and histograms in the Prometheus text format: requests "
	    "by route pattern and status, deliveries, journal and store "
	    "figures.", NULL, NULL, NULL },
	{ "GET", "/api/v1/openapi.json", openapi_serve, 0, 0, ROUTE_RAW,
	    "This API description", "Meta", NULL, NULL,
	    "This document: OpenAPI 3.1, built from the daemon's own route "
	    "table, so it lists exactly what is served.", NULL, NULL, NULL },
	{ "GET", "/api/v1/auth", account_auth, P, R, 0,
	    "The key behind the token", "Account", NULL, "Auth",
	    "The workspace and the API key that the bearer token belongs to; "
	    "Zapier's connection test.", NULL, NULL, NULL },
	{ "GET", "/api/v1/me", account_me, P, R, 0,
	    "The workspace and a connection label", "Account", NULL, "Me",
	    "The workspace with a label naming it and the key, as Zapier "
	    "shows the connection.", NULL, NULL, NULL },
	{ "GET", "/api/v1/keys", keys_list, P, SCOPE_ADMIN, 0,
	    "List API keys", "Keys", NULL, "KeyList",
	    "The workspace's API keys, newest first, revoked ones included; "
	    "never a token, only its public prefix.", NULL, NULL, NULL },
	{ "POST", "/api/v1/keys", keys_create, P, SCOPE_ADMIN,
	    BODY | ROUTE_CREATES, "Create an API key", "Keys", "KeyInput",
	    "NewKey",
	    "A new key with at most the calling key's scopes; the answer "
	    "holds its token, shown this once and never again.", NULL,
	    key_create_answers, NULL },
	{ "DELETE", "/api/v1/keys/:id", keys_revoke, P, SCOPE_ADMIN, 0,
	    "Revoke an API key", "Keys", NULL, "Key",
	    "The key's token is refused from the next request on, and the "
	    "Zapier hooks it subscribed stop; revoking twice answers as the "
	    "first time.", "key", NULL, NULL },
	{ "GET", "/api/v1/clients", reads_clients, A, R,
	    ROUTE_LIST | ROUTE_STORE, "List clients", "Clients", NULL,
	    "ClientList",
	    "The workspace's clients, newest first, a page at a time "
	    "(meta.next_cursor while more remain); ?email= and ?q= filter, "
	    "and a cursor keeps to its filter.", NULL, filter_answers,
	    clients_params },
	{ "POST", "/api/v1/clients", writes_client_create, A, W,
	    BODY | ROUTE_CREATES | ROUTE_STORE, "Create a client", "Clients",
	    "ClientInput", "Client",
	    "A new client; emails are unique in the workspace, compared "
	    "trimmed and lower-cased.", NULL, client_create_answers, NULL },
	{ "GET", "/api/v1/clients/:id", reads_client, A, R, ROUTE_STORE,
	    "Get a client", "Clients", NULL, "Client",
	    "One client of the workspace.", "client", NULL, NULL },
	{ "GET", "/api/v1/projects", reads_projects, A, R,
	    ROUTE_LIST | ROUTE_STORE, "List projects", "Projects", NULL,
	    "ProjectList",
	    "The workspace's projects, newest first, a page at a time "
	    "(meta.next_cursor while more remain); ?clientEmail=, ?clientId=, "
	    "?status= and ?q= filter, and a cursor keeps to its filter. A ?q= "
	    "page reads at most 50,000 projects: in a larger workspace it may "
	    "come short, or empty, with a cursor.", NULL, filter_answers,
	    projects_params },
	{ "POST", "/api/v1/projects", writes_project_create, A, W,
	    BODY | ROUTE_CREATES | ROUTE_STORE, "Create a project",
	    "Projects", "ProjectInput", "Project",
	    "A project for an existing client (clientId), or for the client "
	    "with clientEmail, made with clientName if there is none; a "
	    "templateId starts its pack from that template.", NULL,
	    project_create_answers, NULL },
	{ "GET", "/api/v1/projects/:id", reads_project, A, R, ROUTE_STORE,
	    "Get a project", "Projects", NULL, "Project",
	    "One project with its client.", "project", NULL, NULL },
	{ "PATCH", "/api/v1/projects/:id", writes_project_update, A, W,
	    BODY | ROUTE_STORE, "Update a project", "Projects",
	    "ProjectPatch", "Project",
	    "Changes the name, type or launch date; a field sent must hold "
	    "a value, and at least one is needed.", "project", NULL, NULL },
	{ "GET", "/api/v1/projects/:id/pack", reads_pack, A, R, ROUTE_STORE,
	    "Get a project's pack", "Packs", NULL, "Pack",
	    "The handover pack: its sections, with passwords masked, and its "
	    "share_url once sent.", "project", NULL, NULL },
	{ "PUT", "/api/v1/projects/:id/pack", writes_pack_put, A, W,
	    BODY | ROUTE_STORE, "Replace a pack's sections", "Packs",
	    "PackInput", "Pack",
	    "Replaces every section; a credential's password is write-only "
	    "(null keeps the one stored).", "project", pack_put_answers,
	    NULL },
	{ "POST", "/api/v1/projects/:id/pack/send", writes_pack_send, A, W,
	    BODY | ROUTE_STORE, "Send a pack", "Packs", "SendInput",
	    "SentProject",
	    "Sends the pack to the client and records pack.sent; an "
	    "unchanged pack already sent records nothing new "
	    "(eventRecorded: false).", "project", pack_send_answers, NULL },
	{ "GET", "/api/v1/projects/:id/pack/reveals", reads_pack_reveals, A, R,
	    ROUTE_LIST | ROUTE_STORE, "List password reveals", "Packs", NULL,
	    "RevealList",
	    "Passwords the client revealed in the portal, newest first: "
	    "when, which item, from where; never the password itself.",
	    "project", reveals_answers, NULL },
	{ "GET", "/api/v1/projects/:id/signoff", reads_signoff, A, R,
	    ROUTE_STORE, "Get a project's sign-off", "Sign-offs", NULL,
	    "Signoff",
	    "The client's sign-off of the project's pack, with its evidence "
	    "(address and user agent).", "project", signoff_get_answers,
	    NULL },
	{ "GET", "/api/v1/signoffs", reads_signoffs, A, R,
	    ROUTE_LIST | ROUTE_STORE, "List sign-offs", "Sign-offs", NULL,
	    "SignoffList",
	    "The workspace's sign-offs, newest first, a page at a time.",
	    NULL, NULL, NULL },
	{ "GET", "/api/v1/templates", reads_templates, A, R, ROUTE_STORE,
	    "List pack templates", "Templates", NULL, "TemplateList",
	    "The built-in templates a project's pack can start from "
	    "(templateId).", NULL, NULL, NULL },
	{ "GET", "/api/v1/events", stream_events, A, R, 0,
	    "Stream events", "Events", NULL, "EventList",
	    "Every event of the workspace, oldest first, after ?after=; "
	    "meta.next_cursor is where to poll from next (also at the end), "
	    "meta.has_more says whether more wait; ?types= filters.", NULL,
	    events_answers, events_params },
	{ "GET", "/api/v1/zapier/triggers/pack-sent", poll_pack_sent, P, R,
	    ROUTE_RAW | ROUTE_LIST, "Trigger: pack sent", "Zapier", NULL,
	    "TriggerList",
	    "Zapier polling trigger: packs sent, newest first, as a bare "
	    "array; X-Next-Cursor while more remain.", NULL, NULL, NULL },
	{ "GET", "/api/v1/zapier/triggers/pack-viewed", poll_pack_viewed, P,
	    R, ROUTE_RAW | ROUTE_LIST, "Trigger: pack viewed", "Zapier", NULL,
	    "TriggerList",
	    "Zapier polling trigger: packs the client viewed, newest first, "
	    "as a bare array; X-Next-Cursor while more remain.", NULL, NULL,
	    NULL },
	{ "GET", "/api/v1/zapier/triggers/client-signed-off", poll_signed_off,
	    P, R, ROUTE_RAW | ROUTE_LIST, "Trigger: client signed off",
	    "Zapier", NULL, "TriggerList",
	    "Zapier polling trigger: sign-offs, newest first, as a bare "
	    "array; X-Next-Cursor while more remain.", NULL, NULL, NULL },
	{ "POST", "/api/v1/zapier/actions/create-project",
	    zapier_create_project, P, W, BODY | ROUTE_CREATES | ROUTE_STORE,
	    "Action: create a project", "Zapier", "ZapierCreateProject",
	    "ZapierProject",
	    "Zapier action: POST /projects with snake_case fields, answered "
	    "flat.", NULL, zapier_create_answers, NULL },
	{ "POST", "/api/v1/zapier/actions/send-pack", zapier_send_pack, P, W,
	    BODY | ROUTE_STORE, "Action: send a pack", "Zapier",
	    "ZapierSendPack", "ZapierProject",
	    "Zapier action: sends project_id's pack; an unchanged pack "
	    "already sent records nothing new (event_recorded: false).", NULL,
	    zapier_send_answers, NULL },
	{ "POST", "/api/v1/zapier/actions/create-client",
	    zapier_create_client, P, W, BODY | ROUTE_CREATES | ROUTE_STORE,
	    "Action: create a client", "Zapier", "ZapierCreateClient",
	    "ZapierClient",
	    "Zapier action: a client from client_name (or first_name and "
	    "last_name) and client_email, flat.", NULL,
	    zapier_client_answers, NULL },
	{ "GET", "/api/v1/zapier/lists/projects", zlists_projects, P, R,
	    ROUTE_RAW | ROUTE_LIST | ROUTE_STORE, "Dropdown: projects",
	    "Zapier", NULL, "ZapierProjectChoiceList",
	    "Projects for a dynamic dropdown, newest first, a bare array "
	    "(X-Next-Cursor while more remain).", NULL, filter_answers,
	    zlist_params },
	{ "GET", "/api/v1/zapier/lists/clients", zlists_clients, P, R,
	    ROUTE_RAW | ROUTE_LIST | ROUTE_STORE, "Dropdown: clients",
	    "Zapier", NULL, "ZapierClientList",
	    "Clients for a dynamic dropdown, newest first, a bare array; ?q= "
	    "keeps those whose name or email holds it.", NULL, filter_answers,
	    zlist_params },
	{ "GET", "/api/v1/zapier/lists/templates", zlists_templates, P, R,
	    ROUTE_RAW | ROUTE_LIST | ROUTE_STORE, "Dropdown: pack templates",
	    "Zapier", NULL, "ZapierTemplateList",
	    "The built-in pack templates for a dynamic dropdown, a bare "
	    "array.", NULL, NULL, NULL },
	{ "GET", "/api/v1/zapier/searches/find-project", zsearch_find_project,
	    P, R, ROUTE_RAW | ROUTE_LIST | ROUTE_STORE, "Search: find a project",
	    "Zapier", NULL, "ZapierProjectList",
	    "Projects whose name holds ?name= (any case) and/or whose client "
	    "has ?client_email=, newest first, a bare array (empty: none). In "
	    "a workspace over 50,000 projects a ?name= page may come short "
	    "with X-Next-Cursor: follow it.", NULL, find_project_answers,
	    find_project_params },
	{ "GET", "/api/v1/zapier/searches/find-client", zsearch_find_client,
	    P, R, ROUTE_RAW | ROUTE_LIST | ROUTE_STORE, "Search: find a client",
	    "Zapier", NULL, "ZapierClientList",
	    "The client with ?email= (compared trimmed and lower-cased), a bare "
	    "array (empty: none).", NULL, find_client_answers,
	    find_client_params },
	{ "POST", "/api/v1/zapier/hooks", hooks_zapier_subscribe, P, W,
	    BODY | ROUTE_CREATES, "REST hook: subscribe", "Zapier",
	    "ZapierHookInput", "ZapierHook",
	    "Subscribes hookUrl (or target_url) to one event; the hook is "
	    "bound to the calling key and stops when it is revoked.", NULL,
	    hook_create_answers, NULL },
	{ "GET", "/api/v1/zapier/hooks", hooks_zapier_list, P, R, 0,
	    "REST hooks: list", "Zapier", NULL, "ZapierHookList",
	    "The workspace's Zapier hooks with their status: paused while "
	    "the plan lacks Zapier, revoked with the key that subscribed "
	    "them.", NULL, NULL, NULL },
	{ "GET", "/api/v1/zapier/hooks/:id", hooks_zapier_get, P, R, 0,
	    "REST hook: get", "Zapier", NULL, "ZapierHook",
	    "One Zapier hook: its event, target and status.", "hook", NULL,
	    NULL },
	{ "DELETE", "/api/v1/zapier/hooks/:id", hooks_zapier_unsubscribe, P,
	    W, 0, "REST hook: unsubscribe", "Zapier", NULL, "Deleted",
	    "Removes the hook and its pending deliveries.", "hook", NULL,
	    NULL },
	{ "GET", "/api/v1/webhooks", hooks_webhook_list, A, R, 0,
	    "List webhook endpoints", "Webhooks", NULL, "WebhookList",
	    "The workspace's webhook endpoints, without their secrets.", NULL,
	    NULL, NULL },
	{ "POST", "/api/v1/webhooks", hooks_webhook_create, A, W,
	    BODY | ROUTE_CREATES, "Create a webhook endpoint", "Webhooks",
	    "WebhookInput", "Webhook",
	    "A new endpoint for the events named; the answer shows its "
	    "signing secret (whsec_...).", NULL, hook_create_answers, NULL },
	{ "GET", "/api/v1/webhooks/:id", hooks_webhook_get, A, R, 0,
	    "Get a webhook endpoint", "Webhooks", NULL, "Webhook",
	    "One endpoint; its secret only to admin keys.", "hook", NULL,
	    NULL },
	{ "DELETE", "/api/v1/webhooks/:id", hooks_webhook_delete, A, W, 0,
	    "Delete a webhook endpoint", "Webhooks", NULL, "Deleted",
	    "Removes the endpoint and its pending deliveries.", "hook", NULL,
	    NULL },
	{ "POST", "/api/v1/webhooks/:id/rotate-secret", hooks_webhook_rotate,
	    A, SCOPE_ADMIN, 0, "Rotate a signing secret", "Webhooks", NULL,
	    "Webhook",
	    "A new signing secret; deliveries carry signatures under the old "
	    "one too for 24 hours.", "hook", NULL, NULL },
	{ "POST", "/api/v1/webhooks/:id/enable", hooks_webhook_enable, A, W,
	    0, "Re-enable a webhook endpoint", "Webhooks", NULL, "Webhook",
	    "Re-enables an endpoint disabled after failing for 5 days; an "
	    "enabled one stays as it is.", "hook", NULL, NULL },
	{ "GET", "/api/v1/webhooks/:id/deliveries", hooks_webhook_deliveries,
	    A, R, 0, "List an endpoint's deliveries", "Webhooks", NULL,
	    "DeliveryList",
	    "The endpoint's latest deliveries (at most 100) with every "
	    "attempt.", "hook", NULL, NULL },
	{ "POST", "/internal/events", ingest_events, 0, 0,
	    BODY | ROUTE_OWN_BODY | ROUTE_CREATES, "Report an upstream event",
	    "Internal", "IngestInput", "IngestResult",
	    "The upstream store reports pack.viewed and client.signed_off, "
	    "signed with ingest_secret (Standard Webhooks); a repeated id is "
	    "a no-op.", NULL, ingest_answers, ingest_params },
	{ "POST", "/api/v1/webhooks/:id/replay", hooks_webhook_replay, A, W,
	    BODY | ROUTE_QUEUES, "Replay events to an endpoint", "Webhooks",
	    "ReplayInput", "ReplayResult",
	    "Queues the endpoint's events again, from a time (since) or an "
	    "event cursor (after), at most 10,000 (truncated says so).",
	    "hook", replay_answers, NULL },
	{ "GET", "/console", console_serve, 0, 0, ROUTE_RAW | ROUTE_PAGE,
	    "The workspace console (a web page)", NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL },
	{ "GET", "/console/:file", console_serve, 0, 0,
	    ROUTE_RAW | ROUTE_PAGE, "The console's script and style", NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL },
	{ "GET", "/p/:token", reads_portal, 0, 0, ROUTE_HTML,
	    "Open a shared pack", "Portal", NULL, "PortalView",
	    "The client's view of a sent pack: JSON when Accept prefers "
	    "application/json, else the web page. GET and HEAD record no "
	    "view; the first fetch is kept as firstFetchedAt.", NULL,
	    portal_answers, NULL },
	{ "POST", "/p/:token", portal_form_signoff, 0, 0,
	    ROUTE_RAW | ROUTE_PAGE | ROUTE_SMALL_BODY,
	    "The portal page's sign-off form", NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL },
	{ "GET", "/p/assets/:file", portal_page_asset, 0, 0,
	    ROUTE_RAW | ROUTE_PAGE, "The portal page's script and style",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	{ "POST", "/p/:token/view", writes_view, 0, 0, ROUTE_SMALL_BODY,
	    "Report a pack viewed", "Portal", NULL, "PortalView",
	    "The page reports a person has the pack in front of them: "
	    "pack.viewed is recorded once per project, a repeat records "
	    "nothing, and a known link scanner records nothing.", NULL,
	    portal_answers, NULL },
	{ "POST", "/p/:token/signoff", writes_signoff, 0, 0,
	    BODY | ROUTE_CREATES | ROUTE_SMALL_BODY, "Sign off a pack",
	    "Portal", "SignoffInput",
	    "Signoff",
	    "The client signs off with the email the pack was sent to; "
	    "records client.signed_off, after pack.viewed if none was "
	    "recorded.", NULL, portal_signoff_answers, NULL },
	{ "POST", "/p/:token/reveal", writes_reveal, 0, 0,
	    BODY | ROUTE_SMALL_BODY | ROUTE_NO_STORE, "Reveal a password", "Portal",
	    "RevealInput", "Revealed",
	    "The page shows one credential's password to the client, after "
	    "an explicit click; each reveal is recorded for the agency "
	    "(GET /api/v1/projects/{id}/pack/reveals) and counts as a view.",
	    NULL, portal_reveal_answers, NULL },
};

const struct route *
routes_table(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
