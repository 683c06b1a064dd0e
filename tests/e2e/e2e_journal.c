/*
 * e2e_journal.c: the event journal over HTTP: nothing acknowledged is
 * lost to kill -9, polling triggers page newest first with stable ids,
 * the event stream yields every event once in order while writes go on,
 * and cursors cannot be forged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "tests/e2e/harness.h"

/* The load here exceeds the default per-key rate limit. */
static const char *const fast[] = { "--rate-limit-per-minute", "1000000",
    NULL };

/* One request of a concurrent batch. */
struct job {
	char		 path[160];
	char		 body[512];
	char		*resp;
	size_t		 len;
	int		 status;	/* 0: no answer (connection lost) */
	struct curl_slist *hdrs;
};

static size_t
job_write_cb(char *p, size_t sz, size_t n, void *arg)
{
	struct job *j = arg;
	char *np;

	if ((np = realloc(j->resp, j->len + sz * n + 1)) == NULL)
		return 0;
	j->resp = np;
	memcpy(j->resp + j->len, p, sz * n);
	j->len += sz * n;
	j->resp[j->len] = '\0';
	return sz * n;
}

/*
 * POSTs every job with at most par in flight. With kill_after > 0 the
 * daemon is sent SIGKILL once that many answers came back: the rest fail
 * or never start, as a crash would have them.
 */
static void
run_jobs(struct fzd *d, const char *token, struct job *jobs, size_t n,
    size_t par, size_t kill_after)
{
	CURLM *m = curl_multi_init();
	char url[256], auth[160];
	size_t next = 0, done = 0, i;
	int running = 0, left;
	CURLMsg *msg;

	assert_non_null(m);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	for (;;) {
		while (next < n && (size_t)running < par) {
			struct job *j = &jobs[next++];
			CURL *c = curl_easy_init();

			assert_non_null(c);
			snprintf(url, sizeof(url), "http://127.0.0.1:%d%s",
			    d->port, j->path);
			j->hdrs = curl_slist_append(NULL, auth);
			j->hdrs = curl_slist_append(j->hdrs,
			    "Content-Type: application/json");
			curl_easy_setopt(c, CURLOPT_URL, url);
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->hdrs);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
			curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, job_write_cb);
			curl_easy_setopt(c, CURLOPT_WRITEDATA, j);
			curl_easy_setopt(c, CURLOPT_PRIVATE, j);
			curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
			curl_multi_add_handle(m, c);
			running++;
		}
		if (running == 0)
			break;
		curl_multi_perform(m, &left);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct job *j;
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&j);
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(msg->easy_handle,
				    CURLINFO_RESPONSE_CODE, &code);
			j->status = (int)code;
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_easy_cleanup(msg->easy_handle);
			running--;
			if (++done == kill_after && d->pid != 0)
				kill(d->pid, SIGKILL);
		}
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	curl_multi_cleanup(m);
	for (i = 0; i < n; i++) {
		curl_slist_free_all(jobs[i].hdrs);
		jobs[i].hdrs = NULL;
	}
}

static void
free_jobs(struct job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(jobs[i].resp);
	free(jobs);
}

static const char *
job_data_str(const struct job *j, const char *field, char *buf, size_t size)
{
	json_t *root = j->resp ? json_loads(j->resp, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(json_object_get(root,
	    "data"), field));

	if (s == NULL) {
		json_decref(root);
		return NULL;
	}
	snprintf(buf, size, "%s", s);
	json_decref(root);
	return buf;
}

/* Creates n projects concurrently; writes their ids into ids[i]. */
static void
make_projects(struct fzd *d, const char *token, size_t n, char (*ids)[48])
{
	struct job *jobs = calloc(n, sizeof(*jobs));
	size_t i;

	assert_non_null(jobs);
	for (i = 0; i < n; i++) {
		strcpy(jobs[i].path, "/api/v1/projects");
		snprintf(jobs[i].body, sizeof(jobs[i].body), "{\"name\":\"P%zu\","
		    "\"clientName\":\"C%zu\",\"clientEmail\":\"c%zu@example.com\","
		    "\"projectType\":\"SEO\",\"launchDate\":\"2026-06-01\"}",
		    i, i % 7, i % 7);
	}
	run_jobs(d, token, jobs, n, 32, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(jobs[i].status, 201);
		assert_non_null(job_data_str(&jobs[i], "id", ids[i], 48));
	}
	free_jobs(jobs, n);
}

/* Sends every pack concurrently; returns the jobs (caller frees). */
static struct job *
send_packs(struct fzd *d, const char *token, size_t n, char (*ids)[48],
    size_t kill_after)
{
	struct job *jobs = calloc(n, sizeof(*jobs));
	size_t i;

	assert_non_null(jobs);
	for (i = 0; i < n; i++) {
		snprintf(jobs[i].path, sizeof(jobs[i].path),
		    "/api/v1/projects/%s/pack/send", ids[i]);
		strcpy(jobs[i].body, "{\"personalMessage\":\"ready\"}");
	}
	run_jobs(d, token, jobs, n, 32, kill_after);
	return jobs;
}

static void
agency_key(struct fzd *d, char *token)
{
	char ws[64];

	fzh_workspace(d->dir, "Journal Agency", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read,write", "journal", token, 64);
}

/* Reads the whole event stream from the start; returns the events. */
static json_t *
read_stream(struct fzd *d, const char *token, const char *types)
{
	char path[256], cursor[128] = "";
	struct fzh_res res;
	json_t *all = json_array(), *ev;
	const char *next;
	size_t i;
	int pages = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/api/v1/events?limit=100%s%s%s%s",
		    *cursor ? "&after=" : "", cursor, types ? "&types=" : "",
		    types ? types : "");
		memset(&res, 0, sizeof(res));
		assert_int_equal(fzh_get(d, path, token, &res), 200);
		fzh_assert_envelope(&res, 200, NULL);
		json_array_foreach(fzh_json_get(&res, "data"), i, ev)
			json_array_append(all, ev);
		next = fzh_json_str(&res, "meta.next_cursor");
		assert_non_null(next);
		snprintf(cursor, sizeof(cursor), "%s", next);
		if (!json_is_true(fzh_json_get(&res, "meta.has_more"))) {
			fzh_res_free(&res);
			break;
		}
		fzh_res_free(&res);
		assert_true(++pages < 1000);
	}
	return all;
}

static void
test_kill9_loses_nothing_acknowledged(void **state)
{
	struct fzd *d = *state;
	enum { N = 240 };
	char token[64], (*ids)[48], buf[48], out[1 << 20];
	struct job *jobs;
	json_t *events, *ev;
	size_t i, j, acked = 0, found;
	int st, rc;
	long long prev = 0;
	char *line, *save = NULL;

	ids = calloc(N, sizeof(*ids));
	assert_non_null(ids);
	fzh_start(d, fast, NULL);
	agency_key(d, token);
	make_projects(d, token, N, ids);
	jobs = send_packs(d, token, N, ids, N / 2);
	assert_true(fzh_wait_exit(d, FZH_WAIT_MS, &st));
	assert_true(WIFSIGNALED(st));

	fzh_start(d, fast, NULL);
	events = read_stream(d, token, "pack.sent");
	for (i = 0; i < N; i++) {
		if (jobs[i].status != 200)
			continue;
		acked++;
		assert_non_null(job_data_str(&jobs[i], "id", buf, sizeof(buf)));
		found = 0;
		json_array_foreach(events, j, ev)
			found += strcmp(json_string_value(json_object_get(ev,
			    "project_id")), buf) == 0;
		if (found != 1)
			fail_msg("acknowledged send of %s journaled %zu times",
			    buf, found);
	}
	/* The kill came mid-load: some sends were answered, not all. */
	assert_true(acked >= N / 2);
	/* No event without its acknowledged or in-flight send. */
	assert_true(json_array_size(events) <= N);

	rc = fzh_cli(d->dir, out, sizeof(out), "journal", "tail", "100000",
	    (char *)NULL);
	assert_int_equal(rc, 0);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		long long seq = strtoll(line, NULL, 10);

		assert_true(seq == prev + 1);	/* strictly increasing, no gaps */
		prev = seq;
	}
	assert_int_equal((size_t)prev, json_array_size(events));
	json_decref(events);
	free_jobs(jobs, N);
	free(ids);
	fzh_stop_ok(d);
}

static void
test_trigger_pages_1000_events(void **state)
{
	struct fzd *d = *state;
	enum { N = 1000 };
	char token[64], (*ids)[48], path[256], cursor[128] = "";
	char seen_first[48] = "";
	struct fzh_res res;
	struct job *jobs;
	json_t *ev, *ids_seen = json_object();
	const char *next, *t, *prev_t = NULL;
	char prev_at[64] = "";
	size_t i, total = 0;

	ids = calloc(N, sizeof(*ids));
	assert_non_null(ids);
	fzh_start(d, fast, NULL);
	agency_key(d, token);
	make_projects(d, token, N, ids);
	jobs = send_packs(d, token, N, ids, 0);
	for (i = 0; i < N; i++)
		assert_int_equal(jobs[i].status, 200);
	free_jobs(jobs, N);

	for (;;) {
		snprintf(path, sizeof(path), "/api/v1/zapier/triggers/pack-sent"
		    "?limit=100%s%s", *cursor ? "&cursor=" : "", cursor);
		memset(&res, 0, sizeof(res));
		assert_int_equal(fzh_get(d, path, token, &res), 200);
		assert_true(json_is_array(res.json));
		json_array_foreach(res.json, i, ev) {
			const char *id = json_string_value(json_object_get(ev,
			    "id"));

			assert_non_null(id);
			assert_null(json_object_get(ids_seen, id));
			json_object_set_new(ids_seen, id, json_true());
			if (total == 0)
				snprintf(seen_first, sizeof(seen_first), "%s",
				    id);
			t = json_string_value(json_object_get(ev,
			    "occurred_at"));
			assert_non_null(t);
			if (prev_t != NULL)	/* newest first */
				assert_true(strcmp(t, prev_at) <= 0);
			snprintf(prev_at, sizeof(prev_at), "%s", t);
			prev_t = prev_at;
			total++;
		}
		if ((next = fzh_header(&res, "X-Next-Cursor")) == NULL) {
			fzh_res_free(&res);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s", next);
		fzh_res_free(&res);
	}
	assert_int_equal(total, N);
	/* Stable ids: the newest event is the same on the next poll. */
	memset(&res, 0, sizeof(res));
	assert_int_equal(fzh_get(d, "/api/v1/zapier/triggers/pack-sent?limit=1",
	    token, &res), 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "id")), seen_first);
	fzh_res_free(&res);
	json_decref(ids_seen);
	free(ids);
	fzh_stop_ok(d);
}

static void
test_stream_while_writing(void **state)
{
	struct fzd *d = *state;
	enum { N = 120 };
	char token[64], (*ids)[48];
	struct job *jobs;
	json_t *events, *ev;
	size_t i;

	ids = calloc(N, sizeof(*ids));
	assert_non_null(ids);
	fzh_start(d, fast, NULL);
	agency_key(d, token);
	make_projects(d, token, N, ids);
	/* Half now, then read, then the rest: the stream resumes exactly. */
	jobs = send_packs(d, token, N / 2, ids, 0);
	free_jobs(jobs, N / 2);
	events = read_stream(d, token, NULL);
	assert_int_equal(json_array_size(events), N / 2);
	json_decref(events);
	jobs = send_packs(d, token, N / 2, ids + N / 2, 0);
	free_jobs(jobs, N / 2);
	events = read_stream(d, token, NULL);
	assert_int_equal(json_array_size(events), N);
	/* Oldest first, in the order the sends were journaled. */
	json_array_foreach(events, i, ev)
		if (i > 0)
			assert_true(strcmp(json_string_value(json_object_get(
			    json_array_get(events, i - 1), "occurred_at")),
			    json_string_value(json_object_get(ev,
			    "occurred_at"))) <= 0);
	json_decref(events);
	free(ids);
	fzh_stop_ok(d);
}

static void
test_cursors_cannot_be_forged(void **state)
{
	struct fzd *d = *state;
	char token[64], other[64], ws[64], (*ids)[48], path[256], bad[128];
	struct fzh_res res;
	struct job *jobs;
	const char *next;
	size_t k;

	ids = calloc(4, sizeof(*ids));
	assert_non_null(ids);
	fzh_start(d, fast, NULL);
	agency_key(d, token);
	fzh_workspace(d->dir, "Other", "agency", ws, sizeof(ws));
	fzh_key(d->dir, ws, "read", "other", other, sizeof(other));
	make_projects(d, token, 4, ids);
	jobs = send_packs(d, token, 4, ids, 0);
	free_jobs(jobs, 4);

	memset(&res, 0, sizeof(res));
	assert_int_equal(fzh_get(d, "/api/v1/zapier/triggers/pack-sent?limit=1",
	    token, &res), 200);
	next = fzh_header(&res, "X-Next-Cursor");
	assert_non_null(next);
	snprintf(bad, sizeof(bad), "%s", next);
	fzh_res_free(&res);

	/* Another workspace's poll with this cursor. */
	snprintf(path, sizeof(path), "/api/v1/zapier/triggers/pack-sent?"
	    "cursor=%s", bad);
	assert_int_equal(fzh_get(d, path, other, &res), 400);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	fzh_res_free(&res);
	/* Another trigger of the same workspace. */
	snprintf(path, sizeof(path), "/api/v1/zapier/triggers/pack-viewed?"
	    "cursor=%s", bad);
	assert_int_equal(fzh_get(d, path, token, &res), 400);
	fzh_res_free(&res);
	/* Every one-character edit. */
	for (k = 0; k < strlen(bad); k++) {
		char t[128];

		snprintf(t, sizeof(t), "%s", bad);
		t[k] = t[k] == 'A' ? 'B' : 'A';
		snprintf(path, sizeof(path), "/api/v1/zapier/triggers/"
		    "pack-sent?cursor=%s", t);
		assert_int_equal(fzh_get(d, path, token, &res), 400);
		fzh_res_free(&res);
	}
	assert_int_equal(fzh_get(d, "/api/v1/events?after=%ff%00garbage",
	    token, &res), 400);
	fzh_res_free(&res);
	assert_int_equal(fzh_get(d, "/api/v1/events?types=pack.lost", token,
	    &res), 400);
	fzh_res_free(&res);
	/* An empty journal answers [] to a poll, never an error. */
	assert_int_equal(fzh_get(d, "/api/v1/zapier/triggers/client-signed-off",
	    other, &res), 200);
	assert_string_equal(res.body, "[]");
	fzh_res_free(&res);
	assert_int_equal(fzh_get(d, "/healthz", NULL, &res), 200);
	fzh_res_free(&res);
	free(ids);
	fzh_stop_ok(d);
}

static void
test_metrics(void **state)
{
	struct fzd *d = *state;
	char token[64], (*ids)[48];
	struct fzh_res res;
	struct job *jobs;
	unsigned long long inf;
	const char *p;

	ids = calloc(3, sizeof(*ids));
	assert_non_null(ids);
	fzh_start(d, fast, NULL);
	agency_key(d, token);
	make_projects(d, token, 3, ids);
	jobs = send_packs(d, token, 3, ids, 0);
	free_jobs(jobs, 3);
	memset(&res, 0, sizeof(res));
	assert_int_equal(fzh_get(d, "/metrics", NULL, &res), 200);
	assert_non_null(strstr(fzh_header(&res, "Content-Type"),
	    "text/plain"));
	assert_non_null(strstr(res.body, "fzrelay_requests_total{method="
	    "\"POST\",route=\"/api/v1/projects\",status=\"201\"} 3\n"));
	assert_non_null(strstr(res.body, "fzrelay_journal_events 3\n"));
	assert_non_null(strstr(res.body, "fzrelay_journal_last_seq 3\n"));
	assert_non_null(strstr(res.body, "fzrelay_outbox_depth 0\n"));
	if (!fzh_http_mode())
		assert_non_null(strstr(res.body,
		    "fzrelay_upstream_breaker_open 0\n"));
	/* Timed to the microsecond, with buckets under 1 ms (the sum is
	 * only checked for being there: the writes above may take 1 ms). */
	assert_non_null(p = strstr(res.body,
	    "fzrelay_request_duration_seconds_sum "));
	assert_true(strtod(p + strlen("fzrelay_request_duration_seconds_"
	    "sum "), NULL) > 0);
	assert_non_null(strstr(res.body,
	    "fzrelay_request_duration_seconds_bucket{le=\"0.00025\"} "));
	assert_non_null(strstr(res.body,
	    "fzrelay_request_duration_seconds_count"));
	/* The writes above were made durable by at least one sync. */
	assert_non_null(strstr(res.body,
	    "# TYPE fzrelay_sync_duration_seconds histogram\n"));
	assert_non_null(p = strstr(res.body,
	    "fzrelay_sync_duration_seconds_bucket{le=\"+Inf\"} "));
	inf = strtoull(p + strlen("fzrelay_sync_duration_seconds_bucket"
	    "{le=\"+Inf\"} "), NULL, 10);
	assert_true(inf >= 1);
	assert_non_null(p = strstr(res.body,
	    "fzrelay_sync_duration_seconds_count "));
	assert_int_equal(strtoull(p + strlen("fzrelay_sync_duration_seconds_"
	    "count "), NULL, 10), inf);
	fzh_res_free(&res);
	free(ids);
	fzh_stop_ok(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_kill9_loses_nothing_acknowledged, fzh_setup,
		    fzh_teardown),
		cmocka_unit_test_setup_teardown(test_trigger_pages_1000_events,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_stream_while_writing,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_cursors_cannot_be_forged,
		    fzh_setup, fzh_teardown),
		cmocka_unit_test_setup_teardown(test_metrics, fzh_setup,
		    fzh_teardown),
	};

	return cmocka_run_group_tests_name("journal", tests, fzh_group_setup,
	    fzh_group_teardown);
}
