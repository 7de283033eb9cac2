/*
 * test_scanshare.c - what attachment workers share with their fork
 * server (issue 15, memory), with real processes.
 *
 * The fork server loads, before it forks any worker, what every worker
 * needs whatever its settings (scanworker_prepare): the libmagic
 * database, the character set converters, GMime.  A worker then maps the
 * database once, at the server's address (it inherited the server's
 * mapping and made none of its own), and the converters' modules
 * likewise; and a fresh worker holds little memory of its own (it held
 * 1.4 MB when each built its own copy).  The fork server stays one
 * thread (it forks).  The fork server is forked in main(), before cmocka
 * makes a thread, as the daemon does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "scan/scanhost.h"
#include "scan/scanpool.h"
#include "scanfix.h"

#define WORKERS		2
/* A fresh worker's Private_Dirty: 1,372 kB when each loaded its own
 * GMime, converters and libmagic handle, about 300 kB since. */
#define FRESH_WORKER_KB	768

static struct scanhost *host;
static char dir[256];

static struct scanpool *
pool_of(struct config **cfg)
{
	struct scanpool *p;
	char err[256];

	*cfg = scanfix_config(dir, "", "state_enable = false;\n"
	    "attach_workers = %d;\n", WORKERS);
	if ((p = scanpool_new(host, *cfg, err, sizeof(err))) == NULL)
		fail_msg("scanpool_new: %s", err);
	return p;
}

/* The lines of /proc/PID/maps naming a file that ends in suffix, joined;
 * how many into *n. */
static char *
maps_of(pid_t pid, const char *suffix, int *n)
{
	char path[64], line[1024], *out = calloc(1, 1);
	size_t len = 0, l, s = strlen(suffix);
	FILE *fp;

	*n = 0;
	snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		l = strcspn(line, "\n");
		line[l] = '\0';
		if (l < s || strcmp(line + l - s, suffix) != 0)
			continue;
		assert_non_null(out = realloc(out, len + l + 2));
		memcpy(out + len, line, l);
		len += l;
		out[len++] = '\n';
		out[len] = '\0';
		(*n)++;
	}
	fclose(fp);
	return out;
}

static long
status_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	assert_non_null(fp = fopen(path, "r"));
	while (v < 0 && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(fp);
	return v;
}

static void
shared_like_the_server(const char *suffix)
{
	struct config *cfg;
	struct scanpool *p = pool_of(&cfg);
	pid_t pids[WORKERS];
	char *srv, *w;
	int ns, nw;
	size_t i;

	assert_int_equal(scanpool_pids(p, pids, WORKERS), WORKERS);
	srv = maps_of(scanhost_pid(host), suffix, &ns);
	assert_true(ns > 0);
	for (i = 0; i < WORKERS; i++) {
		w = maps_of(pids[i], suffix, &nw);
		assert_string_equal(w, srv);
		free(w);
	}
	free(srv);
	scanpool_free(p);
	config_free(cfg);
}

static void
workers_map_the_servers_magic_database(void **state)
{
	(void)state;
	shared_like_the_server("/magic.mgc");
}

static void
workers_use_the_servers_converters(void **state)
{
	(void)state;
	/* ISO-2022-JP: a converter scanworker.c preloads, in a module of
	 * its own (glibc's gconv directory) */
	shared_like_the_server("/ISO-2022-JP.so");
}

static void
fresh_worker_holds_little_of_its_own(void **state)
{
	struct config *cfg;
	struct scanpool *p = pool_of(&cfg);
	pid_t pids[WORKERS];
	long kb;
	size_t i;

	(void)state;
	assert_int_equal(status_kb(scanhost_pid(host), "status",
	    "Threads:"), 1);
	assert_int_equal(scanpool_pids(p, pids, WORKERS), WORKERS);
	for (i = 0; i < WORKERS; i++) {
		kb = status_kb(pids[i], "smaps_rollup", "Private_Dirty:");
		assert_true(kb > 0);
#if defined(__SANITIZE_ADDRESS__) || defined(RW_SANITIZERS)
		/* AddressSanitizer's allocator and shadow memory are the
		 * worker's own: no bound to hold it to. */
		print_message("sanitizers: fresh worker %ld kB, bound not "
		    "checked\n", kb);
#else
		if (kb > FRESH_WORKER_KB)
			fail_msg("fresh worker: Private_Dirty %ld kB > %d",
			    kb, FRESH_WORKER_KB);
#endif
	}
	scanpool_free(p);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workers_map_the_servers_magic_database),
		cmocka_unit_test(workers_use_the_servers_converters),
		cmocka_unit_test(fresh_worker_holds_little_of_its_own),
	};
	char err[256];
	int rc;

	/* One thread still: fork the server now, as the daemon does. */
	if ((host = scanhost_start(err, sizeof(err))) == NULL) {
		fprintf(stderr, "scanhost_start: %s\n", err);
		return 99;
	}
	if (scanfix_mkdtemp(dir, sizeof(dir), "test_scanshare") == -1)
		return 99;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	scanhost_stop(host);
	(void)scanfix_rmdir(dir);
	return rc;
}
