/*
 * reload.c - the current config generation and its replacement on SIGUSR1.
 *
 * Exports reload_*.  Owns the daemon's reference to the current
 * generation.  Thread rule: `current` is read and swapped under `lock`;
 * readers take their own reference (policy_ref) under the lock and then
 * use the generation without it, so a message keeps the generation it
 * started with (STYLE 8).  libmilter owns SIGHUP/SIGTERM/SIGINT; SIGUSR1 is
 * taken by our own sigwait thread (as OpenDKIM does).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "util/log.h"
#include "policy.h"
#include "reload.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct policy *current;
static char *config_path;

void
reload_init(const char *path, struct policy *pol)
{
	pthread_mutex_lock(&lock);
	free(config_path);
	config_path = path != NULL ? strdup(path) : NULL;
	current = pol;
	pthread_mutex_unlock(&lock);
}

struct policy *
reload_current(void)
{
	struct policy *p;

	pthread_mutex_lock(&lock);
	p = current != NULL ? policy_ref(current) : NULL;
	pthread_mutex_unlock(&lock);
	return p;
}

int
reload_now(void)
{
	struct config *cfg;
	struct policy *pol, *old;
	char err[512];

	if (config_path == NULL)
		return -1;
	if (config_load(config_path, &cfg, err, sizeof(err)) == -1) {
		log_err(NULL, "reload: %s: keeping the running configuration",
		    err);
		return -1;
	}
	/* Only this thread replaces current: it cannot go away here. */
	if ((pol = policy_next(current, cfg, err, sizeof(err))) == NULL) {
		log_err(NULL, "reload: %s: %s: keeping the running "
		    "configuration", config_path, err);
		return -1;
	}
	log_set_level((enum log_level)cfg->log_level);
	config_notes(cfg, (long long)time(NULL), reload_log_note,
	    (void *)"reload: ");
	log_set_facility(cfg->syslog_facility);
	pthread_mutex_lock(&lock);
	old = current;
	current = pol;
	pthread_mutex_unlock(&lock);
	/* Messages in flight hold their own references to the old one. */
	policy_unref(old);
	log_info(NULL, "reload: %s: configuration reloaded", config_path);
	return 0;
}

void
reload_log_note(void *arg, int warning, const char *line)
{
	if (warning)
		log_warning(NULL, "%s%s", (const char *)arg, line);
	else
		log_info(NULL, "%s%s", (const char *)arg, line);
}

static void *
waiter(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
			(void)reload_now();
	}
	return NULL;
}

int
reload_block_signals(void)
{
	sigset_t set;

	/* SIGUSR1 for us; HUP, TERM and INT for libmilter's own sigwait
	 * thread.  Blocked in every thread, or the resolver's threads would
	 * take them and the default action would kill the daemon. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return pthread_sigmask(SIG_BLOCK, &set, NULL) == 0 ? 0 : -1;
}

int
reload_start(void)
{
	static sigset_t set;
	pthread_attr_t attr;
	pthread_t tid;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, waiter, &set);
	pthread_attr_destroy(&attr);
	return r == 0 ? 0 : -1;
}

void
reload_shutdown(void)
{
	struct policy *old;

	pthread_mutex_lock(&lock);
	old = current;
	current = NULL;
	pthread_mutex_unlock(&lock);
	policy_unref(old);
}
