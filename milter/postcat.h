/*
 * postcat.h - relaywarden-check on a message in Postfix's queue: reads
 * the output of postcat(1) (envelope records, then the message
 * contents), or runs "postcat -q ID" itself (no shell).
 */
#ifndef RW_POSTCAT_H
#define RW_POSTCAT_H

#include <stdio.h>
#include <sys/types.h>

#define POSTCAT_MAX_RCPT	1000
/* Longest queue id accepted (Postfix's long ids are ~17 characters). */
#define POSTFIX_ID_MAX		64

/* What the queue file's envelope says; strings are malloc'd, freed by
 * postcat_env_free.  NULL when the record was absent. */
struct postcat_env {
	char *client_ip, *client_name, *helo, *sender;
	char *auth_user;		/* sasl_username=: the SMTP AUTH
					   login, outbound mail (issue 13
					   item 1) */
	char *rcpts[POSTCAT_MAX_RCPT];
	size_t nrcpts;
	unsigned long rcpts_lost;	/* past POSTCAT_MAX_RCPT */
};

/* Reads in: when its first line is postcat's envelope marker ("***
 * ENVELOPE RECORDS name ***"), the envelope records into env and the
 * message contents (ended by the "HEADER EXTRACTED" or "MESSAGE FILE END"
 * marker of the same name, whatever the message says) into *msg, and
 * *found = 1; otherwise the whole input, as it is, into *msg, *found = 0.
 * *msg is a rewound temporary file (caller fcloses).  0, or -1 with a
 * one-line reason in err (read error, a postcat dump cut short). */
int postcat_read(FILE *in, struct postcat_env *env, int *found, FILE **msg,
    char *err, size_t errlen);

void postcat_env_free(struct postcat_env *);

/* Runs "postcat [-c config_dir] -q queue_id" with execvp, no shell;
 * returns its standard output (*pid: the child for postcat_wait), or NULL
 * with err.  queue_id must be letters and digits. */
FILE *postcat_run(const char *queue_id, const char *config_dir, pid_t *pid,
    char *err, size_t errlen);

/* Closes fp and reaps pid: 0 when postcat exited 0, else -1 with err. */
int postcat_wait(FILE *fp, pid_t pid, char *err, size_t errlen);

/* Running Postfix's own programs (postcat, postqueue, postsuper) for the
 * admin tools: the one place that execs (tests/layout/check-noexec.sh).
 * postfix_queue_id_ok: 1 when id is 1..POSTFIX_ID_MAX letters and digits
 * (never an option or a path).  postfix_run: argv[0] from PATH with
 * argv, no shell; its stdout on *fp when fp is not NULL; the pid, or -1
 * with err.  postfix_reap: 0 when it exited 0, else -1 with err naming
 * prog. */
int postfix_queue_id_ok(const char *id);
pid_t postfix_run(const char *const *argv, FILE **fp, char *err,
    size_t errlen);
int postfix_reap(pid_t pid, const char *prog, char *err, size_t errlen);

#endif
