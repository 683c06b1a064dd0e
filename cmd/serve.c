#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "cmd/demo.h"
#include "cmd/notify.h"
#include "cmd/routes.h"
#include "cmd/serve.h"
#include "common/cfg.h"
#include "common/clock.h"
#include "common/sign.h"
#include "common/fz.h"
#include "common/log.h"
#include "relay/edge.h"
#include "relay/fetch.h"
#include "relay/metrics.h"
#include "relay/openapi.h"
#include "relay/upstream.h"
#include "triggers/deliver.h"
#include "state/hooks.h"
#include "state/listidx.h"
#include "state/secret.h"
#include "state/state.h"
#include "state/store.h"

#define EX_CONFIG	78

struct daemon {
	struct event_base	*base;
	struct cfg		*cfg;
	const char		*cfg_path;
	int			 cfg_argc;
	char			**cfg_argv;
	struct state		*st;
	struct store		*store;
	struct edge		*edge;
	struct fetch		*fetch;		/* the upstream store's */
	struct fetch		*dfetch;	/* deliveries': own connections */
	struct deliver		*deliver;
	struct event		*quiesce;
	struct event		*sig_term, *sig_int, *sig_hup;
	struct event		*watchdog;
	struct event		*deadline;
	int			 stopping;
};

static void
serve_usage(void)
{
	fprintf(stderr, "usage: fzrelay serve [-c FILE] [--demo] "
	    "[--KEY VALUE ...]\n"
	    "every configuration key can be given as a flag (--listen "
	    "127.0.0.1:0) or as FZRELAY_KEY in the environment\n");
}

static void
serve_log_errors(const char *errors)
{
	const char *p = errors, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		log_err("%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

/* After the requests, the deliveries in flight: polled, since they end
 * in curl's callbacks. */
static void
serve_quiesce_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { 0, 50 * 1000 };

	(void)fd;
	(void)what;
	if (deliver_inflight(d->deliver) > 0) {
		evtimer_add(d->quiesce, &tv);
		return;
	}
	log_info("all requests and deliveries finished; exiting");
	event_base_loopexit(d->base, NULL);
}

static void
serve_drained_cb(void *arg)
{
	serve_quiesce_cb(-1, 0, arg);
}

/* Each durable commit may have queued deliveries. */
static void
serve_commit_cb(void *arg, size_t ops, int64_t took_us)
{
	(void)ops;
	metrics_sync(took_us);
	deliver_kick(arg);
}

static void
serve_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	log_warn("shutdown_timeout_ms passed with requests in flight; exiting");
	event_base_loopexit(d->base, NULL);
}

static void
serve_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv;

	(void)what;
	if (d->stopping) {
		log_warn("second signal %d: exiting now", (int)sig);
		event_base_loopexit(d->base, NULL);
		return;
	}
	d->stopping = 1;
	notify_send("STOPPING=1\nSTATUS=draining");
	log_info("signal %d: draining in-flight requests and deliveries",
	    (int)sig);
	deliver_stop(d->deliver);
	tv.tv_sec = d->cfg->shutdown_timeout_ms / 1000;
	tv.tv_usec = (d->cfg->shutdown_timeout_ms % 1000) * 1000;
	evtimer_add(d->deadline, &tv);
	edge_drain(d->edge, serve_drained_cb, d);
}

static void
serve_reload_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct cfg *next = NULL;
	char *errors = NULL;

	(void)sig;
	(void)what;
	notify_send("RELOADING=1");
	if (cfg_load(d->cfg_path, d->cfg_argc, d->cfg_argv, &next,
	    &errors) != 0) {
		serve_log_errors(errors);
		log_err("reload refused; the running configuration stays");
		free(errors);
		notify_send("READY=1");
		return;
	}
	if (strcmp(next->listen, d->cfg->listen) != 0 ||
	    strcmp(next->state_dir, d->cfg->state_dir) != 0 ||
	    next->store != d->cfg->store)
		log_warn("listen, state_dir and store take effect on restart");
	log_set_level(next->log_level);
	edge_reconfigure(d->edge, next);
	deliver_reconfigure(d->deliver, next);
	if (upstream_reconfigure(d->store, next) != 0)
		log_warn("upstream settings not applied (out of memory)");
	cfg_free(d->cfg);
	d->cfg = next;
	log_info("configuration reloaded");
	notify_send("READY=1");
}

static void
serve_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_send("WATCHDOG=1");
}

static int
serve_events(struct daemon *d)
{
	uint64_t usec = notify_watchdog_usec();
	struct timeval tv;

	d->sig_term = evsignal_new(d->base, SIGTERM, serve_stop_cb, d);
	d->sig_int = evsignal_new(d->base, SIGINT, serve_stop_cb, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, serve_reload_cb, d);
	d->deadline = evtimer_new(d->base, serve_deadline_cb, d);
	d->quiesce = evtimer_new(d->base, serve_quiesce_cb, d);
	d->watchdog = event_new(d->base, -1, EV_PERSIST, serve_watchdog_cb, d);
	if (d->sig_term == NULL || d->sig_int == NULL || d->sig_hup == NULL ||
	    d->deadline == NULL || d->watchdog == NULL || d->quiesce == NULL)
		return FZ_ENOMEM;
	event_add(d->sig_term, NULL);
	event_add(d->sig_int, NULL);
	event_add(d->sig_hup, NULL);
	if (usec > 0) {
		/* Half the interval, as systemd recommends. */
		usec /= 2;
		tv.tv_sec = (time_t)(usec / 1000000);
		tv.tv_usec = (suseconds_t)(usec % 1000000);
		event_add(d->watchdog, &tv);
	}
	return 0;
}

static void
serve_print_demo(const char *base, const char *token, const char *admin)
{
	printf("\nfzrelay demo: an agency workspace, a write key for the API "
	    "and an admin key for the console.\n"
	    "API key (shown once): %s\n"
	    "Try it:\n"
	    "  curl -s -H 'Authorization: Bearer %s' %s/api/v1/auth\n"
	    "Workspace console: %s/console\n"
	    "Console admin key (shown once): %s\n\n",
	    token, token, base, base, admin);
	fflush(stdout);
}

static int
serve_secret(const struct cfg *cfg, unsigned char *secret)
{
	char path[4200];
	int err;

	if (cfg->credentials_key_file != NULL)
		snprintf(path, sizeof(path), "%s", cfg->credentials_key_file);
	else
		snprintf(path, sizeof(path), "%s/secret.key", cfg->state_dir);
	if ((err = secret_load(path, secret)) != 0) {
		log_err("secret %s: %s", path, err == FZ_ESYS ?
		    strerror(errno) : fz_strerror(err));
		return -1;
	}
	return 0;
}

/* An embedded store that is another fzrelay's upstream reports its
 * portal events there; without report_url any earlier report is off. */
static int
serve_report(const struct cfg *cfg, struct state *st)
{
	char *whsec = NULL;
	int err;

	if (cfg->report_url != NULL &&
	    (whsec = sign_secret(cfg->report_secret)) == NULL)
		return -1;
	err = hooks_set_report(st, cfg->report_url, whsec, clock_now_ms());
	if (whsec != NULL) {
		OPENSSL_cleanse(whsec, strlen(whsec));
		free(whsec);
	}
	if (err != 0)
		log_err("report_url could not be set up: %s", fz_strerror(err));
	else if (cfg->report_url != NULL)
		log_info("reporting portal events to %s", cfg->report_url);
	return err == 0 ? 0 : -1;
}

/* The base of links handed out: public_url, else the address bound. */
static void
serve_public_url(const struct cfg *cfg, uint16_t port, char *buf,
    size_t size)
{
	char host[256];
	uint16_t want;

	if (cfg->public_url != NULL) {
		snprintf(buf, size, "%s", cfg->public_url);
		return;
	}
	cfg_listen_split(cfg->listen, host, sizeof(host), &want);
	if (strcmp(host, "0.0.0.0") == 0)
		strcpy(host, "127.0.0.1");
	else if (strcmp(host, "::") == 0)
		strcpy(host, "::1");
	snprintf(buf, size, strchr(host, ':') ? "http://[%s]:%u" :
	    "http://%s:%u", host, port);
}

static void
serve_free(struct daemon *d)
{
	/* Writes under way are committed and answered first; what still
	 * writes afterwards does so at once. Then transfers still running
	 * end, while the requests waiting on them can still be answered;
	 * their deliveries stay queued. */
	if (d->st != NULL)
		state_stop(d->st);
	fetch_free(d->fetch);
	fetch_free(d->dfetch);
	edge_free(d->edge);
	deliver_free(d->deliver);
	store_free(d->store);
	state_close(d->st);
	if (d->sig_term != NULL)
		event_free(d->sig_term);
	if (d->sig_int != NULL)
		event_free(d->sig_int);
	if (d->sig_hup != NULL)
		event_free(d->sig_hup);
	if (d->deadline != NULL)
		event_free(d->deadline);
	if (d->watchdog != NULL)
		event_free(d->watchdog);
	if (d->quiesce != NULL)
		event_free(d->quiesce);
	if (d->base != NULL)
		event_base_free(d->base);
	cfg_free(d->cfg);
}

int
serve_main(int argc, char *argv[])
{
	struct daemon d;
	char token[SECURE_TOKEN_SIZE], admin_token[SECURE_TOKEN_SIZE];
	char status[128], *errors = NULL;
	char public_url[2200];
	unsigned char secret[SECRET_SIZE];
	struct state_opts opts = { 0, 1 };
	const struct route *routes;
	char **rest = NULL;
	int i, nrest = 0, demo = 0, rc = 1, curl_ready = 0;
	size_t nroutes;
	uint16_t port;

	memset(&d, 0, sizeof(d));
	if ((rest = calloc((size_t)argc + 1, sizeof(*rest))) == NULL)
		return 1;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (++i == argc) {
				serve_usage();
				rc = EX_CONFIG;
				goto out;
			}
			d.cfg_path = argv[i];
		} else if (strcmp(argv[i], "--demo") == 0)
			demo = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			serve_usage();
			rc = 0;
			goto out;
		} else
			rest[nrest++] = argv[i];
	}
	d.cfg_argc = nrest;
	d.cfg_argv = rest;
	if (cfg_load(d.cfg_path, nrest, rest, &d.cfg, &errors) != 0) {
		serve_log_errors(errors);
		log_err("not starting: fix the configuration above");
		rc = EX_CONFIG;
		goto out;
	}
	log_set_level(d.cfg->log_level);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("libcurl failed to initialise");
		goto out;
	}
	curl_ready = 1;
	if (state_open_opts(d.cfg->state_dir, &opts, &d.st) != 0 ||
	    listidx_ensure(d.st) != 0)
		goto out;
	if (serve_secret(d.cfg, secret) != 0 || serve_report(d.cfg, d.st) != 0)
		goto out;
	if (demo && demo_setup(d.st, token, admin_token) != 0) {
		log_err("could not set up the demo workspace");
		goto out;
	}
	/* The route table is handed down: to the edge that routes by it, and
	 * to the API description that shows it. */
	routes = routes_table(&nroutes);
	openapi_set_routes(routes, nroutes);
	/* From here on the writer thread owns every write transaction. */
	if ((d.base = event_base_new()) == NULL ||
	    state_start(d.st, d.base) != 0 ||
	    (d.fetch = fetch_new(d.base)) == NULL ||
	    (d.dfetch = fetch_new(d.base)) == NULL ||
	    (d.store = d.cfg->store == CFG_STORE_HTTP ?
	    upstream_new(d.fetch, d.st, d.cfg) :
	    store_embedded_new(d.st, secret, "")) == NULL ||
	    (d.edge = edge_new(d.base, d.cfg, d.st, d.store, secret, routes,
	    nroutes)) == NULL ||
	    (d.deliver = deliver_new(d.base, d.st, d.dfetch, d.cfg)) == NULL ||
	    serve_events(&d) != 0) {
		log_err("out of memory starting up");
		goto out;
	}
	state_on_commit(d.st, serve_commit_cb, d.deliver);
	if (edge_listen(d.edge, &port) != 0)
		goto out;
	log_info("listening on %.*s:%u (store %s, state %s)",
	    (int)(strrchr(d.cfg->listen, ':') - d.cfg->listen), d.cfg->listen,
	    port, store_kind(d.store), d.cfg->state_dir);
	if (d.cfg->store == CFG_STORE_HTTP)
		log_info("core records at %s", d.cfg->upstream_url);
	serve_public_url(d.cfg, port, public_url, sizeof(public_url));
	if (store_set_public_url(d.store, public_url) != 0)
		goto out;
	if (demo)
		serve_print_demo(public_url, token, admin_token);
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(admin_token, sizeof(admin_token));
	OPENSSL_cleanse(secret, sizeof(secret));
	snprintf(status, sizeof(status), "READY=1\nSTATUS=listening on port "
	    "%u", port);
	notify_send(status);
	event_base_dispatch(d.base);
	edge_flush(d.edge);
	log_info("stopped");
	rc = 0;
out:
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(admin_token, sizeof(admin_token));
	serve_free(&d);
	if (curl_ready)
		curl_global_cleanup();
	metrics_free();
	free(errors);
	free(rest);
	return rc;
}
