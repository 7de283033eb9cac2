/*
 * statesentinel.c - Redis Sentinel master discovery for the sender state
 * pool: SENTINEL get-master-addr-by-name, asked of each configured
 * sentinel in turn until one answers.
 *
 * Exports statesentinel_ask, statesentinel_split.  Owns nothing past a
 * call (one short-lived hiredis context per sentinel asked, all of them
 * under the caller's one deadline).  Any thread; no shared state.
 * A sentinel's reply is untrusted: it must be an array of two short
 * strings, an address (or host name) and a port 1..65535.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "util/net.h"
#include "state/stateio.h"
#include "state/statepool.h"
#include "state/statesentinel.h"

int
statesentinel_split(const char *spec, char *host, size_t hostlen,
    unsigned *port)
{
	const char *colon = strrchr(spec, ':'), *h = spec;
	unsigned long v;
	size_t len;
	char *end;

	if (colon == NULL)
		return -1;
	len = (size_t)(colon - spec);
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
		h++;
		len -= 2;
	}
	if (len == 0 || len >= hostlen || colon[1] < '0' || colon[1] > '9')
		return -1;
	v = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (unsigned)v;
	return 0;
}

/* The master's address from one reply; 0 or -1. */
static int
parse_master(const redisReply *r, struct statesentinel_answer *a)
{
	const redisReply *h, *p;
	struct net_addr addr;
	char port[8], *end;
	unsigned long v;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2)
		return -1;
	h = r->element[0];
	p = r->element[1];
	if (h->type != REDIS_REPLY_STRING || p->type != REDIS_REPLY_STRING ||
	    h->len == 0 || h->len >= sizeof(a->host) || p->len == 0 ||
	    p->len >= sizeof(port) || memchr(h->str, '\0', h->len) != NULL)
		return -1;
	memcpy(a->host, h->str, h->len);
	a->host[h->len] = '\0';
	memcpy(port, p->str, p->len);
	port[p->len] = '\0';
	v = strtoul(port, &end, 10);
	if (*end != '\0' || port[0] < '0' || port[0] > '9' || v < 1 ||
	    v > 65535)
		return -1;
	if (net_parse_addr(a->host, &addr) == -1 &&
	    !net_hostname_valid(a->host))
		return -1;
	a->port = (unsigned)v;
	return 0;
}

/* Asks one sentinel; 0 or -1 with err. */
static int
ask_one(const struct statepool_settings *set, const char *spec,
    struct statesentinel_answer *a, struct deadline *d, char *err,
    size_t errlen)
{
	const char *argv[3];
	char host[256], why[200];
	unsigned port;
	redisContext *c;
	redisReply *r;
	int rc = -1;

	if (statesentinel_split(spec, host, sizeof(host), &port) == -1) {
		snprintf(err, errlen, "sentinel %.80s: bad address", spec);
		return -1;
	}
	if ((c = stateio_connect(host, port, "", set->connect_timeout_ms, d,
	    why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "sentinel %s: %s", spec, why);
		return -1;
	}
	if (*set->sentinel_password != '\0') {
		argv[0] = "AUTH";
		argv[1] = set->sentinel_password;
		redisAppendCommandArgv(c, 2, argv, NULL);
	}
	argv[0] = "SENTINEL";
	argv[1] = "get-master-addr-by-name";
	argv[2] = set->sentinel_master;
	redisAppendCommandArgv(c, 3, argv, NULL);
	if (*set->sentinel_password != '\0') {
		if (stateio_reply(c, d, set->max_reply_bytes, &r) != REDIS_OK)
			goto io;
		if (r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "sentinel %s: AUTH: %.*s", spec,
			    r->len > 120 ? 120 : (int)r->len, r->str);
			freeReplyObject(r);
			goto out;
		}
		freeReplyObject(r);
	}
	if (stateio_reply(c, d, set->max_reply_bytes, &r) != REDIS_OK)
		goto io;
	if (r->type == REDIS_REPLY_NIL)
		snprintf(err, errlen, "sentinel %s does not know master %s",
		    spec, set->sentinel_master);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(err, errlen, "sentinel %s: %.*s", spec,
		    r->len > 120 ? 120 : (int)r->len, r->str);
	else if (parse_master(r, a) == -1)
		snprintf(err, errlen, "sentinel %s: unusable reply", spec);
	else
		rc = 0;
	freeReplyObject(r);
	goto out;
io:
	snprintf(err, errlen, "sentinel %s: %s", spec, c->errstr);
out:
	redisFree(c);
	return rc;
}

int
statesentinel_ask(const struct statepool_settings *set,
    struct statesentinel_answer *a, struct deadline *d, char *err,
    size_t errlen)
{
	size_t i, idx;

	if (set->nsentinels == 0) {
		snprintf(err, errlen, "no sentinels configured");
		return -1;
	}
	for (i = 0; i < set->nsentinels; i++) {
		idx = (a->start + i) % set->nsentinels;
		if (ask_one(set, set->sentinels[idx], a, d, err, errlen) == 0) {
			a->answered = idx;
			return 0;
		}
	}
	return -1;
}
