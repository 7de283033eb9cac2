/*
 * statesentinel.h - asks Redis Sentinel where the master is (internal to
 * statepool.c).
 */
#ifndef RW_STATESENTINEL_H
#define RW_STATESENTINEL_H

#include <stddef.h>

struct deadline;
struct statepool_settings;

struct statesentinel_answer {
	size_t start;			/* in: the sentinel to ask first */
	size_t answered;		/* out: the one that answered */
	char host[256];			/* out: master address */
	unsigned port;
};

/* Asks the configured sentinels in turn, from a->start, SENTINEL
 * get-master-addr-by-name, each connect within the connect timeout and
 * all of it before d.  0
 * with a->host, a->port and a->answered; -1 with the last problem in
 * err when none answered with a usable address. */
int statesentinel_ask(const struct statepool_settings *,
    struct statesentinel_answer *a, struct deadline *d, char *err,
    size_t errlen);

/* Splits "host:port" or "[v6]:port" (checked by the config loader). 0,
 * or -1 when it does not parse. */
int statesentinel_split(const char *spec, char *host, size_t hostlen,
    unsigned *port);

#endif
