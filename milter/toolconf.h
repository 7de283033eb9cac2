/*
 * toolconf.h - the configuration the tools (relaywarden-check,
 * relaywarden-state) read: the daemon's own default file unless -c names
 * another, so that they look at the Redis and policy the daemon uses.
 */
#ifndef RW_TOOLCONF_H
#define RW_TOOLCONF_H

struct config;

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
/* The daemon's default (configure --sysconfdir). */
#define TOOLCONF_DEFAULT	SYSCONFDIR "/relaywarden.conf"

/* Loads path (from -c; a missing or bad file is an error), or, when path
 * is NULL, TOOLCONF_DEFAULT: when that file does not exist the built-in
 * defaults are used.  Says on stderr, prefixed prog, which it uses.
 * 0 with *out (caller frees with config_free), or -1 after printing the
 * reason. */
int toolconf_load(const char *prog, const char *path, struct config **out);

/* Prints "PROG VERSION" on stdout (the -V option of every program). */
void toolconf_version(const char *prog);

#endif
