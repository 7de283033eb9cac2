/*
 * postcat.c - postcat(1) output as relaywarden-check input (postcat.h).
 * Exports postcat_read, postcat_env_free, postcat_run, postcat_wait.
 *
 * postcat prints "*** ENVELOPE RECORDS NAME ***", records as "type:
 * value" ("sender: a@b", "recipient: x@y", "named_attribute:
 * client_address=192.0.2.1", helo_name=, client_name=, sasl_username=),
 * then "*** MESSAGE CONTENTS NAME ***", the message as queued, then
 * "*** HEADER EXTRACTED NAME ***" and "*** MESSAGE FILE END NAME ***".
 * NAME is the queue file's (e.g. "hold/4F2A1B3C"), which the message
 * cannot know: only a marker with that NAME ends the contents, so a body
 * line that imitates a marker is message text.  Single-threaded (the
 * tool).
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postcat.h"

#define MARK_ENV	"*** ENVELOPE RECORDS "
#define MARK_END	" ***"

/* Strips the line end (LF or CRLF); returns the new length. */
static size_t
chomp(char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	return len;
}

/* 1 when line is "*** WHAT NAME ***". */
static int
is_marker(const char *line, const char *what, const char *name)
{
	size_t wl = strlen(what), nl = strlen(name);

	return strncmp(line, "*** ", 4) == 0 &&
	    strncmp(line + 4, what, wl) == 0 && line[4 + wl] == ' ' &&
	    strncmp(line + 5 + wl, name, nl) == 0 &&
	    strcmp(line + 5 + wl + nl, MARK_END) == 0;
}

static int
set(char **slot, const char *value)
{
	free(*slot);
	return (*slot = strdup(value)) == NULL ? -1 : 0;
}

/* One envelope record; 0 or -1 (out of memory). */
static int
record(struct postcat_env *env, const char *line)
{
	const char *v;

	if (strncmp(line, "sender: ", 8) == 0 || strcmp(line, "sender:") == 0)
		return set(&env->sender, line[7] ? line + 8 : "");
	if (strncmp(line, "recipient: ", 11) == 0) {
		if (env->nrcpts == POSTCAT_MAX_RCPT) {
			env->rcpts_lost++;
			return 0;
		}
		if ((env->rcpts[env->nrcpts] = strdup(line + 11)) == NULL)
			return -1;
		env->nrcpts++;
		return 0;
	}
	if (strncmp(line, "named_attribute: ", 17) != 0)
		return 0;
	v = line + 17;
	if (strncmp(v, "client_address=", 15) == 0)
		return set(&env->client_ip, v + 15);
	if (strncmp(v, "client_name=", 12) == 0)
		return set(&env->client_name, v + 12);
	if (strncmp(v, "helo_name=", 10) == 0)
		return set(&env->helo, v + 10);
	if (strncmp(v, "sasl_username=", 14) == 0)
		return set(&env->auth_user, v + 14);
	return 0;
}

static int
copy_rest(FILE *in, FILE *out)
{
	char buf[8192];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return -1;
	return ferror(in) ? -1 : 0;
}

int
postcat_read(FILE *in, struct postcat_env *env, int *found, FILE **msg,
    char *err, size_t errlen)
{
	char *line = NULL, *name = NULL;
	size_t cap = 0, len;
	ssize_t n;
	int state = 0, rc = -1;	/* 0 envelope, 1 contents, 2 done */
	FILE *out;

	memset(env, 0, sizeof(*env));
	*found = 0;
	*msg = NULL;
	if ((out = tmpfile()) == NULL) {
		snprintf(err, errlen, "cannot create a temporary file: %m");
		return -1;
	}
	if ((n = getline(&line, &cap, in)) == -1) {
		rc = ferror(in) ? -1 : 0;	/* empty: eml_feed says so */
		snprintf(err, errlen, "read error");
		goto out;
	}
	len = (size_t)n;
	if (strncmp(line, MARK_ENV, strlen(MARK_ENV)) != 0) {
		if (fwrite(line, 1, len, out) != len || copy_rest(in, out) ==
		    -1) {
			snprintf(err, errlen, "read error");
			goto out;
		}
		rc = 0;
		goto out;
	}
	*found = 1;
	len = chomp(line, len);
	if (len < strlen(MARK_ENV) + 5 || strcmp(line + len - 4, MARK_END) !=
	    0 || (name = strndup(line + strlen(MARK_ENV), len -
	    strlen(MARK_ENV) - 4)) == NULL) {
		snprintf(err, errlen, "postcat output: bad envelope marker");
		goto out;
	}
	while (state < 2 && (n = getline(&line, &cap, in)) != -1) {
		if (state == 0) {
			chomp(line, (size_t)n);
			if (is_marker(line, "MESSAGE CONTENTS", name))
				state = 1;
			else if (record(env, line) == -1) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			continue;
		}
		if (strncmp(line, "*** ", 4) == 0) {
			char *copy = strndup(line, (size_t)n);

			if (copy == NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			chomp(copy, (size_t)n);
			if (is_marker(copy, "HEADER EXTRACTED", name) ||
			    is_marker(copy, "MESSAGE FILE END", name))
				state = 2;
			free(copy);
			if (state == 2)
				break;
		}
		if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
			snprintf(err, errlen, "cannot write a temporary file");
			goto out;
		}
	}
	/* The trailer (extracted records) is not used, but read to the
	 * end: postcat must not die of SIGPIPE. */
	while (state == 2 && getline(&line, &cap, in) != -1)
		;
	if (ferror(in)) {
		snprintf(err, errlen, "read error");
		goto out;
	}
	if (state != 2) {
		snprintf(err, errlen, "postcat output cut short: no %s marker",
		    state == 0 ? "MESSAGE CONTENTS" : "HEADER EXTRACTED");
		goto out;
	}
	rc = 0;
out:
	free(line);
	free(name);
	if (rc == 0 && (fflush(out) != 0 || fseek(out, 0, SEEK_SET) != 0)) {
		snprintf(err, errlen, "cannot write a temporary file");
		rc = -1;
	}
	if (rc == -1) {
		fclose(out);
		postcat_env_free(env);
	} else
		*msg = out;
	return rc;
}

void
postcat_env_free(struct postcat_env *env)
{
	size_t i;

	free(env->client_ip);
	free(env->client_name);
	free(env->helo);
	free(env->sender);
	free(env->auth_user);
	for (i = 0; i < env->nrcpts; i++)
		free(env->rcpts[i]);
	memset(env, 0, sizeof(*env));
}

int
postfix_queue_id_ok(const char *id)
{
	size_t n;

	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= '0' && id[n] <= '9')))
			return 0;
	return n > 0 && n <= POSTFIX_ID_MAX;
}

pid_t
postfix_run(const char *const *argv, FILE **fp, char *err, size_t errlen)
{
	int fds[2] = { -1, -1 };
	pid_t pid;

	if (fp != NULL && pipe(fds) == -1) {
		snprintf(err, errlen, "pipe: %m");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %m");
		if (fp != NULL) {
			close(fds[0]);
			close(fds[1]);
		}
		return -1;
	}
	if (pid == 0) {
		if (fp != NULL) {
			close(fds[0]);
			if (dup2(fds[1], STDOUT_FILENO) == -1)
				_exit(127);
			close(fds[1]);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: cannot run: %m\n", argv[0]);
		_exit(127);
	}
	if (fp != NULL) {
		close(fds[1]);
		if ((*fp = fdopen(fds[0], "r")) == NULL) {
			snprintf(err, errlen, "fdopen: %m");
			close(fds[0]);
			(void)waitpid(pid, NULL, 0);
			return -1;
		}
	}
	return pid;
}

int
postfix_reap(pid_t pid, const char *prog, char *err, size_t errlen)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %m");
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "%s exited with status %d%s", prog,
		    WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
		    " (not found in PATH?)" : "");
	else
		snprintf(err, errlen, "%s killed by signal %d", prog,
		    WTERMSIG(status));
	return -1;
}

FILE *
postcat_run(const char *queue_id, const char *config_dir, pid_t *pid,
    char *err, size_t errlen)
{
	const char *argv[6];
	FILE *fp;
	int i = 0;

	if (!postfix_queue_id_ok(queue_id)) {
		snprintf(err, errlen, "%.80s: not a Postfix queue id "
		    "(letters and digits)", queue_id);
		return NULL;
	}
	argv[i++] = "postcat";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = "-q";
	argv[i++] = queue_id;
	argv[i] = NULL;
	if ((*pid = postfix_run(argv, &fp, err, errlen)) == -1)
		return NULL;
	return fp;
}

int
postcat_wait(FILE *fp, pid_t pid, char *err, size_t errlen)
{
	fclose(fp);
	return postfix_reap(pid, "postcat", err, errlen);
}
