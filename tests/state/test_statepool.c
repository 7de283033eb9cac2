/*
 * test_statepool.c - the sender state's connections against real
 * redis-server and redis-sentinel processes (statefix.c, redisfix.c):
 * database number, unix socket, a stale pooled connection, threads
 * sharing the pool, AUTH and ACL users, a silent server, slow replies,
 * Redis down and back (circuit breaker), a replica's READONLY, the
 * disabled state, reload, and a Sentinel failover followed (manual and
 * by killing the master).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/arena.h"
#include "config/config.h"
#include "util/deadline.h"
#include "util/log.h"
#include "state/state.h"
#include "statefix.h"

/* --- connections ---------------------------------------------------------- */

static void
database_number_is_selected(void **unused)
{
	state_pool_unref(pool);
	pool = pool_from(BASECONF "redis_db = 3;\n", plain.port);
	assert_true(LOOK(.domain = "db.example", .learn = 1).available);
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:{db.example}", NULL)), 0);
	freeReplyObject(redisfix_cmd(adm, "SELECT", "3", NULL));
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:{db.example}", NULL)), 1);
	freeReplyObject(redisfix_cmd(adm, "FLUSHDB", NULL));
	freeReplyObject(redisfix_cmd(adm, "SELECT", "0", NULL));
}

static void
unix_socket_is_used(void **unused)
{
	struct state_pool_status st;

	state_pool_unref(pool);
	/* a port nobody listens on: only the socket can answer */
	pool = pool_from("redis_port = %d;\nredis_socket = \"%s/redis.sock\";"
	    "\n", redisfix_free_port(), tmpdir);
	assert_true(LOOK(.domain = "sock.example", .learn = 1).available);
	assert_int_equal(rint_of(redisfix_cmd(adm, "EXISTS",
	    "rw:{sock.example}", NULL)), 1);
	state_pool_status(pool, &st);
	assert_non_null(strstr(st.master, "redis.sock"));
}

/* A reused connection the server closed is replaced, not a failure. */
static void
stale_pooled_connection_is_replaced(void **unused)
{
	struct state_pool_status st;

	assert_true(LOOK(.domain = "stale.example", .learn = 1).available);
	freeReplyObject(redisfix_cmd(adm, "CLIENT", "KILL", "TYPE", "normal",
	    "SKIPME", "yes", NULL));
	assert_true(LOOK(.domain = "stale.example", .learn = 1).available);
	state_pool_status(pool, &st);
	assert_int_equal(st.unavailable, 0);
	assert_int_equal(st.failures, 0);
}

struct worker {
	int id, ok;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct state_query q;
	struct state_answer a;
	struct arena *ar;
	const char *sig[1] = { "threads.example" };
	int i;

	for (i = 0; i < 100; i++) {
		ar = arena_new();
		memset(&q, 0, sizeof(q));
		q.domain = "threads.example";
		q.infra = w->id % 2 ? "org:a.example" : "org:b.example";
		q.signers = sig;
		q.nsigners = 1;
		q.authenticated = 1;
		q.learn = 1;
		q.now = T0 + i;
		if (ar != NULL && state_lookup(pool, &q, ar, &a) == 0 &&
		    a.available)
			w->ok++;
		arena_free(ar);
	}
	return NULL;
}

static void
threads_share_the_pool(void **unused)
{
	struct worker w[8];
	pthread_t t[8];
	struct state_pool_status st;
	int i, ok = 0;

	state_pool_unref(pool);
	pool = pool_from(BASECONF "redis_pool_size = 3;\n"
	    "redis_pool_wait_ms = 2000;\n", plain.port);
	for (i = 0; i < 8; i++) {
		w[i].id = i;
		w[i].ok = 0;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ok += w[i].ok;
	}
	assert_int_equal(ok, 800);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET",
	    "rw:{threads.example}", "m", NULL)), 800);
	assert_int_equal(rint_of(redisfix_cmd(adm, "HGET",
	    "rw:{threads.example}", "a", NULL)), 800);
	state_pool_status(pool, &st);
	assert_in_range(st.connections, 1, 3);
}

/* --- servers of their own ------------------------------------------------- */

static void
auth_with_password_and_acl_user(void **unused)
{
	struct state_answer a;
	redisContext *c;

	assert_int_equal(redisfix_start(&extra[0], 0,
	    "requirepass defaultpw\n"
	    "user alice on >alicepw ~rw:* +@read +@write +@scripting "
	    "+select +role\n"), 0);
	state_pool_unref(pool);
	pool = pool_from(BASECONF "redis_password = \"defaultpw\";\n",
	    extra[0].port);
	assert_true(LOOK(.domain = "auth.example", .learn = 1).available);
	state_pool_unref(pool);
	pool = pool_from(BASECONF "redis_user = \"alice\";\n"
	    "redis_password = \"alicepw\";\n", extra[0].port);
	a = LOOK(.domain = "auth.example", .infra = "org:auth.example",
	    .auth = 1, .learn = 1);
	assert_true(a.available);
	assert_int_equal(a.messages, 1);
	state_pool_unref(pool);
	pool = pool_from(BASECONF "redis_user = \"alice\";\n"
	    "redis_password = \"wrong\";\n", extra[0].port);
	a = LOOK(.domain = "auth.example", .learn = 1);
	assert_false(a.available);
	assert_non_null(strstr(a.error, "WRONGPASS"));
	state_pool_unref(pool);
	pool = pool_from(BASECONF, extra[0].port);
	a = LOOK(.domain = "auth.example", .learn = 1);
	assert_false(a.available);
	assert_non_null(strstr(a.error, "NOAUTH"));
	c = redisfix_connect(&extra[0], NULL, "defaultpw");
	assert_non_null(c);
	assert_int_equal(rint_of(redisfix_cmd(c, "HGET", "rw:{auth.example}",
	    "m", NULL)), 2);
	redisFree(c);
	redisfix_kill(&extra[0]);
}

static void
redis_down_opens_the_breaker_and_recovery_closes_it(void **unused)
{
	struct state_pool_status st;
	struct state_answer a;
	unsigned long long tried;
	char logtext[4096] = "";
	FILE *logf;
	int i, saved;

	assert_int_equal(redisfix_start(&extra[0], 0, NULL), 0);
	state_pool_unref(pool);
	pool = pool_from(BASECONF "redis_breaker_failures = 3;\n"
	    "redis_breaker_cooldown_ms = 300;\n"
	    "redis_connect_timeout_ms = 200;\n", extra[0].port);
	assert_true(LOOK(.domain = "down.example", .learn = 1).available);
	redisfix_kill(&extra[0]);
	/* Counted, not timed (ASan, a loaded machine): each failed lookup
	 * tries one connection, no more; the open breaker tries none. */
	for (i = 0; i < 3; i++) {
		state_pool_status(pool, &st);
		tried = st.connects;
		a = LOOK(.domain = "down.example", .learn = 1);
		assert_false(a.available);
		state_pool_status(pool, &st);
		assert_int_equal(st.connects, tried + 1);
	}
	assert_int_equal(st.breaker, STATE_BREAKER_OPEN);
	a = LOOK(.domain = "down.example", .learn = 1);
	assert_string_equal(a.error, "circuit breaker open");
	state_pool_status(pool, &st);
	assert_int_equal(st.connects, tried + 1);	/* at once */
	/* still down after the cool-down: the probe fails, open again */
	sleep_ms(350);
	assert_false(LOOK(.domain = "down.example", .learn = 1).available);
	state_pool_status(pool, &st);
	assert_int_equal(st.breaker, STATE_BREAKER_OPEN);
	assert_int_equal(redisfix_restart(&extra[0]), 0);
	sleep_ms(350);
	/* closing is good news: a notice, not a warning (issue 13) */
	assert_non_null(logf = tmpfile());
	fflush(stderr);
	saved = dup(2);
	assert_true(dup2(fileno(logf), 2) == 2);
	log_set_level(LOG_L_INFO);
	a = LOOK(.domain = "down.example", .learn = 1);
	log_set_level(LOG_L_ERR);
	dup2(saved, 2);
	close(saved);
	rewind(logf);
	logtext[fread(logtext, 1, sizeof(logtext) - 1, logf)] = '\0';
	fclose(logf);
	assert_non_null(strstr(logtext,
	    ": notice: redis: circuit breaker closed"));
	assert_null(strstr(logtext, "warning: redis: circuit breaker closed"));
	assert_true(a.available);
	assert_int_equal(a.messages, 0);	/* a fresh server */
	state_pool_status(pool, &st);
	assert_int_equal(st.breaker, STATE_BREAKER_CLOSED);
	redisfix_kill(&extra[0]);
}

/* A server that accepts and never answers: the command timeout bounds
 * the delay. */
static void
silent_server_times_out(void **unused)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct state_answer a;
	long long t;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	state_pool_unref(pool);
	pool = pool_from("redis_port = %d;\nredis_timeout_ms = 150;\n",
	    ntohs(sin.sin_port));
	t = deadline_now_ms();
	a = LOOK(.domain = "silent.example", .learn = 1);
	t = deadline_now_ms() - t;
	close(fd);
	assert_false(a.available);
	assert_in_range(t, 140, 600);
}

/* Replies slower than redis_slow_ms count as failures. */
static void
slow_replies_open_the_breaker(void **unused)
{
	struct state_pool_status st;
	int i;

	state_pool_unref(pool);
	pool = pool_from("redis_port = %d;\nredis_timeout_ms = 1000;\n"
	    "redis_slow_ms = 100;\nredis_breaker_failures = 2;\n",
	    plain.port);
	/* A condition, not a hope: on a loaded machine (ASan, other jobs)
	 * even a plain reply may come after redis_slow_ms and count as a
	 * failure; start from a reply that did not (failures back at 0). */
	for (i = 0; i < 50; i++) {
		assert_true(LOOK(.domain = "slow.example",
		    .learn = 1).available);
		state_pool_status(pool, &st);
		if (st.failures == 0)
			break;
	}
	assert_int_equal(st.failures, 0);
	for (i = 0; i < 2; i++) {
		freeReplyObject(redisfix_cmd(adm, "CLIENT", "PAUSE", "300",
		    "ALL", NULL));
		/* answered, late */
		assert_true(LOOK(.domain = "slow.example",
		    .learn = 1).available);
	}
	state_pool_status(pool, &st);
	assert_int_equal(st.breaker, STATE_BREAKER_OPEN);
	assert_false(LOOK(.domain = "slow.example", .learn = 1).available);
}

/* A replica refuses the script's writes: a failure, not a crash. */
static void
replica_answers_readonly(void **unused)
{
	struct state_answer a;
	char conf[64];

	snprintf(conf, sizeof(conf), "replicaof 127.0.0.1 %d\n", plain.port);
	assert_int_equal(redisfix_start(&extra[0], 0, conf), 0);
	state_pool_unref(pool);
	pool = pool_from(BASECONF, extra[0].port);
	a = LOOK(.domain = "ro.example", .learn = 1);
	assert_false(a.available);
	assert_non_null(strstr(a.error, "READONLY"));
	a = LOOK(.domain = "ro.example", .learn = 0);	/* reading is fine */
	assert_true(a.available);
	redisfix_kill(&extra[0]);
}

static void
disabled_state_answers_at_once(void **unused)
{
	struct state_answer a;

	state_pool_unref(pool);
	pool = pool_from("state_enable = false;\n");
	a = LOOK(.domain = "off.example", .learn = 1);
	assert_true(a.disabled && !a.available);
	a = look_in(NULL, (struct q){ .domain = "off.example" });
	assert_true(a.disabled && !a.available);
}

static void
reconfigure_keeps_or_rebuilds_the_pool(void **unused)
{
	struct state_pool *same, *other;
	struct config *cfg;
	char path[300], err[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/state.conf", tmpdir);
	assert_non_null(cfg = config_default());
	assert_false(state_pool_matches(pool, cfg));
	config_free(cfg);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
	same = state_pool_reconfigure(pool, cfg, err, sizeof(err));
	assert_ptr_equal(same, pool);
	state_pool_unref(same);
	config_free(cfg);
	assert_non_null(fp = fopen(path, "a"));
	fprintf(fp, "redis_db = 2;\n");
	fclose(fp);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), 0);
	other = state_pool_reconfigure(pool, cfg, err, sizeof(err));
	assert_non_null(other);
	assert_ptr_not_equal(other, pool);
	config_free(cfg);
	/* the old one still works for calls in flight */
	assert_true(LOOK(.domain = "old.example", .learn = 1).available);
	state_pool_unref(pool);
	pool = other;
	assert_true(LOOK(.domain = "new.example", .learn = 1).available);
}

/* --- Sentinel ------------------------------------------------------------- */

/* Polls until fn says yes or ms pass. */
static int
wait_until(int (*fn)(void *), void *arg, long ms)
{
	long long end = deadline_now_ms() + ms;

	while (deadline_now_ms() < end) {
		if (fn(arg))
			return 1;
		sleep_ms(50);
	}
	return 0;
}

static int
replica_synced(void *arg)
{
	redisContext *c = redisfix_connect(arg, NULL, NULL);
	redisReply *r;
	int up;

	if (c == NULL)
		return 0;
	r = redisfix_cmd(c, "INFO", "replication", NULL);
	up = strstr(r->str, "master_link_status:up") != NULL;
	freeReplyObject(r);
	redisFree(c);
	return up;
}

/* 1 when a sentinel lists a replica of mymaster that it could promote:
 * flags exactly "slave", its link to the master up. */
static int
sentinel_sees_replica(void *arg)
{
	redisContext *c = redisfix_connect(arg, NULL, NULL);
	const redisReply *e, *k, *v;
	redisReply *r;
	size_t i, j;
	int ok = 0, flags, link;

	if (c == NULL)
		return 0;
	r = redisfix_cmd(c, "SENTINEL", "replicas", "mymaster", NULL);
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		e = r->element[i];
		flags = link = 0;
		for (j = 0; e->type == REDIS_REPLY_ARRAY &&
		    j + 1 < e->elements; j += 2) {
			k = e->element[j];
			v = e->element[j + 1];
			if (k->type != REDIS_REPLY_STRING ||
			    v->type != REDIS_REPLY_STRING)
				continue;
			if (strcmp(k->str, "flags") == 0)
				flags = strcmp(v->str, "slave") == 0;
			if (strcmp(k->str, "master-link-status") == 0)
				link = strcmp(v->str, "ok") == 0;
		}
		ok |= flags && link;
	}
	freeReplyObject(r);
	redisFree(c);
	return ok;
}

struct follow {
	int port;		/* the master we expect */
	struct state_answer a;
	int tries;
	long long slowest;	/* ms of the slowest lookup */
};

static int
lookup_on(void *arg)
{
	struct follow *f = arg;
	struct state_pool_status st;
	char want[32];
	long long t;

	f->tries++;
	if (getenv("RW_STATE_DEBUG") != NULL)
		fprintf(stderr, "%lld %s\n", deadline_now_ms() % 100000,
		    f->a.available ? "ok" : f->a.error);
	t = deadline_now_ms();
	f->a = LOOK(.domain = "ha.example", .infra = "org:ha.example",
	    .auth = 1, .learn = 1);
	if (deadline_now_ms() - t > f->slowest)
		f->slowest = deadline_now_ms() - t;
	if (!f->a.available)
		return 0;
	state_pool_status(pool, &st);
	snprintf(want, sizeof(want), "127.0.0.1:%d", f->port);
	return strcmp(st.master, want) == 0;
}

static long long
messages_on(struct redisfix *f)
{
	redisContext *c = redisfix_connect(f, NULL, NULL);
	long long v;

	assert_non_null(c);
	v = rint_of(redisfix_cmd(c, "HGET", "rw:{ha.example}", "m", NULL));
	redisFree(c);
	return v;
}

static void
sentinel_failover_is_followed(void **unused)
{
	struct redisfix *p = &extra[0], *r = &extra[1];
	char conf[300];
	struct follow f;
	redisContext *c;
	redisReply *rr;
	long long t, n;
	int i;

	assert_int_equal(redisfix_start(p, 0, NULL), 0);
	snprintf(conf, sizeof(conf), "replicaof 127.0.0.1 %d\n", p->port);
	assert_int_equal(redisfix_start(r, 0, conf), 0);
	assert_true(wait_until(replica_synced, r, 10000));
	snprintf(conf, sizeof(conf), "sentinel monitor mymaster 127.0.0.1 %d "
	    "1\nsentinel down-after-milliseconds mymaster 800\n"
	    "sentinel failover-timeout mymaster 2000\n", p->port);
	assert_int_equal(redisfix_start(&extra[2], 1, conf), 0);
	assert_int_equal(redisfix_start(&extra[3], 1, conf), 0);
	assert_true(wait_until(sentinel_sees_replica, &extra[2], 15000));
	state_pool_unref(pool);
	/* the first sentinel listed is dead: the next ones answer */
	pool = pool_from("redis_sentinels = [\"127.0.0.1:%d\", "
	    "\"127.0.0.1:%d\", \"127.0.0.1:%d\"];\n"
	    "redis_timeout_ms = 300;\nredis_connect_timeout_ms = 200;\n"
	    "redis_breaker_cooldown_ms = 200;\n"
	    "redis_sentinel_check_ms = 300;\n", redisfix_free_port(),
	    extra[2].port, extra[3].port);
	for (i = 0; i < 5; i++)
		assert_true(LOOK(.domain = "ha.example", .infra =
		    "org:ha.example", .auth = 1, .learn = 1).available);
	c = redisfix_connect(p, NULL, NULL);
	assert_int_equal(rint_of(redisfix_cmd(c, "WAIT", "1", "2000", NULL)),
	    1);
	redisFree(c);

	/* 1. an admin's failover: the old master stays a master (taking
	 * writes) until Sentinel demotes it 10 s later; the periodic check
	 * (redis_sentinel_check_ms) follows sooner */
	c = redisfix_connect(&extra[2], NULL, NULL);
	rr = redisfix_cmd(c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	if (rr->type == REDIS_REPLY_ERROR)
		fail_msg("SENTINEL FAILOVER: %s", rr->str);
	freeReplyObject(rr);
	redisFree(c);
	memset(&f, 0, sizeof(f));
	f.port = r->port;
	t = deadline_now_ms();
	assert_true(wait_until(lookup_on, &f, 20000));
	printf("# sentinel: manual failover followed in %lld ms, %d "
	    "lookups, slowest %lld ms\n", deadline_now_ms() - t, f.tries, f.slowest);
	assert_true(f.slowest < 2000);
	/* the history came along (with what was written to the old master
	 * while it still was one), and this lookup went to the new one */
	assert_true(f.a.messages >= 5);
	assert_int_equal(messages_on(r), f.a.messages + 1);
	n = f.a.messages + 1;
	/* demote the old master now, as Sentinel would later */
	c = redisfix_connect(p, NULL, NULL);
	snprintf(conf, sizeof(conf), "%d", r->port);
	freeReplyObject(redisfix_cmd(c, "REPLICAOF", "127.0.0.1", conf,
	    NULL));
	redisFree(c);

	/* 2. the new master dies: the old one comes back as master */
	assert_true(wait_until(replica_synced, p, 10000));
	c = redisfix_connect(r, NULL, NULL);
	assert_int_equal(rint_of(redisfix_cmd(c, "WAIT", "1", "2000", NULL)),
	    1);
	redisFree(c);
	redisfix_kill(r);
	memset(&f, 0, sizeof(f));
	f.port = p->port;
	t = deadline_now_ms();
	assert_true(wait_until(lookup_on, &f, 30000));
	printf("# sentinel: master killed, failover followed in %lld ms, %d "
	    "lookups, slowest %lld ms\n", deadline_now_ms() - t, f.tries, f.slowest);
	assert_true(f.slowest < 2000);	/* mail kept flowing */
	assert_int_equal(f.a.messages, n);	/* nothing written meanwhile */
	assert_int_equal(messages_on(p), n + 1);
	for (i = 0; i < 4; i++)
		redisfix_kill(&extra[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
#define X(f)	cmocka_unit_test_setup_teardown(f, setup, teardown_extra)
		T(database_number_is_selected),
		T(unix_socket_is_used),
		T(stale_pooled_connection_is_replaced),
		T(threads_share_the_pool),
		X(auth_with_password_and_acl_user),
		X(redis_down_opens_the_breaker_and_recovery_closes_it),
		T(silent_server_times_out),
		T(slow_replies_open_the_breaker),
		X(replica_answers_readonly),
		T(disabled_state_answers_at_once),
		T(reconfigure_keeps_or_rebuilds_the_pool),
		X(sentinel_failover_is_followed),
#undef T
#undef X
	};

	/* RW_STATE_TEST="sentinel*" runs the matching cases only. */
	if (getenv("RW_STATE_TEST") != NULL)
		cmocka_set_test_filter(getenv("RW_STATE_TEST"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
