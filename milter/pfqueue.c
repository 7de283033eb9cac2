/*
 * pfqueue.c - postqueue -j and postsuper for relaywarden-quarantine
 * (pfqueue.h).  Exports pfqueue_valid_id, pfqueue_held, pfqueue_super.
 * Single-threaded (the tool).  The only other exec of the tree is
 * postcat.c; tests/layout/check-noexec.sh names both, and the daemon
 * links neither.
 *
 * postqueue -j prints one JSON object per message (Postfix 3.1+):
 * {"queue_name": "hold", "queue_id": "4F2A1B3C", "arrival_time": 1700000000,
 *  "message_size": 512, "sender": "...", "recipients": [ ... ], ...}.
 * Only queue_name, queue_id and arrival_time are read here; the envelope
 * comes from the queue file itself (postcat), which postqueue summarises.
 * Caps: a line of at most 1 MB (a longer one is an error: postqueue
 * writes no such line for a sane queue), PFQUEUE_MAX_HELD items.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <unistd.h>

#include "pfqueue.h"
#include "postcat.h"

#define LINE_MAX_BYTES	(1024 * 1024)
#define JSON_DEPTH	8		/* postqueue -j nests 3 deep */

int
pfqueue_valid_id(const char *id)
{
	return postfix_queue_id_ok(id);
}

/* A string member of o, or NULL. */
static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static char *
dup_or_empty(const char *s, int *failed)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		*failed = 1;
	return d;
}

/* One postqueue -j line, parsed by json-c (a maintained parser, not
 * ours; nesting capped): 1 held (it filled, strings malloc'd), 0 another
 * queue, -1 not postqueue's JSON, -2 out of memory. */
static int
parse_line(const char *line, size_t len, struct pfqueue_item *it)
{
	struct json_tokener *tok;
	json_object *o, *v, *r0;
	const char *id, *qname;
	size_t end;
	int rc = -1, failed = 0;

	memset(it, 0, sizeof(*it));
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL)
		return -2;
	o = json_tokener_parse_ex(tok, line, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object) ||
	    strspn(line + end, " \t\r\n") != len - end)
		goto out;
	id = jstr(o, "queue_id");
	qname = jstr(o, "queue_name");
	if (id == NULL || qname == NULL || !pfqueue_valid_id(id))
		goto out;
	rc = 0;
	if (strcmp(qname, "hold") != 0)
		goto out;
	snprintf(it->id, sizeof(it->id), "%s", id);
	if (json_object_object_get_ex(o, "arrival_time", &v) &&
	    json_object_is_type(v, json_type_int))
		it->arrival = (time_t)json_object_get_int64(v);
	it->sender = dup_or_empty(jstr(o, "sender"), &failed);
	if (json_object_object_get_ex(o, "recipients", &v) &&
	    json_object_is_type(v, json_type_array)) {
		it->nrcpts = json_object_array_length(v);
		if (it->nrcpts > 0 && (r0 = json_object_array_get_idx(v, 0)) !=
		    NULL && json_object_is_type(r0, json_type_object) &&
		    jstr(r0, "address") != NULL)
			it->recipient = dup_or_empty(jstr(r0, "address"),
			    &failed);
	}
	rc = failed ? -2 : 1;
	if (failed)
		pfqueue_item_clear(it);
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

void
pfqueue_item_clear(struct pfqueue_item *it)
{
	free(it->sender);
	free(it->recipient);
	it->sender = it->recipient = NULL;
}

void
pfqueue_items_free(struct pfqueue_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pfqueue_item_clear(&items[i]);
	free(items);
}

int
pfqueue_held(const char *config_dir, struct pfqueue_item **out,
    size_t *n, unsigned long *lost, char *err, size_t errlen)
{
	const char *argv[5];
	struct pfqueue_item *items = NULL, *bigger, it;
	size_t cap = 0, lcap = 0, lineno = 0;
	char *line = NULL, err2[256];
	ssize_t len;
	int i = 0, r, rc = 0;
	FILE *fp;
	pid_t pid;

	*out = NULL;
	*n = 0;
	*lost = 0;
	argv[i++] = "postqueue";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = "-j";
	argv[i] = NULL;
	if ((pid = postfix_run(argv, &fp, err, errlen)) == -1)
		return -1;
	while ((len = getline(&line, &lcap, fp)) != -1) {
		lineno++;
		if (rc == -1)
			continue;	/* read on: no SIGPIPE for postqueue */
		if ((size_t)len > LINE_MAX_BYTES || memchr(line, '\0',
		    (size_t)len) != NULL || (r = parse_line(line, (size_t)len,
		    &it)) == -1) {
			snprintf(err, errlen, "postqueue -j: line %zu is not "
			    "a queue entry", lineno);
			rc = -1;
		} else if (r == -2) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else if (r == 1 && *n == PFQUEUE_MAX_HELD) {
			(*lost)++;
			pfqueue_item_clear(&it);
		} else if (r == 1) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((bigger = realloc(items, cap *
				    sizeof(*items))) == NULL) {
					snprintf(err, errlen, "out of memory");
					pfqueue_item_clear(&it);
					rc = -1;
					continue;
				}
				items = bigger;
			}
			items[(*n)++] = it;
		}
	}
	free(line);
	fclose(fp);
	if (postfix_reap(pid, "postqueue", err2, sizeof(err2)) == -1 && rc == 0) {
		snprintf(err, errlen, "%s", err2);
		rc = -1;
	}
	if (rc == -1) {
		pfqueue_items_free(items, *n);
		*n = 0;
		return -1;
	}
	*out = items;
	return 0;
}

int
pfqueue_super(const char *config_dir, enum pfqueue_op op, const char *id,
    char *err, size_t errlen)
{
	const char *argv[7];
	int i = 0;
	pid_t pid;

	if (!pfqueue_valid_id(id)) {
		snprintf(err, errlen, "%.80s: not a Postfix queue id "
		    "(letters and digits)", id);
		return -1;
	}
	argv[i++] = "postsuper";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = op == PFQUEUE_RELEASE ? "-H" : "-d";
	argv[i++] = id;
	if (op == PFQUEUE_DELETE)
		argv[i++] = "hold";	/* never a message in another queue */
	argv[i] = NULL;
	if ((pid = postfix_run(argv, NULL, err, errlen)) == -1)
		return -1;
	return postfix_reap(pid, "postsuper", err, errlen);
}

int
pfqueue_deliver(const char *config_dir, const char *id, char *err,
    size_t errlen)
{
	const char *argv[6];
	int i = 0;
	pid_t pid;

	if (!pfqueue_valid_id(id)) {
		snprintf(err, errlen, "not a Postfix queue id");
		return -1;
	}
	argv[i++] = "postqueue";
	if (config_dir != NULL) {
		argv[i++] = "-c";
		argv[i++] = config_dir;
	}
	argv[i++] = "-i";
	argv[i++] = id;
	argv[i] = NULL;
	if ((pid = postfix_run(argv, NULL, err, errlen)) == -1)
		return -1;
	return postfix_reap(pid, "postqueue", err, errlen);
}
