/*
 * confperm.c - who may change the files a configuration comes from.
 *
 * The daemon starts as root and acts on what its configuration says
 * (the socket, the user to become, the DNS data and resolvers its
 * verdicts rest on), so a file that someone else can rewrite hands them
 * those decisions.  A config file, each @include target, and the files
 * named by dns_local_data, dns_resolv_conf and psl_file are refused
 * when they are group- or world-writable, owned by someone other than
 * root or the user loading them, or in a directory that others may
 * write without the sticky bit (they could swap the file).
 *
 * Exports confperm_check_fd, confperm_check_path (configtab.h).  Owns
 * nothing.  Thread rule: none (stat calls only).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config/configtab.h"

/* The directory part of path into buf ("." when there is none). */
static void
parent_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(buf, len, ".");
		return;
	}
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= len)
		n = len - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
}

static int
judge(const struct stat *st, const char *path, char *err, size_t errlen)
{
	struct stat dst;
	char dir[PATH_MAX];

	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: group- or world-writable: "
		    "refusing it", path);
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %lu, neither root "
		    "nor us: refusing it", path, (unsigned long)st->st_uid);
		return -1;
	}
	parent_of(path, dir, sizeof(dir));
	if (stat(dir, &dst) == 0 && (dst.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(dst.st_mode & S_ISVTX)) {
		snprintf(err, errlen, "%s: in a group- or world-writable "
		    "directory: refusing it", path);
		return -1;
	}
	return 0;
}

int
confperm_check_fd(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: cannot stat it", path);
		return -1;
	}
	return judge(&st, path, err, errlen);
}

int
confperm_check_path(const char *path, char *err, size_t errlen)
{
	struct stat st;

	/* A file that cannot be read is reported by its reader. */
	if (stat(path, &st) == -1)
		return 0;
	return judge(&st, path, err, errlen);
}
