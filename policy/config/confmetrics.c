/*
 * confmetrics.c - the settings of the Prometheus endpoint (issue 14 item
 * 2): metrics_listen's syntax and the loopback rule.
 *
 * Exports config_metrics_parse (config.h), confmetrics_check_listen and
 * confmetrics_check (configtab.h).  Pure functions, no state.
 *
 * metrics_listen: "" (off, the default), "PORT" (127.0.0.1:PORT),
 * "IPV4:PORT" or "[IPV6]:PORT".  Counters say how much mail arrives and
 * what is held: an address outside loopback is refused unless
 * metrics_allow_remote = true says it is meant (the endpoint has no
 * authentication; put it behind a firewall or a TLS proxy).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/net.h"
#include "config/config.h"
#include "config/configtab.h"

static int
parse_port(const char *p, unsigned *port)
{
	unsigned long v;
	char *end;

	if (*p < '0' || *p > '9' || strlen(p) > 5)
		return -1;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
config_metrics_parse(const char *listen, struct net_addr *addr,
    unsigned *port)
{
	char host[64];
	const char *colon;
	size_t n;

	if (strchr(listen, ':') == NULL) {
		if (parse_port(listen, port) == -1)
			return -1;
		return net_parse_addr("127.0.0.1", addr);
	}
	if (listen[0] == '[') {
		if ((colon = strstr(listen, "]:")) == NULL)
			return -1;
		colon++;
	} else if ((colon = strchr(listen, ':')) != strrchr(listen, ':'))
		return -1;		/* IPv6 needs its brackets */
	n = (size_t)(colon - listen);
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, listen, n);
	host[n] = '\0';
	if (parse_port(colon + 1, port) == -1 || net_parse_addr(host, addr) ==
	    -1)
		return -1;
	/* net_parse_addr also takes "IPv6:..." (Received headers): not
	 * here, where brackets are the one IPv6 form. */
	if (addr->family == AF_INET6 && listen[0] != '[')
		return -1;
	if (addr->family == AF_INET && listen[0] == '[')
		return -1;
	return 0;
}

int
confmetrics_check_listen(const struct loadctx *ctx, char **value,
    char *err, size_t errlen)
{
	struct net_addr a;
	unsigned port;
	char *full;

	if (**value == '\0')
		return 0;
	if (config_metrics_parse(*value, &a, &port) == -1) {
		snprintf(err, errlen, "\"%.80s\": want \"PORT\", "
		    "\"ADDRESS:PORT\" or \"[IPV6]:PORT\" (port 1-65535)",
		    *value);
		return -1;
	}
	if (strchr(*value, ':') != NULL)
		return 0;
	/* A bare port: written out, so the dump says where it listens. */
	if ((full = malloc(strlen(*value) + 11)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(full, strlen(*value) + 11, "127.0.0.1:%s", *value);
	free(*value);
	*value = full;
	return 0;
}

int
confmetrics_check(const struct config *c, char *err, size_t errlen)
{
	struct net_addr a;
	unsigned port;

	if (c->metrics_listen[0] == '\0' || c->metrics_allow_remote)
		return 0;
	if (config_metrics_parse(c->metrics_listen, &a, &port) == 0 &&
	    net_is_loopback(&a))
		return 0;
	snprintf(err, errlen, "\"%.80s\" is not a loopback "
	    "address: the endpoint has no authentication; set "
	    "metrics_allow_remote = true if it is meant", c->metrics_listen);
	return -1;
}
