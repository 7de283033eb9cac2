/*
 * confine.c - the daemon's own sandbox, from its configuration: the
 * seccomp filter (always) and the Landlock rule set (daemon_landlock,
 * when the kernel offers Landlock), both from util/sandbox.h.
 *
 * Exports confine_daemon().  Called once by main.c after the socket is
 * bound, the pid file written and root dropped, before any thread
 * starts.
 *
 * What the daemon still opens by name after that, and so what Landlock
 * allows (README, "Sandbox"):
 *  read:   /usr (libraries dlopen'd later: gconv, NSS; libmagic's and
 *          ICU's data, the PSL, zoneinfo), /etc (resolver and NSS files,
 *          often replaced by rename, which a rule on the file itself
 *          would not follow; DAC still guards /etc's secrets), /lib and
 *          /lib64 where they are not links into /usr; the directory of
 *          the config file and of every file it names (dns_local_data,
 *          psl_file, dns_resolv_conf or /etc/resolv.conf, each after
 *          symlinks: /etc/resolv.conf may point into /run), so a reload
 *          reads an edited file (editors replace it) or a new one beside
 *          it; /proc/self (glibc and the sanitizers read it),
 *          /sys/devices/system/cpu (the CPU count), /dev/urandom and
 *          /dev/random;
 *  write:  the attachment spool directory (attach_tmpdir, else $TMPDIR,
 *          else /tmp) and /dev/null;
 *  remove: a file in the unix socket's directory (libmilter unlinks its
 *          socket when it stops).
 * A file at the top of the tree ("/x") gets a rule for itself, never
 * for "/".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/log.h"
#include "util/sandbox.h"
#include "confine.h"

#define CONFINE_MAX_PATHS	24

struct pathset {
	char *paths[CONFINE_MAX_PATHS];
	size_t n;
};

static int
push(struct pathset *ps, const char *p)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->paths[i], p) == 0)
			return 0;
	if (ps->n == CONFINE_MAX_PATHS)
		return -1;
	if ((ps->paths[ps->n] = strdup(p)) == NULL)
		return -1;
	ps->n++;
	return 0;
}

static void
pathset_free(struct pathset *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		free(ps->paths[i]);
	ps->n = 0;
}

/* The directory holding file (after symlinks), or the file itself when
 * that directory is "/".  A file that does not exist yet: its directory
 * as written.  Nothing for "" (the setting is unset). */
static int
push_dir_of(struct pathset *ps, const char *file)
{
	char buf[PATH_MAX], *real, *slash;
	int rc;

	if (file == NULL || file[0] == '\0')
		return 0;
	if ((real = realpath(file, NULL)) == NULL) {
		if (strlen(file) >= sizeof(buf))
			return -1;
		strcpy(buf, file);
	} else {
		if (strlen(real) >= sizeof(buf)) {
			free(real);
			return -1;
		}
		strcpy(buf, real);
		free(real);
	}
	if ((slash = strrchr(buf, '/')) == NULL)
		return 0;	/* relative: made absolute at load */
	if (slash != buf)
		*slash = '\0';
	rc = push(ps, buf);
	return rc;
}

/* The path after symlinks ("/proc/self" -> "/proc/PID"), or as given. */
static int
push_real(struct pathset *ps, const char *path)
{
	char *real;
	int rc;

	if ((real = realpath(path, NULL)) == NULL)
		return push(ps, path);
	rc = push(ps, real);
	free(real);
	return rc;
}

static const char *
unix_socket_path(const char *sock)
{
	if (strncmp(sock, "unix:", 5) == 0)
		return sock + 5;
	if (strncmp(sock, "local:", 6) == 0)
		return sock + 6;
	return NULL;
}

static int
build(const struct config *cfg, const char *path, const char *sock,
    struct pathset *ro, struct pathset *rw, struct pathset *rm)
{
	static const char *const sys_ro[] = {
		"/usr", "/etc", "/lib", "/lib64", "/lib32", "/libx32",
		"/proc/self", "/sys/devices/system/cpu", "/dev/urandom",
		"/dev/random",
	};
	const char *tmp, *sp;
	size_t i;

	for (i = 0; i < sizeof(sys_ro) / sizeof(sys_ro[0]); i++)
		if (push_real(ro, sys_ro[i]) == -1)
			return -1;
	if (push_dir_of(ro, path) == -1 ||
	    push_dir_of(ro, cfg->dns_local_data) == -1 ||
	    push_dir_of(ro, cfg->psl_file) == -1 ||
	    push_dir_of(ro, cfg->dns_resolv_conf[0] != '\0' ?
	    cfg->dns_resolv_conf : "/etc/resolv.conf") == -1 ||
	    push_dir_of(ro, "/etc/hosts") == -1 ||
	    push_dir_of(ro, "/etc/localtime") == -1)
		return -1;
	tmp = cfg->attach_tmpdir;
	if (tmp[0] == '\0' && ((tmp = getenv("TMPDIR")) == NULL ||
	    tmp[0] == '\0'))
		tmp = "/tmp";
	if (push_real(rw, tmp) == -1 || push(rw, "/dev/null") == -1)
		return -1;
	if ((sp = unix_socket_path(sock)) != NULL && push_dir_of(rm, sp) == -1)
		return -1;
	return 0;
}

int
confine_daemon(const struct config *cfg, const char *path, const char *sock,
    char *err, size_t errlen)
{
	struct pathset ro = { .n = 0 }, rw = { .n = 0 }, rm = { .n = 0 };
	struct sandbox_fs fs;
	int abi;

	if (sandbox_daemon(err, errlen) == -1)
		return -1;
	if (!cfg->daemon_landlock) {
		log_warning(NULL, "daemon_landlock = false: the daemon's file "
		    "access is NOT restricted (seccomp filter on)");
		return 0;
	}
	if (build(cfg, path, sock, &ro, &rw, &rm) == -1) {
		snprintf(err, errlen, "landlock: too many or too long paths");
		abi = -1;
	} else {
		fs.ro = (const char *const *)ro.paths;
		fs.nro = ro.n;
		fs.rw = (const char *const *)rw.paths;
		fs.nrw = rw.n;
		fs.rm = (const char *const *)rm.paths;
		fs.nrm = rm.n;
		abi = sandbox_landlock(&fs, err, errlen);
	}
	pathset_free(&ro);
	pathset_free(&rw);
	pathset_free(&rm);
	if (abi == -1)
		return -1;
	if (abi == 0)
		log_info(NULL, "sandbox: seccomp filter on; Landlock not "
		    "offered by this kernel: file access not restricted");
	else
		log_info(NULL, "sandbox: seccomp filter on; Landlock ABI %d "
		    "file rules on", abi);
	return 0;
}
