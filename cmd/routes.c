#include "actions/hooks.h"
#include "actions/ingest.h"
#include "actions/keys.h"
#include "actions/writes.h"
#include "actions/zapier.h"
#include "actions/zsearch.h"
#include "cmd/routes.h"
#include "relay/account.h"
#include "relay/console.h"
#include "relay/health.h"
#include "relay/metrics.h"
#include "relay/openapi.h"
#include "relay/reads.h"
#include "triggers/poll.h"
#include "triggers/stream.h"
#include "triggers/zlists.h"

#define A	PLAN_AGENCY
#define P	PLAN_PRO
#define R	SCOPE_READ
#define W	SCOPE_WRITE
#define BODY	ROUTE_JSON_BODY

static const struct route routes[] = {
	{ "GET", "/healthz", health_live, 0, 0, 0,
	    "Liveness: the daemon's loop is running", "Health", NULL,
	    "Health" },
	{ "GET", "/readyz", health_ready, 0, 0, 0,
	    "Readiness: storage can take writes and the store answers",
	    "Health", NULL, "Health" },
	{ "GET", "/metrics", metrics_serve, 0, 0, ROUTE_RAW | ROUTE_TEXT,
	    "Prometheus metrics (text format)", "Health", NULL, NULL },
	{ "GET", "/api/v1/openapi.json", openapi_serve, 0, 0, ROUTE_RAW,
	    "This API description (OpenAPI 3.1)", "Meta", NULL, NULL },
	{ "GET", "/api/v1/auth", account_auth, P, R, 0,
	    "The workspace and API key behind the bearer token", "Account",
	    NULL, "Auth" },
	{ "GET", "/api/v1/me", account_me, P, R, 0,
	    "The workspace and a label for the connection", "Account", NULL,
	    "Me" },
	{ "GET", "/api/v1/keys", keys_list, P, SCOPE_ADMIN, 0,
	    "List the workspace's API keys, newest first (never a token)",
	    "Keys", NULL, "KeyList" },
	{ "POST", "/api/v1/keys", keys_create, P, SCOPE_ADMIN,
	    BODY | ROUTE_CREATES, "Create an API key; the answer holds its "
	    "token, shown this once (scopes at most the caller's own)",
	    "Keys", "KeyInput", "NewKey" },
	{ "DELETE", "/api/v1/keys/:id", keys_revoke, P, SCOPE_ADMIN, 0,
	    "Revoke an API key: its token is refused from the next request",
	    "Keys", NULL, "Key" },
	{ "GET", "/api/v1/clients", reads_clients, A, R, ROUTE_LIST,
	    "List clients, newest first; ?email= and ?q= (part of the name "
	    "or email, any case) filter", "Clients", NULL, "ClientList" },
	{ "POST", "/api/v1/clients", writes_client_create, A, W,
	    BODY | ROUTE_CREATES, "Create a client (emails are unique per "
	    "workspace, compared lower-cased)", "Clients", "ClientInput",
	    "Client" },
	{ "GET", "/api/v1/clients/:id", reads_client, A, R, 0,
	    "Get a client", "Clients", NULL, "Client" },
	{ "GET", "/api/v1/projects", reads_projects, A, R, ROUTE_LIST,
	    "List projects, newest first; ?clientEmail=, ?clientId=, "
	    "?status= and ?q= (part of the name, any case) filter",
	    "Projects", NULL, "ProjectList" },
	{ "POST", "/api/v1/projects", writes_project_create, A, W,
	    BODY | ROUTE_CREATES, "Create a project for an existing client "
	    "(clientId) or a new or matching one (clientName, clientEmail)",
	    "Projects", "ProjectInput", "Project" },
	{ "GET", "/api/v1/projects/:id", reads_project, A, R, 0,
	    "Get a project", "Projects", NULL, "Project" },
	{ "PATCH", "/api/v1/projects/:id", writes_project_update, A, W, BODY,
	    "Change a project's name, type or launch date", "Projects",
	    "ProjectPatch", "Project" },
	{ "GET", "/api/v1/projects/:id/pack", reads_pack, A, R, 0,
	    "Get the handover pack (passwords masked)", "Packs", NULL,
	    "Pack" },
	{ "PUT", "/api/v1/projects/:id/pack", writes_pack_put, A, W, BODY,
	    "Replace the pack's sections (passwords are write-only)",
	    "Packs", "PackInput", "Pack" },
	{ "POST", "/api/v1/projects/:id/pack/send", writes_pack_send, A, W,
	    BODY, "Send the pack to the client (records pack.sent)", "Packs",
	    "SendInput", "SentProject" },
	{ "GET", "/api/v1/projects/:id/signoff", reads_signoff, A, R, 0,
	    "Get the project's sign-off", "Sign-offs", NULL, "Signoff" },
	{ "GET", "/api/v1/signoffs", reads_signoffs, A, R, ROUTE_LIST,
	    "List sign-offs, newest first", "Sign-offs", NULL,
	    "SignoffList" },
	{ "GET", "/api/v1/templates", reads_templates, A, R, 0,
	    "List the built-in pack templates", "Templates", NULL,
	    "TemplateList" },
	{ "GET", "/api/v1/events", stream_events, A, R, 0,
	    "Every event of the workspace, oldest first after ?after= "
	    "(meta.next_cursor is where to poll from next); ?types= filters",
	    "Events", NULL, "EventList" },
	{ "GET", "/api/v1/zapier/triggers/pack-sent", poll_pack_sent, P, R,
	    ROUTE_RAW | ROUTE_LIST, "Zapier polling trigger: packs sent, "
	    "newest first (bare array; X-Next-Cursor while more remain)",
	    "Zapier", NULL, "TriggerList" },
	{ "GET", "/api/v1/zapier/triggers/pack-viewed", poll_pack_viewed, P,
	    R, ROUTE_RAW | ROUTE_LIST, "Zapier polling trigger: packs viewed "
	    "by the client, newest first", "Zapier", NULL, "TriggerList" },
	{ "GET", "/api/v1/zapier/triggers/client-signed-off", poll_signed_off,
	    P, R, ROUTE_RAW | ROUTE_LIST, "Zapier polling trigger: client "
	    "sign-offs, newest first", "Zapier", NULL, "TriggerList" },
	{ "POST", "/api/v1/zapier/actions/create-project",
	    zapier_create_project, P, W, BODY | ROUTE_CREATES,
	    "Zapier action: create a project (snake_case fields)", "Zapier",
	    "ZapierCreateProject", "ZapierProject" },
	{ "POST", "/api/v1/zapier/actions/send-pack", zapier_send_pack, P, W,
	    BODY, "Zapier action: send a project's pack (an unchanged, "
	    "already sent pack records nothing new)", "Zapier",
	    "ZapierSendPack", "ZapierProject" },
	{ "POST", "/api/v1/zapier/actions/create-client",
	    zapier_create_client, P, W, BODY | ROUTE_CREATES,
	    "Zapier action: create a client (client_name, or first_name and "
	    "last_name; client_email); 200 with the client that already has "
	    "the email", "Zapier", "ZapierCreateClient", "ZapierClient" },
	{ "GET", "/api/v1/zapier/lists/projects", zlists_projects, P, R,
	    ROUTE_RAW | ROUTE_LIST, "Zapier dropdown: projects, newest first;"
	    " ?q= keeps those whose name holds it (any case)", "Zapier", NULL,
	    "ZapierProjectChoiceList" },
	{ "GET", "/api/v1/zapier/lists/clients", zlists_clients, P, R,
	    ROUTE_RAW | ROUTE_LIST, "Zapier dropdown: clients, newest first; "
	    "?q= keeps those whose name or email holds it (any case)",
	    "Zapier", NULL, "ZapierClientList" },
	{ "GET", "/api/v1/zapier/lists/templates", zlists_templates, P, R,
	    ROUTE_RAW | ROUTE_LIST, "Zapier dropdown: the pack templates",
	    "Zapier", NULL, "ZapierTemplateList" },
	{ "GET", "/api/v1/zapier/searches/find-project", zsearch_find_project,
	    P, R, ROUTE_RAW | ROUTE_LIST, "Zapier search: projects by ?name= "
	    "(part of it, any case) and/or ?client_email=, newest first",
	    "Zapier", NULL, "ZapierProjectList" },
	{ "GET", "/api/v1/zapier/searches/find-client", zsearch_find_client,
	    P, R, ROUTE_RAW | ROUTE_LIST, "Zapier search: the client with "
	    "?email=", "Zapier", NULL, "ZapierClientList" },
	{ "POST", "/api/v1/zapier/hooks", hooks_zapier_subscribe, P, W,
	    BODY | ROUTE_CREATES, "Zapier REST hook: subscribe hookUrl (or "
	    "target_url) to one event", "Zapier", "ZapierHookInput",
	    "ZapierHook" },
	{ "GET", "/api/v1/zapier/hooks", hooks_zapier_list, P, R, 0,
	    "Zapier REST hooks with their status (paused while the plan "
	    "lacks Zapier, revoked with the key that subscribed them)",
	    "Zapier", NULL, "ZapierHookList" },
	{ "GET", "/api/v1/zapier/hooks/:id", hooks_zapier_get, P, R, 0,
	    "Zapier REST hook: its event, target and status", "Zapier", NULL,
	    "ZapierHook" },
	{ "DELETE", "/api/v1/zapier/hooks/:id", hooks_zapier_unsubscribe, P,
	    W, 0, "Zapier REST hook: unsubscribe", "Zapier", NULL,
	    "Deleted" },
	{ "GET", "/api/v1/webhooks", hooks_webhook_list, A, R, 0,
	    "List CRM webhook endpoints (no secrets)", "Webhooks", NULL,
	    "WebhookList" },
	{ "POST", "/api/v1/webhooks", hooks_webhook_create, A, W,
	    BODY | ROUTE_CREATES, "Create a CRM webhook endpoint; the answer "
	    "shows its signing secret", "Webhooks", "WebhookInput",
	    "Webhook" },
	{ "GET", "/api/v1/webhooks/:id", hooks_webhook_get, A, R, 0,
	    "Get an endpoint (the secret only to admin keys)", "Webhooks",
	    NULL, "Webhook" },
	{ "DELETE", "/api/v1/webhooks/:id", hooks_webhook_delete, A, W, 0,
	    "Delete an endpoint and its pending deliveries", "Webhooks", NULL,
	    "Deleted" },
	{ "POST", "/api/v1/webhooks/:id/rotate-secret", hooks_webhook_rotate,
	    A, SCOPE_ADMIN, 0, "New signing secret; the old one keeps "
	    "signing for 24 hours", "Webhooks", NULL, "Webhook" },
	{ "POST", "/api/v1/webhooks/:id/enable", hooks_webhook_enable, A, W,
	    0, "Re-enable an endpoint disabled after failing for 5 days",
	    "Webhooks", NULL, "Webhook" },
	{ "GET", "/api/v1/webhooks/:id/deliveries", hooks_webhook_deliveries,
	    A, R, 0, "Deliveries to an endpoint with their attempts",
	    "Webhooks", NULL, "DeliveryList" },
	{ "POST", "/internal/events", ingest_events, 0, 0,
	    BODY | ROUTE_OWN_BODY | ROUTE_CREATES, "The upstream store reports pack.viewed "
	    "and client.signed_off (signed with ingest_secret; a repeated id "
	    "is a no-op)", "Internal", "IngestInput", "IngestResult" },
	{ "POST", "/api/v1/webhooks/:id/replay", hooks_webhook_replay, A, W,
	    BODY, "Queue the endpoint's events again, from a time (since) or "
	    "an event cursor (after)", "Webhooks", "ReplayInput",
	    "ReplayResult" },
	{ "GET", "/console", console_serve, 0, 0, ROUTE_RAW | ROUTE_PAGE,
	    "The workspace console (a web page)", NULL, NULL, NULL },
	{ "GET", "/console/:file", console_serve, 0, 0,
	    ROUTE_RAW | ROUTE_PAGE, "The console's script and style", NULL,
	    NULL, NULL },
	{ "GET", "/p/:token", reads_portal, 0, 0, 0,
	    "The client's view of a sent pack (GET and HEAD record nothing)",
	    "Portal", NULL, "PortalView" },
	{ "POST", "/p/:token/view", writes_view, 0, 0, 0,
	    "The page reports a person has the pack in front of them "
	    "(records pack.viewed once per project; a repeat records nothing)",
	    "Portal", NULL, "PortalView" },
	{ "POST", "/p/:token/signoff", writes_signoff, 0, 0,
	    BODY | ROUTE_CREATES, "The client signs off with the email the "
	    "pack was sent to (403 FORBIDDEN otherwise; records "
	    "client.signed_off, after pack.viewed if none was recorded)",
	    "Portal", "SignoffInput", "Signoff" },
};

const struct route *
routes_table(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
