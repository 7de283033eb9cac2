/*
 * net.h - IP addresses and networks (CIDR), parsed and matched; host
 * name, milter socket and forwarder syntax.
 * Pure functions, no state; safe from any thread.
 */
#ifndef RW_NET_H
#define RW_NET_H

#include <stddef.h>
#include <netinet/in.h>

struct net_addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

struct net_cidr {
	struct net_addr addr;		/* host bits cleared */
	unsigned prefix;		/* 0..32 or 0..128 */
};

/* Parses "192.0.2.1", "2001:db8::1", "[2001:db8::1]" and "IPv6:2001:db8::1"
 * (the address literal forms seen in Received headers).  0 or -1. */
int net_parse_addr(const char *text, struct net_addr *out);

/* Parses "192.0.2.0/24", "2001:db8::/32" or a bare address (full prefix).
 * 0 or -1 with a reason in err. */
int net_parse_cidr(const char *text, struct net_cidr *out, char *err,
    size_t errlen);

/* 1 when addr is inside cidr (an IPv4-mapped IPv6 address matches the
 * IPv4 network), else 0. */
int net_cidr_match(const struct net_cidr *, const struct net_addr *);

/* 1 when addr matches any of n networks. */
int net_cidr_list_match(const struct net_cidr *, size_t n,
    const struct net_addr *);

/* Textual form into buf (at least INET6_ADDRSTRLEN + 4 bytes for CIDR). */
void net_addr_format(const struct net_addr *, char *buf, size_t buflen);
void net_cidr_format(const struct net_cidr *, char *buf, size_t buflen);

/* 1 for loopback (127/8, ::1), else 0. */
int net_is_loopback(const struct net_addr *);

/* 1 when name is a host name: LDH labels of 1..63 bytes, <= 253 in all,
 * a single label allowed, no trailing dot; else 0. */
int net_hostname_valid(const char *name);

/* Checks a milter socket spec: "inet:PORT@ADDR" (IPv4 address or host
 * name), "inet6:PORT@ADDR" or "unix:/absolute/path".  0, or -1 with the
 * problem in err (for -p overrides as well as the config). */
int net_check_socket(const char *spec, char *err, size_t errlen);

/* Checks a DNS forwarder "addr" or "addr@port" (plain IPv4 or IPv6
 * address, port 1..65535).  0, or -1 with the problem in err. */
int net_check_forwarder(const char *spec, char *err, size_t errlen);

#endif
