/*
 * redisfix.h - private redis-server and redis-sentinel processes for the
 * state tests: free loopback ports, no persistence, their own directory
 * under one mkdtemp; killed by redisfix_kill or redisfix_cleanup, and by
 * the kernel if the test process dies first (PR_SET_PDEATHSIG).
 */
#ifndef RW_REDISFIX_H
#define RW_REDISFIX_H

#include <sys/types.h>
#include <hiredis/hiredis.h>

struct redisfix {
	pid_t pid;
	int port;
	int sentinel;
	char dir[512];
	char conf[600];
	char log[600];
};

/* Starts redis-server (or, with sentinel, redis-sentinel) with the lines
 * of extra appended to its config file (may be NULL; "%PORT%" is not
 * expanded: callers print what they need).  Waits until it answers.
 * 0, or -1 with a line on stderr. */
int redisfix_start(struct redisfix *, int sentinel, const char *extra);
/* Starts the same server again on the same port (after a stop). */
int redisfix_restart(struct redisfix *);
/* SIGKILL and reap; the directory stays for redisfix_cleanup. */
void redisfix_kill(struct redisfix *);
/* Removes every directory the fixture made (call at exit). */
void redisfix_cleanup(void);

/* A hiredis context to the server (AUTH with pass, user may be NULL).
 * NULL on failure. */
redisContext *redisfix_connect(const struct redisfix *, const char *user,
    const char *pass);
/* A reply to a command of argv (NULL-terminated); aborts the test on a
 * transport error (the caller frees). */
redisReply *redisfix_cmd(redisContext *, ...);
/* A free TCP port on 127.0.0.1 (nothing listens there right now). */
int redisfix_free_port(void);

#endif
