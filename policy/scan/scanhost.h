/*
 * scanhost.h - the fork server that makes attachment workers.
 *
 * A worker must start from a clean process: forking the daemon once its
 * threads run (libmilter, the resolver, the Redis pool) would copy locks
 * held by other threads, and every message in flight.  So the daemon
 * forks this server first, while it is still one thread and holds no
 * message (milter/main.c: after dropping root, before any thread), and
 * asks it for each worker over a SOCK_SEQPACKET socket.  The server
 * forks the worker (scanworker.c), and hands back its channel and a
 * pidfd (a kill that can never hit a recycled pid).  It reaps workers
 * and logs any that died of a signal or a limit.  It never reads a
 * message byte; it exits when the daemon closes the socket (or dies:
 * PR_SET_PDEATHSIG), and its workers follow theirs.
 */
#ifndef RW_SCANHOST_H
#define RW_SCANHOST_H

#include <stddef.h>
#include <sys/types.h>

struct scanhost;

/* Forks the server.  Call while the process has one thread.  NULL with
 * one line in err. */
struct scanhost *scanhost_start(char *err, size_t errlen);

/* A new worker for the settings in cfgfd (a config_dump text in a
 * sealed memfd, scanpool.c).  Thread-safe.  0 with *sock (the worker's
 * channel), *pidfd and *pid, or -1 with one line in err. */
int scanhost_spawn(struct scanhost *, int cfgfd, int *sock, int *pidfd,
    pid_t *pid, char *err, size_t errlen);

/* Closes the socket and waits (at most a second) for the server; its
 * workers end when their channels close.  NULL does nothing. */
void scanhost_stop(struct scanhost *);

/* What the server and each worker do first: name the process (ps, the
 * tests), die with their parent, and leave SIGTERM, SIGINT, SIGHUP and
 * SIGUSR1 to the daemon (its graceful stop ends them by closing their
 * sockets once its messages are done); SIGPIPE ignored, SIGCHLD
 * default. */
void scanhost_child(const char *name);

/* The server's pid (for tests and the log). */
pid_t scanhost_pid(const struct scanhost *);

#endif
