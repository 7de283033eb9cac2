/*
 * confredis.c - the checks of the redis_* settings (state.h's server,
 * AUTH, Sentinel, key prefix), used by the settings table in config.c.
 *
 * Exports confredis_check_* (configtab.h, internal to the config module).
 * Pure functions over one string each; single-threaded like every load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/configtab.h"
#include "util/net.h"

/* An address or a host name. */
int
confredis_check_host(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	struct net_addr a;

	if (net_parse_addr(*value, &a) == 0 || net_hostname_valid(*value))
		return 0;
	snprintf(err, errlen, "\"%.80s\" is not an address or a host name",
	    *value);
	return -1;
}

/* "" or an absolute path that fits a sockaddr_un (108 bytes). */
int
confredis_check_socket(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (config_check_abspath(ctx, value, err, errlen) == -1)
		return -1;
	if (strlen(*value) >= 108) {
		snprintf(err, errlen, "a unix socket path has at most 107 "
		    "bytes");
		return -1;
	}
	return 0;
}

/* An ACL user or a Sentinel master name: 1..64 of [A-Za-z0-9._-], or ""
 * where the setting allows it (the user). */
int
confredis_check_word(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	size_t len = strlen(*value);

	if (len <= 64 && strspn(*value, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len)
		return 0;
	snprintf(err, errlen, "\"%.40s\": at most 64 letters, digits, "
	    "dots, dashes or underscores", *value);
	return -1;
}

int
confredis_check_password(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	const unsigned char *p;

	for (p = (const unsigned char *)*value; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "control characters are not "
			    "allowed");
			return -1;
		}
	if (strlen(*value) > 512) {
		snprintf(err, errlen, "at most 512 bytes");
		return -1;
	}
	return 0;
}

/* "host:port" or "[IPv6]:port". */
int
confredis_check_sentinel(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char host[256], *end;
	const char *colon, *h = *value;
	struct net_addr a;
	unsigned long port;
	size_t hlen;

	if ((colon = strrchr(h, ':')) == NULL)
		goto bad;
	hlen = (size_t)(colon - h);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	} else if (memchr(h, ':', hlen) != NULL)
		goto bad;		/* bare IPv6 needs brackets */
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (net_parse_addr(host, &a) == -1 && !net_hostname_valid(host))
		goto bad;
	if (colon[1] < '0' || colon[1] > '9')
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "\"%.80s\" is not \"host:port\" or "
	    "\"[IPv6]:port\"", *value);
	return -1;
}

/* Key prefix: no hash-tag braces and no SCAN glob characters. */
int
confredis_check_prefix(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	size_t len = strlen(*value);

	if (len <= 32 && strspn(*value, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._-") == len)
		return 0;
	snprintf(err, errlen, "at most 32 letters, digits or \":._-\"");
	return -1;
}
