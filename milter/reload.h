/*
 * reload.h - the current config generation, and SIGUSR1 reload.
 */
#ifndef RW_RELOAD_H
#define RW_RELOAD_H

struct policy;

/* Installs the first generation (ownership passes) and the config path
 * reloads read. */
void reload_init(const char *path, struct policy *);

/* A new reference to the current generation (release with
 * policy_unref). Thread-safe. */
struct policy *reload_current(void);

/* Blocks SIGUSR1, and libmilter's SIGHUP/SIGTERM/SIGINT, in the calling
 * thread: call it before any thread starts, so every thread inherits the
 * mask and only the sigwait threads take them.  0 or -1. */
int reload_block_signals(void);

/* Starts the thread that waits for SIGUSR1 (a signal that came earlier is
 * still pending and is taken then).  Call after reload_init.  0 or -1. */
int reload_start(void);

/* Loads the config again; swaps it in only if it is valid.  0 when
 * swapped, -1 (old one kept, reason logged) otherwise. */
int reload_now(void);

/* A config_notes line (config.h) into the log: a warning, or info for a
 * note; arg is a prefix ("" or "reload: "). */
void reload_log_note(void *arg, int warning, const char *line);

/* Drops the daemon's reference at exit. */
void reload_shutdown(void);

#endif
