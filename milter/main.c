/*
 * main.c - the relaywarden daemon: options, config, socket, privileges,
 * daemon mode, then libmilter's main loop.
 *
 *   relaywarden [-f] [-n] [-c FILE] [-p SOCKET]
 *
 * Order matters: the config is loaded and checked before anything else;
 * we detach (fork) before any thread exists (libunbound and the reload
 * thread start later); the socket is opened while still privileged, then
 * privileges are dropped; SIGUSR1 is blocked before the first thread so
 * only the reload thread takes it.  Started as root it refuses to run
 * unless user names someone else (or allow_root = true).  libmilter owns
 * SIGHUP/SIGTERM/SIGINT (graceful stop).
 * Over TCP we set TCP_NODELAY on the listening socket (accepted sockets
 * inherit it on Linux): libmilter does not, and Nagle plus the MTA's
 * delayed ACK costs ~40 ms per exchange (FIELD-NOTES).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "confine.h"
#include "config/config.h"
#include "util/log.h"
#include "util/net.h"
#include "policy.h"
#include "reload.h"
#include "statsflush.h"
#include "metricsd.h"
#include "scan/scanhost.h"

#include "toolconf.h"

#define DEFAULT_CONFIG	TOOLCONF_DEFAULT
#define MMAP_THRESHOLD	(128 * 1024)	/* glibc's own starting value */
#define ARENAS_PER_CPU	2	/* glibc's own: 8 */
#define ARENAS_MIN	4

static void
usage(void)
{
	fprintf(stderr, "usage: relaywarden [-fnV] [-c config] [-p socket]\n"
	    "  -c FILE    configuration (default %s)\n"
	    "  -f         stay in the foreground, log to stderr\n"
	    "  -n         check the configuration and exit\n"
	    "  -p SOCKET  listen here instead (inet:PORT@ADDR, unix:PATH)\n"
	    "  -V         print the version and exit\n",
	    DEFAULT_CONFIG);
	exit(2);
}

static int
detach(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

static int
write_pidfile(const char *path, char *err, size_t errlen)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "%s: cannot write pid file", path);
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0) {
		snprintf(err, errlen, "%s: cannot write pid file", path);
		return -1;
	}
	return 0;
}

static int
drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	if (user == NULL || user[0] == '\0')
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user %s: no such user", user);
		return -1;
	}
	if (getuid() != 0 && geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return 0;
		snprintf(err, errlen, "user %s: only root can switch user",
		    user);
		return -1;
	}
	if (setgroups(0, NULL) == -1 || initgroups(user, pw->pw_gid) == -1 ||
	    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1) {
		snprintf(err, errlen, "user %s: cannot switch to it", user);
		return -1;
	}
	if (setuid(0) != -1) {
		snprintf(err, errlen, "user %s: root privileges not dropped",
		    user);
		return -1;
	}
	return 0;
}

/* TCP_NODELAY on libmilter's listening socket, found among our open
 * descriptors (libmilter does not expose it). */
static void
set_nodelay(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1, acc;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(acc);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) ==
		    -1 || !acc)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
			continue;
		if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
			    sizeof(on));
	}
}

static int
open_socket(const char *sock, const struct config *cfg, char *err,
    size_t errlen)
{
	struct passwd *pw;
	char why[128];
	int saved;

	if (smfi_setconn((char *)sock) == MI_FAILURE) {
		snprintf(err, errlen, "%s: bad socket", sock);
		return -1;
	}
	errno = 0;
	if (smfi_opensocket(1) == MI_FAILURE) {
		/* libmilter keeps the errno of the call that failed
		 * (socket, bind, listen, unlink) and says it only to
		 * syslog: "address in use" must reach the admin. */
		saved = errno;
		if (saved != 0)
			snprintf(err, errlen, "%s: cannot listen: %s%s", sock,
			    strerror_r(saved, why, sizeof(why)),
			    saved == EADDRINUSE ? " (another relaywarden "
			    "running? choose another with -p or socket =)" :
			    "");
		else
			snprintf(err, errlen, "%s: cannot listen", sock);
		return -1;
	}
	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) ==
	    0) {
		const char *path = strchr(sock, ':') + 1;

		if (chmod(path, cfg->socket_mode) == -1) {
			snprintf(err, errlen, "%s: cannot set mode %o", path,
			    cfg->socket_mode);
			return -1;
		}
		if (cfg->user[0] != '\0' && geteuid() == 0 &&
		    (pw = getpwnam(cfg->user)) != NULL &&
		    chown(path, pw->pw_uid, pw->pw_gid) == -1) {
			snprintf(err, errlen, "%s: cannot give it to %s",
			    path, cfg->user);
			return -1;
		}
	} else {
		set_nodelay();
	}
	return 0;
}

/* Started as root and staying root: user is unset or names root.  A
 * user that does not exist is drop_privileges' to report. */
static int
stays_root(const struct config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0 && getuid() != 0)
		return 0;
	return cfg->user[0] == '\0' || ((pw = getpwnam(cfg->user)) != NULL &&
	    pw->pw_uid == 0);
}

/* Started as root, the daemon must become another user: every parsing
 * library handles hostile bytes.  0 when it will (or is not root), or
 * allow_root says root is meant (logged as a warning); -1 with the
 * reason. */
static int
check_root(const struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	if (!stays_root(cfg))
		return 0;
	if (cfg->allow_root) {
		log_warning(NULL, "running as root (allow_root = true): "
		    "hostile mail is parsed with root privileges; set user "
		    "in %s", path);
		return 0;
	}
	snprintf(err, errlen, "%s: refusing to run as root: set user = "
	    "\"NAME\" (an unprivileged user), or allow_root = true", path);
	return -1;
}

/* How many malloc arenas the daemon may have (issue 15, memory).  glibc
 * gives a thread that finds the arenas busy a new one, up to 8 per CPU;
 * libmilter runs a thread per connection, and each arena keeps what its
 * threads' messages freed (~160 KB each at run-bench's sizes): 10 arenas
 * held 1.6 MB at 4 connections on 2 CPUs.  More arenas than CPUs buy
 * nothing but fewer waits on an arena's lock; 2 per CPU (at least 4) kept
 * the CPU per message within noise (bench-conns' small run, README). */
static int
arenas(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1 || n > 1024)
		n = 1;
	return n * ARENAS_PER_CPU < ARENAS_MIN ? ARENAS_MIN :
	    (int)n * ARENAS_PER_CPU;
}

/* Runs the daemon with cfg (ownership passes) until libmilter stops.
 * Returns the exit code. */
static int
run(struct config *cfg, const char *path, const char *sock, int foreground)
{
	struct scanhost *host = NULL;
	struct metricsd *md;
	struct statsflush *sf;
	struct policy *pol;
	char err[512];
	int rc;

	if (sock == NULL)
		sock = cfg->socket;
	log_open("relaywarden", cfg->syslog_facility, foreground);
	log_set_timestamps(foreground);
	log_set_level((enum log_level)cfg->log_level);
	if (check_root(cfg, path, err, sizeof(err)) == -1) {
		if (!foreground)	/* syslog alone is easy to miss */
			fprintf(stderr, "relaywarden: %s\n", err);
		goto fail;
	}
	if (smfi_register(callbacks_desc) == MI_FAILURE) {
		snprintf(err, sizeof(err), "smfi_register failed");
		goto fail;
	}
	/* libmilter's default is 7210 s: an idle or stalled MTA peer would
	 * pin a thread and its message for two hours. */
	if (smfi_settimeout((int)cfg->milter_timeout_s) == MI_FAILURE) {
		snprintf(err, sizeof(err), "smfi_settimeout failed");
		goto fail;
	}
	if (open_socket(sock, cfg, err, sizeof(err)) == -1)
		goto fail;
	if (!foreground && detach() == -1) {
		snprintf(err, sizeof(err), "cannot detach into the background");
		goto fail;
	}
	if (cfg->pidfile[0] != '\0' &&
	    write_pidfile(cfg->pidfile, err, sizeof(err)) == -1)
		goto fail;
	if (drop_privileges(cfg->user, err, sizeof(err)) == -1)
		goto fail;
	/* The daemon's sandbox (confine.c): seccomp always, Landlock where
	 * offered.  Before any thread: Landlock binds this thread only.
	 * Everything forked from here on inherits both. */
	if (confine_daemon(cfg, path, sock, err, sizeof(err)) == -1)
		goto fail;
	/* The attachment workers' fork server: forked now, while this is
	 * one thread holding no message (scanhost.h). */
	if ((host = scanhost_start(err, sizeof(err))) == NULL)
		goto fail;
	policy_use_workers(host);
	if (reload_block_signals() == -1) {
		snprintf(err, sizeof(err), "cannot block signals");
		goto fail;
	}
	/* Issue 14 item 2: the metrics thread, confined and with the
	 * signals blocked like every other (metricsd.c). */
	if ((md = metricsd_start(cfg, err, sizeof(err))) == NULL &&
	    err[0] != '\0') {
		scanhost_stop(host);
		goto fail;
	}
	/* Threads exist from here on (resolver, reload, metrics). */
	if ((pol = policy_new(cfg, err, sizeof(err))) == NULL) {
		log_err(NULL, "%s: %s", path, err);
		return 1;
	}
	if (policy_start(pol, err, sizeof(err)) == -1) {
		log_err(NULL, "%s", err);
		policy_unref(pol);
		return 1;
	}
	/* before a reload can replace cfg */
	config_notes(cfg, (long long)time(NULL), reload_log_note, (void *)"");
	reload_init(path, pol);
	if (reload_start() == -1) {
		log_err(NULL, "cannot start the reload thread");
		reload_shutdown();
		return 1;
	}
	/* issue 14 item 3: the daily counters (statsflush.c) */
	sf = statsflush_start();
	log_info(NULL, "relaywarden %s listening on %s, config %s",
	    PACKAGE_VERSION, sock, path);
	rc = smfi_main();
	log_info(NULL, "stopped");
	statsflush_stop(sf);
	metricsd_stop(md);
	reload_shutdown();
	scanhost_stop(host);
	return rc == MI_SUCCESS ? 0 : 1;
fail:
	log_err(NULL, "%s", err);
	config_free(cfg);
	return 1;
}

/* relaywarden -n: config_notes lines on stderr (issue 13 item 2). */
static void
print_note(void *arg, int warning, const char *line)
{
	fprintf(stderr, "relaywarden: %s: %s: %s\n", (const char *)arg,
	    warning ? "warning" : "note", line);
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG, *sock = NULL;
	int foreground = 0, check = 0, as_root, ch, rc;
	struct config *cfg;
	struct policy *pol;
	char err[512], *abspath;

	while ((ch = getopt(argc, argv, "c:fnp:hV")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			sock = optarg;
			break;
		case 'V':
			toolconf_version("relaywarden");
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	/* Memory (issue 15): a buffer of MMAP_THRESHOLD bytes or more (a
	 * spool growing towards attach_spool_memory) gets a mapping of its
	 * own, unmapped when freed.  Left alone, glibc raises the threshold
	 * past the first such buffer freed, and from then on keeps them in
	 * its per-thread arenas: with hundreds of connections, resident for
	 * good (FIELD-NOTES).  Set before any thread or fork: the workers
	 * inherit it. */
	(void)mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	(void)mallopt(M_ARENA_MAX, arenas());

	if (config_load(path, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "relaywarden: %s\n", err);
		return 1;
	}
	/* Reloads happen after chdir("/"): remember where the file is. */
	if ((abspath = realpath(path, NULL)) != NULL)
		path = abspath;
	if (sock != NULL && net_check_socket(sock, err, sizeof(err)) == -1) {
		fprintf(stderr, "relaywarden: -p %s: %s\n", sock, err);
		config_free(cfg);
		rc = 2;
	} else if (check) {
		/* Build the generation too: it reads the local DNS data and
		 * the PSL, which can be wrong in ways the parser cannot see. */
		as_root = stays_root(cfg) && !cfg->allow_root;
		if ((pol = policy_new(cfg, err, sizeof(err))) == NULL) {
			fprintf(stderr, "relaywarden: %s: %s\n", path, err);
			rc = 1;
		} else {
			/* cfg belongs to pol: read it before the unref */
			config_notes(cfg, (long long)time(NULL), print_note,
			    (void *)(uintptr_t)path);
			policy_unref(pol);
			if (as_root)
				fprintf(stderr, "relaywarden: %s: note: "
				    "started as root it would refuse to run "
				    "(user unset or root, allow_root = false)"
				    "\n", path);
			printf("relaywarden: %s: configuration OK\n", path);
			rc = 0;
		}
	} else {
		rc = run(cfg, path, sock, foreground);
	}
	free(abspath);
	return rc;
}
