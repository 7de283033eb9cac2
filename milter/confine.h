/*
 * confine.h - the daemon's sandbox from its configuration (confine.c).
 */
#ifndef RW_CONFINE_H
#define RW_CONFINE_H

#include <stddef.h>

struct config;

/* Loads the seccomp filter (always) and, with cfg->daemon_landlock and a
 * kernel that offers Landlock, the file rules for config file path,
 * cfg's files, spool and socket sock; logs which are on.  Call after
 * dropping root and before any thread starts.  0, or -1 with the reason
 * in err (then the daemon must not start). */
int confine_daemon(const struct config *cfg, const char *path,
    const char *sock, char *err, size_t errlen);

#endif
