#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "common/fz.h"
#include "common/log.h"
#include "state/env.h"
#include "state/writer.h"

struct state {
	MDB_env		*env;
	MDB_dbi		 dbi[DB_COUNT];
	char		*dir;
	int		 lock_fd;	/* serve.lock, held; or -1 */
	int		 write_failed;
	struct writer	*writer;	/* NULL: writes run at once */
	/* A reset read transaction kept for the next state_read: renewing
	 * it skips the allocation and reader-slot search of a new one. */
	MDB_txn		*rtxn;
	int		 rtxn_busy;
	uint64_t	 reads;		/* state_read and state_snapshot calls */
	state_txn_fn	*rider;		/* state_ride */
	void		*rider_arg;
	int		*rider_committed;
	struct {
		void	*v;
		void	(*free_fn)(void *);
	}		 cache[STATE_CACHE_COUNT];
};

static const char *const state_db_names[DB_COUNT] = {
	[DB_META] = "meta",
	[DB_WORKSPACES] = "workspaces",
	[DB_APIKEYS] = "apikeys",
	[DB_APIKEY_HASH] = "apikey_hash",
	[DB_CLIENTS] = "clients",
	[DB_CLIENTS_ORDER] = "clients_order",
	[DB_CLIENT_EMAIL] = "client_email",
	[DB_PROJECTS] = "projects",
	[DB_PROJECTS_ORDER] = "projects_order",
	[DB_SIGNOFFS] = "signoffs",
	[DB_SIGNOFFS_ORDER] = "signoffs_order",
	[DB_PACKS] = "packs",
	[DB_SHARE] = "share",
	[DB_IDEMPOTENCY] = "idempotency",
	[DB_IDEM_EXPIRY] = "idem_expiry",
	[DB_JOURNAL] = "journal",
	[DB_JOURNAL_WS] = "journal_ws",
	[DB_JOURNAL_TYPE] = "journal_type",
	[DB_HOOKS] = "hooks",
	[DB_HOOKS_WS] = "hooks_ws",
	[DB_OUTBOX] = "outbox",
	[DB_OUTBOX_SEQ] = "outbox_seq",
	[DB_DELIVERIES] = "deliveries",
	[DB_REVEALS] = "reveals",
	[DB_PROJECTS_SCAN] = "projects_scan",
	[DB_PROJECTS_CLIENT] = "projects_client",
	[DB_PROJECTS_STATUS] = "projects_status",
	[DB_CLIENTS_SCAN] = "clients_scan",
};

void
state_be64_put(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

uint64_t
state_be64_get(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

int
state_seek_before(MDB_cursor *cur, MDB_val *k, MDB_val *v)
{
	int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);

	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(cur, k, v, MDB_LAST);
	if (rc == 0)
		rc = mdb_cursor_get(cur, k, v, MDB_PREV);
	return rc;
}

int
state_mdb_err(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case MDB_NOTFOUND:
		return FZ_ENOTFOUND;
	case MDB_KEYEXIST:
		return FZ_EEXIST;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
		log_err("lmdb: %s", mdb_strerror(rc));
		return FZ_ETOOBIG;
	}
	log_err("lmdb: %s", mdb_strerror(rc));
	return FZ_ESTORE;
}

static int
state_open_dbs(MDB_txn *txn, struct state *st, void *arg)
{
	int i, rc;

	(void)arg;
	for (i = 0; i < DB_COUNT; i++)
		if ((rc = mdb_dbi_open(txn, state_db_names[i], MDB_CREATE |
		    (i == DB_JOURNAL ? MDB_INTEGERKEY : 0), &st->dbi[i])) != 0)
			return state_mdb_err(rc);
	return 0;
}

int
state_open(const char *dir, struct state **out)
{
	static const struct state_opts defaults = { 0, 0 };

	return state_open_opts(dir, &defaults, out);
}

/*
 * Takes dir/serve.lock with flock, which the kernel lets go of however the
 * process ends (kill -9 included), and writes this process's id in it for
 * whoever finds it held.
 */
static int
state_lock(struct state *st)
{
	char path[4096], pid[32];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/serve.lock", st->dir) >=
	    sizeof(path))
		return FZ_EINVAL;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		log_err("%s: %s", path, strerror(errno));
		return FZ_ESYS;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			log_err("%s: %s", path, strerror(errno));
			close(fd);
			return FZ_ESYS;
		}
		n = read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strspn(pid, "0123456789")] = '\0';
		log_err("state_dir %s is in use by another fzrelay serve%s%s",
		    st->dir, *pid ? ", pid " : "", pid);
		close(fd);
		return FZ_ECONFLICT;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
		log_warn("%s: could not write the pid: %s", path,
		    strerror(errno));
	st->lock_fd = fd;
	return 0;
}

/*
 * The state holds key hashes and webhook signing secrets, and beside it
 * the key that seals passwords: its owner alone may reach it. A directory
 * others may enter, or a file in it they may read or write (as a copy or
 * an unpacked backup leaves them under a loose umask), is tightened to
 * 0700 and 0600, and said so; when that cannot be done (another user's
 * directory), the state is not opened. Symbolic links and directories
 * inside are not the state's and are left alone.
 */
static int
state_tighten(const char *dir)
{
	struct dirent *de;
	struct stat sb;
	DIR *dp = NULL;
	int fd, err = FZ_ESYS;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dp = fdopendir(fd)) == NULL) {
		log_err("state_dir %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return FZ_ESYS;
	}
	if (fstat(fd, &sb) != 0) {
		log_err("state_dir %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((sb.st_mode & 077) != 0) {
		if (fchmod(fd, sb.st_mode & 0700) != 0) {
			log_err("state_dir %s has mode %04o, open to others, and "
			    "cannot be tightened to 0700 (%s): chmod 700 it as "
			    "its owner", dir, (unsigned)sb.st_mode & 07777,
			    strerror(errno));
			goto out;
		}
		log_warn("state_dir %s had mode %04o, open to others: "
		    "tightened to %04o", dir, (unsigned)sb.st_mode & 07777,
		    (unsigned)sb.st_mode & 0700);
	}
	/* Past the directory's own tightening only its owner can swap a
	 * file for a link between the look and the chmod. */
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode) || (sb.st_mode & 077) == 0)
			continue;
		if (fchmodat(fd, de->d_name, sb.st_mode & 0600, 0) != 0) {
			log_err("%s/%s has mode %04o, open to others, and cannot "
			    "be tightened to 0600 (%s): chmod 600 it as its "
			    "owner", dir, de->d_name,
			    (unsigned)sb.st_mode & 07777, strerror(errno));
			goto out;
		}
		log_warn("%s/%s had mode %04o, open to others: tightened to "
		    "%04o", dir, de->d_name, (unsigned)sb.st_mode & 07777,
		    (unsigned)sb.st_mode & 0600);
	}
	if (errno != 0) {
		log_err("state_dir %s: %s", dir, strerror(errno));
		goto out;
	}
	err = 0;
out:
	closedir(dp);
	return err;
}

int
state_open_opts(const char *dir, const struct state_opts *opts,
    struct state **out)
{
	struct state *st = NULL;
	int rc, err = FZ_ESTORE;

	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_err("state_dir %s: %s", dir, strerror(errno));
		return FZ_ESYS;
	}
	if ((err = state_tighten(dir)) != 0)
		return err;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return FZ_ENOMEM;
	st->lock_fd = -1;
	if ((st->dir = strdup(dir)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if (opts->exclusive && (err = state_lock(st)) != 0)
		goto out;
	err = FZ_ESTORE;
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, 64)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, opts->map_bytes > 0 ?
	    opts->map_bytes : STATE_MAP_BYTES)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0) {
		log_err("state_dir %s: lmdb: %s", dir, mdb_strerror(rc));
		goto out;
	}
	if ((err = state_write(st, state_open_dbs, NULL)) != 0)
		goto out;
	*out = st;
	st = NULL;
out:
	state_close(st);
	return err;
}

/* The kept read transaction goes before the map is resized or closed. */
static void
state_drop_reader(struct state *st)
{
	if (st->rtxn != NULL && !st->rtxn_busy) {
		mdb_txn_abort(st->rtxn);
		st->rtxn = NULL;
	}
}

void
state_close(struct state *st)
{
	int i;

	if (st == NULL)
		return;
	state_stop(st);
	state_ride_end(st);
	state_drop_reader(st);
	for (i = 0; i < STATE_CACHE_COUNT; i++)
		if (st->cache[i].free_fn != NULL)
			st->cache[i].free_fn(st->cache[i].v);
	if (st->env != NULL)
		mdb_env_close(st->env);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st->dir);
	free(st);
}

const char *
state_dir(const struct state *st)
{
	return st->dir;
}

MDB_dbi
state_dbi(const struct state *st, enum state_db db)
{
	return st->dbi[db];
}

/* Another process may have grown the map; adopting its size is needed
 * before this process can start a transaction again. */
static int
state_begin(struct state *st, unsigned flags, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_begin(st->env, NULL, flags, txn);
	/* Resizing under a read of this process is undefined: a transaction
	 * begun inside a read's function fails instead. */
	if (rc == MDB_MAP_RESIZED && !st->rtxn_busy && st->writer == NULL) {
		state_drop_reader(st);
		if ((rc = mdb_env_set_mapsize(st->env, 0)) == 0)
			rc = mdb_txn_begin(st->env, NULL, flags, txn);
	}
	return rc;
}

void
state_wrote(struct state *st, int err)
{
	st->write_failed = err != 0;
}

int
state_write(struct state *st, state_txn_fn *fn, void *arg)
{
	MDB_txn *txn = NULL;
	int rc, err;

	if (st->writer != NULL)
		return FZ_ECONFLICT;
	if ((rc = state_begin(st, 0, &txn)) != 0)
		err = state_mdb_err(rc);
	else if ((err = fn(txn, st, arg)) == 0)
		err = state_mdb_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	state_wrote(st, err == FZ_ESTORE ? err : 0);
	return err;
}

void
state_submit(struct state *st, struct state_op *op)
{
	MDB_txn *txn = NULL;
	int rc, err;

	op->rider = st->rider;
	op->rider_arg = st->rider_arg;
	op->rider_committed = st->rider_committed;
	st->rider = NULL;
	st->rider_arg = NULL;
	st->rider_committed = NULL;
	memset(&op->res, 0, sizeof(op->res));
	if (st->writer != NULL) {
		writer_submit(st->writer, op);
		return;
	}
	/* No writer thread: at once, in a transaction of its own. */
	op->next = NULL;
	if ((rc = state_begin(st, 0, &txn)) != 0)
		err = state_mdb_err(rc);
	else if ((err = writer_apply(txn, st, op)) == 0)
		err = state_mdb_err(mdb_txn_commit(txn));
	else
		mdb_txn_abort(txn);
	op->res.err = err;
	state_wrote(st, err == FZ_ESTORE ? err : 0);
	writer_finish(op);
}

void *
state_op_new(size_t size, state_txn_fn *fn, state_done_cb *done, void *arg)
{
	struct state_op *op;

	if ((op = calloc(1, size)) == NULL) {
		if (done != NULL)
			state_answer(done, arg, FZ_ENOMEM, NULL);
		return NULL;
	}
	op->fn = fn;
	op->done = done;
	op->done_arg = arg;
	return op;
}

void
state_answer(state_done_cb *done, void *arg, int err, json_t *data)
{
	struct state_result res;

	memset(&res, 0, sizeof(res));
	res.err = err;
	res.data = data;
	done(&res, arg);
	json_decref(res.data);
}

static int
state_rec_refuse_fn(MDB_txn *txn, struct state *st, void *arg)
{
	(void)txn;
	(void)st;
	(void)arg;
	return FZ_ENOTFOUND;
}

static void
state_rec_free(void *op)
{
	struct state_rec *rec = op;

	json_decref(rec->body);
	free(rec);
}

void
state_submit_rec(struct state *st, state_txn_fn *fn, const char *ws,
    const char *id, const json_t *body, int64_t now_ms, const void *ctx,
    state_done_cb *done, void *arg)
{
	struct state_rec *rec;

	if ((rec = state_op_new(sizeof(*rec), fn, done, arg)) == NULL)
		return;
	rec->op.free_fn = state_rec_free;
	if ((ws != NULL && strlen(ws) >= sizeof(rec->ws)) ||
	    (id != NULL && strlen(id) >= sizeof(rec->id)))
		rec->op.fn = state_rec_refuse_fn;
	else {
		strcpy(rec->ws, ws != NULL ? ws : "");
		strcpy(rec->id, id != NULL ? id : "");
	}
	rec->body = json_incref((json_t *)body);
	rec->now_ms = now_ms;
	rec->ctx = ctx;
	state_submit(st, &rec->op);
}

void
state_warn_cb(struct state_result *res, void *what)
{
	if (res->err != 0)
		log_warn("could not %s: %s", (const char *)what,
		    fz_strerror(res->err));
}

void
state_keep_cb(struct state_result *res, void *arg)
{
	struct state_result *keep = arg;

	*keep = *res;
	res->data = NULL;
}

int
state_start(struct state *st, struct event_base *base)
{
	if (st->writer != NULL)
		return 0;
	/* The writer's transactions never see a map change: the reader is
	 * let go of now, so that nothing forces one later. */
	state_drop_reader(st);
	if ((st->writer = writer_new(st, st->env, base)) == NULL)
		return FZ_ESYS;
	return 0;
}

void
state_stop(struct state *st)
{
	struct writer *w = st->writer;

	/* The callbacks of the last ops may write again: at once, then. */
	st->writer = NULL;
	writer_free(w);
}

size_t
state_pending(const struct state *st)
{
	return st->writer != NULL ? writer_pending(st->writer) : 0;
}

void
state_on_commit(struct state *st, state_commit_cb *cb, void *arg)
{
	if (st->writer != NULL)
		writer_on_commit(st->writer, cb, arg);
}

uint64_t
state_snapshot(struct state *st)
{
	MDB_envinfo info;

	st->reads++;
	/* LMDB's meta page names the last commit; readers adopt it only
	 * after, so this is never older than what a read sees. */
	if (mdb_env_info(st->env, &info) != 0)
		return 0;
	return (uint64_t)info.me_last_txnid;
}

void *
state_cache(struct state *st, enum state_cache_slot slot)
{
	return st->cache[slot].v;
}

void
state_cache_set(struct state *st, enum state_cache_slot slot, void *v,
    void (*free_fn)(void *))
{
	st->cache[slot].v = v;
	st->cache[slot].free_fn = free_fn;
}

void
state_ride(struct state *st, state_txn_fn *fn, void *arg, int *committed)
{
	state_ride_end(st);
	st->rider = fn;
	st->rider_arg = arg;
	st->rider_committed = committed;
}

void
state_ride_end(struct state *st)
{
	free(st->rider_arg);
	st->rider = NULL;
	st->rider_arg = NULL;
	st->rider_committed = NULL;
}

int
state_read(struct state *st, state_txn_fn *fn, void *arg)
{
	MDB_txn *txn = NULL;
	int rc, err, kept;

	st->reads++;
	if (st->rtxn != NULL && !st->rtxn_busy &&
	    mdb_txn_renew(st->rtxn) != 0) {
		/* MDB_MAP_RESIZED among others: start afresh. */
		mdb_txn_abort(st->rtxn);
		st->rtxn = NULL;
	}
	if (st->rtxn != NULL && !st->rtxn_busy)
		txn = st->rtxn;
	else if ((rc = state_begin(st, MDB_RDONLY, &txn)) != 0)
		return state_mdb_err(rc);
	else if (st->rtxn == NULL)
		st->rtxn = txn;
	/* A read inside another's fn gets a transaction of its own. */
	if ((kept = txn == st->rtxn))
		st->rtxn_busy = 1;
	err = fn(txn, st, arg);
	if (kept) {
		mdb_txn_reset(txn);
		st->rtxn_busy = 0;
	} else
		mdb_txn_abort(txn);
	return err;
}

uint64_t
state_reads(const struct state *st)
{
	return st->reads;
}

void
state_usage(struct state *st, size_t *map_bytes, size_t *used_bytes)
{
	MDB_envinfo info;
	MDB_stat ms;

	*map_bytes = *used_bytes = 0;
	if (mdb_env_info(st->env, &info) != 0 || mdb_env_stat(st->env, &ms) != 0)
		return;
	*map_bytes = info.me_mapsize;
	*used_bytes = (info.me_last_pgno + 1) * (size_t)ms.ms_psize;
}

int
state_backup(struct state *st, const char *path)
{
	int rc;

	if ((rc = mdb_env_copy2(st->env, path, MDB_CP_COMPACT)) != 0) {
		log_err("backup to %s: %s", path, mdb_strerror(rc));
		return FZ_ESTORE;
	}
	return 0;
}

static int
state_probe(MDB_txn *txn, struct state *st, void *arg)
{
	MDB_stat ms;

	(void)arg;
	return state_mdb_err(mdb_stat(txn, st->dbi[DB_META], &ms));
}

int
state_ready(struct state *st)
{
	if (st->write_failed || access(st->dir, W_OK) != 0)
		return FZ_ESTORE;
	return state_read(st, state_probe, NULL) == 0 ? 0 : FZ_ESTORE;
}

struct state_meta_arg {
	const char	*name;
	char		*buf;
	size_t		 size;
	const char	*value;
};

static int
state_meta_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_meta_arg *a = arg;
	MDB_val k, v;
	int err;

	k.mv_data = (void *)a->name;
	k.mv_size = strlen(a->name);
	if ((err = state_mdb_err(mdb_get(txn, st->dbi[DB_META], &k, &v))) != 0)
		return err;
	if (v.mv_size >= a->size)
		return FZ_ETOOBIG;
	memcpy(a->buf, v.mv_data, v.mv_size);
	a->buf[v.mv_size] = '\0';
	return 0;
}

int
state_meta_get(struct state *st, const char *name, char *buf, size_t size)
{
	struct state_meta_arg a = { name, buf, size, NULL };

	return state_read(st, state_meta_get_fn, &a);
}

static int
state_meta_put_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	MDB_val k, v;

	k.mv_data = op->id;
	k.mv_size = strlen(op->id);
	v.mv_data = (void *)json_string_value(op->body);
	v.mv_size = json_string_length(op->body);
	return state_mdb_err(mdb_put(txn, st->dbi[DB_META], &k, &v, 0));
}

int
state_meta_put(struct state *st, const char *name, const char *value)
{
	struct state_result res;
	json_t *v;

	if (st->writer != NULL)
		return FZ_ECONFLICT;
	if ((v = json_string(value)) == NULL)
		return FZ_ENOMEM;
	memset(&res, 0, sizeof(res));
	/* Through state_submit, so that a rider (state_ride) goes along. */
	state_submit_rec(st, state_meta_put_fn, NULL, name, v, 0, NULL,
	    state_keep_cb, &res);
	json_decref(v);
	json_decref(res.data);
	return res.err;
}
