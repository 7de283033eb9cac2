/*
 * net.c - IP addresses and CIDR networks: parse, match, format; the
 * syntax of host names, milter socket specs and DNS forwarders.
 *
 * Exports net_*.  Pure functions over caller memory; any thread.
 * Address text comes from the MTA, the config and Received headers
 * (untrusted): lengths are checked before copying, and only inet_pton's
 * strict forms are accepted (no "10.1", no zone ids).
 * An IPv4-mapped IPv6 address (::ffff:192.0.2.1, RFC 4291 2.5.5.2) is the
 * IPv4 host it maps: it matches IPv4 networks and an IPv4 address matches
 * ::ffff:0:0/96 networks.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util/net.h"

/* Longest text we parse: an IPv6 literal with the "[IPv6:" dress. */
#define NET_TEXT_MAX	(INET6_ADDRSTRLEN + 8)

int
net_parse_addr(const char *text, struct net_addr *out)
{
	char buf[NET_TEXT_MAX];
	size_t len;

	if (text == NULL)
		return -1;
	len = strlen(text);
	/* "[...]" as in Received headers and Postfix's client_addr */
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	/* RFC 5321 4.1.3 address literal tag */
	if (len > 5 && strncasecmp(text, "IPv6:", 5) == 0) {
		text += 5;
		len -= 5;
		if (memchr(text, ':', len) == NULL)
			return -1;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &out->u.v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

static unsigned
family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static const unsigned char *
addr_bytes(const struct net_addr *a)
{
	return a->family == AF_INET ? (const unsigned char *)&a->u.v4 :
	    (const unsigned char *)&a->u.v6;
}

/* Clears the bits past prefix. */
static void
mask_host(struct net_addr *a, unsigned prefix)
{
	unsigned char *b;
	unsigned i, nbytes;

	b = a->family == AF_INET ? (unsigned char *)&a->u.v4 :
	    (unsigned char *)&a->u.v6;
	nbytes = family_bits(a->family) / 8;
	for (i = 0; i < nbytes; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			b[i] = 0;
		else
			b[i] &= (unsigned char)(0xff << (8 - (prefix - 8 * i)));
	}
}

int
net_parse_cidr(const char *text, struct net_cidr *out, char *err,
    size_t errlen)
{
	char buf[NET_TEXT_MAX];
	const char *slash, *p;
	size_t len;
	unsigned long prefix;

	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "empty network");
		return -1;
	}
	slash = strchr(text, '/');
	len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (len == 0 || len >= sizeof(buf)) {
		snprintf(err, errlen, "\"%.60s\" is not an address/prefix",
		    text);
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	/* Only plain forms here: brackets belong to mail syntax. */
	if (inet_pton(AF_INET, buf, &out->addr.u.v4) == 1)
		out->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &out->addr.u.v6) == 1)
		out->addr.family = AF_INET6;
	else {
		snprintf(err, errlen, "\"%.60s\" is not an IP address", buf);
		return -1;
	}
	prefix = family_bits(out->addr.family);
	if (slash != NULL) {
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3 ||
		    strspn(p, "0123456789") != strlen(p)) {
			snprintf(err, errlen, "\"%.60s\": bad prefix length",
			    text);
			return -1;
		}
		prefix = strtoul(p, NULL, 10);
		if (prefix > family_bits(out->addr.family)) {
			snprintf(err, errlen,
			    "\"%.60s\": prefix length above %u", text,
			    family_bits(out->addr.family));
			return -1;
		}
	}
	out->prefix = (unsigned)prefix;
	mask_host(&out->addr, out->prefix);
	return 0;
}

static int
is_v4_mapped(const struct in6_addr *a)
{
	static const unsigned char pfx[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return memcmp(a->s6_addr, pfx, sizeof(pfx)) == 0;
}

/* 1 when the first bits of a and b agree. */
static int
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

int
net_cidr_match(const struct net_cidr *c, const struct net_addr *a)
{
	struct in6_addr mapped;
	const unsigned char *ab;

	if (c == NULL || a == NULL)
		return 0;
	if (c->addr.family == a->family)
		return prefix_equal(addr_bytes(&c->addr), addr_bytes(a),
		    c->prefix);
	if (c->addr.family == AF_INET && a->family == AF_INET6) {
		if (!is_v4_mapped(&a->u.v6))
			return 0;
		return prefix_equal(addr_bytes(&c->addr),
		    a->u.v6.s6_addr + 12, c->prefix);
	}
	if (c->addr.family == AF_INET6 && a->family == AF_INET) {
		/* The IPv4 host as its mapped form, against a v6 network
		 * such as ::ffff:10.0.0.0/104. */
		memset(&mapped, 0, sizeof(mapped));
		mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
		ab = addr_bytes(a);
		memcpy(mapped.s6_addr + 12, ab, 4);
		return prefix_equal(addr_bytes(&c->addr), mapped.s6_addr,
		    c->prefix);
	}
	return 0;
}

int
net_cidr_list_match(const struct net_cidr *list, size_t n,
    const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (net_cidr_match(&list[i], a))
			return 1;
	return 0;
}

void
net_addr_format(const struct net_addr *a, char *buf, size_t buflen)
{
	if (buflen == 0)
		return;
	if (a == NULL || (a->family != AF_INET && a->family != AF_INET6) ||
	    inet_ntop(a->family, addr_bytes(a), buf, (socklen_t)buflen) ==
	    NULL)
		buf[0] = '\0';
}

void
net_cidr_format(const struct net_cidr *c, char *buf, size_t buflen)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (buflen == 0)
		return;
	net_addr_format(&c->addr, a, sizeof(a));
	n = snprintf(buf, buflen, "%s/%u", a, c->prefix);
	if (n < 0 || (size_t)n >= buflen)
		buf[0] = '\0';		/* never a misleading half */
}

int
net_is_loopback(const struct net_addr *a)
{
	const unsigned char *b;

	if (a == NULL)
		return 0;
	if (a->family == AF_INET)
		return ((const unsigned char *)&a->u.v4)[0] == 127;
	if (a->family != AF_INET6)
		return 0;
	b = a->u.v6.s6_addr;
	if (is_v4_mapped(&a->u.v6))
		return b[12] == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->u.v6);
}

int
net_hostname_valid(const char *name)
{
	size_t len = 0, label = 0;
	const char *p;

	if (name == NULL)
		return 0;
	for (p = name; *p != '\0'; p++, len++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)*p) || *p == '-') ||
		    (label == 0 && *p == '-') || ++label > 63)
			return 0;
	}
	return len > 0 && len <= 253 && label > 0 && p[-1] != '-';
}

static int
parse_port(const char *p, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535 ? 0 : -1;
}

/* libmilter's smfi_setconn forms; "local:" and a missing "@ADDR" (all
 * interfaces) are refused so that the listening address is explicit. */
int
net_check_socket(const char *spec, char *err, size_t errlen)
{
	const char *v = spec, *at, *host;
	struct net_addr a;
	int v6;

	if (strncmp(v, "unix:", 5) == 0) {
		if (v[5] != '/') {
			snprintf(err, errlen, "unix socket path must be "
			    "absolute");
			return -1;
		}
		if (strlen(v + 5) >= 108) {	/* sizeof(sun_path) */
			snprintf(err, errlen, "unix socket path too long");
			return -1;
		}
		return 0;
	}
	v6 = strncmp(v, "inet6:", 6) == 0;
	if (!v6 && strncmp(v, "inet:", 5) != 0) {
		snprintf(err, errlen, "\"%.80s\": expected inet:PORT@ADDR, "
		    "inet6:PORT@ADDR or unix:/PATH", spec);
		return -1;
	}
	v += v6 ? 6 : 5;
	if ((at = strchr(v, '@')) == NULL) {
		snprintf(err, errlen, "\"%.80s\": expected %s:PORT@ADDR",
		    spec, v6 ? "inet6" : "inet");
		return -1;
	}
	if (parse_port(v, (size_t)(at - v)) == -1) {
		snprintf(err, errlen, "\"%.80s\": port must be 1 to 65535",
		    spec);
		return -1;
	}
	host = at + 1;
	if (net_parse_addr(host, &a) == 0) {
		if ((a.family == AF_INET6) != v6) {
			snprintf(err, errlen, "\"%.80s\": an IPv%c address "
			    "needs %s:", spec, v6 ? '4' : '6',
			    v6 ? "inet" : "inet6");
			return -1;
		}
		return 0;
	}
	if (!net_hostname_valid(host)) {
		snprintf(err, errlen, "\"%.80s\": \"%.80s\" is neither an "
		    "address nor a host name", spec, host);
		return -1;
	}
	return 0;
}

int
net_check_forwarder(const char *spec, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *at;
	struct net_addr a;
	size_t len;

	at = strchr(spec, '@');
	len = at != NULL ? (size_t)(at - spec) : strlen(spec);
	if (len >= sizeof(buf)) {
		snprintf(err, errlen, "\"%.80s\" is not addr[@port]", spec);
		return -1;
	}
	memcpy(buf, spec, len);
	buf[len] = '\0';
	/* libunbound wants the plain form: no brackets, no IPv6: tag */
	if (strpbrk(buf, "[I") != NULL || net_parse_addr(buf, &a) == -1) {
		snprintf(err, errlen, "\"%.80s\": \"%s\" is not an IP "
		    "address", spec, buf);
		return -1;
	}
	if (at != NULL && parse_port(at + 1, strlen(at + 1)) == -1) {
		snprintf(err, errlen, "\"%.80s\": port must be 1 to 65535",
		    spec);
		return -1;
	}
	return 0;
}
