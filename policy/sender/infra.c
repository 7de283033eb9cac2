/*
 * infra.c - a relay's sending infrastructure: forward-confirmed reverse
 * DNS (FCrDNS: the PTR name must resolve back to the address) reduced to
 * its organisational domain, else the address's network.
 *
 * Exports infra_identify, infra_ptr_name, infra_check_id.  No state; any
 * thread (the resolver and the PSL are shared and thread-safe).  Caps: INFRA_MAX_PTR
 * PTR names tried, INFRA_MAX_ADDRS addresses compared per name.
 * Why FCrDNS and not the PTR alone: whoever controls an address block
 * controls its PTR records and can claim any name; only a name whose own A
 * or AAAA records point back was published by the name's owner too.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "mail/orgdomain.h"
#include "dns/dns.h"
#include "sender/infra.h"
#include "util/net.h"

#define INFRA_MAX_PTR	4
#define INFRA_MAX_ADDRS	32

int
infra_ptr_name(const char *ip, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	struct net_addr a;
	const unsigned char *b;
	size_t o = 0;
	int i, n;

	if (net_parse_addr(ip, &a) == -1)
		return -1;
	if (a.family == AF_INET) {
		b = (const unsigned char *)&a.u.v4;
		n = snprintf(buf, buflen, "%u.%u.%u.%u.in-addr.arpa", b[3],
		    b[2], b[1], b[0]);
		return n > 0 && (size_t)n < buflen ? 0 : -1;
	}
	b = a.u.v6.s6_addr;
	if (buflen < 32 * 2 + sizeof("ip6.arpa"))
		return -1;
	for (i = 15; i >= 0; i--) {
		buf[o++] = hex[b[i] & 0x0f];
		buf[o++] = '.';
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = '.';
	}
	memcpy(buf + o, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* 1 when name has an A/AAAA record equal to addr. */
static int
confirms(struct dns_resolver *dns, struct dns_budget *budget,
    const char *name, const struct net_addr *addr)
{
	struct dns_reply *r;
	size_t i, want;
	int type, ok = 0;

	type = addr->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	want = addr->family == AF_INET ? 4 : 16;
	if (dns_query(dns, budget, name, type, &r) == -1)
		return 0;
	if (r->status == DNS_OK)
		for (i = 0; i < r->count && i < INFRA_MAX_ADDRS && !ok; i++)
			ok = r->rr[i].len == want && memcmp(r->rr[i].data,
			    addr->family == AF_INET ?
			    (const void *)&addr->u.v4 :
			    (const void *)&addr->u.v6, want) == 0;
	dns_reply_free(r);
	return ok;
}

static const char *
network(const struct net_addr *a, unsigned v4, unsigned v6,
    struct arena *ar)
{
	struct net_cidr c;
	char text[INET6_ADDRSTRLEN + 8], err[64];

	net_addr_format(a, text, sizeof(text) - 5);
	snprintf(text + strlen(text), 5, "/%u", a->family == AF_INET ? v4 :
	    v6);
	if (net_parse_cidr(text, &c, err, sizeof(err)) == -1)
		return NULL;
	net_cidr_format(&c, text, sizeof(text));
	return arena_printf(ar, "net:%s", text);
}

int
infra_identify(struct dns_resolver *dns, struct dns_budget *budget,
    const struct orgdomain *psl, const char *ip, unsigned v4_prefix,
    unsigned v6_prefix, struct arena *ar, struct infra *out)
{
	struct net_addr addr;
	struct dns_reply *r = NULL;
	char ptr[80], name[256];
	const char *org;
	size_t i;

	out->id = NULL;
	out->fcrdns = NULL;
	if (net_parse_addr(ip, &addr) == -1 ||
	    infra_ptr_name(ip, ptr, sizeof(ptr)) == -1)
		return -1;
	if (dns != NULL && psl != NULL &&
	    dns_query(dns, budget, ptr, DNS_T_PTR, &r) == 0 &&
	    r->status == DNS_OK) {
		for (i = 0; i < r->count && i < INFRA_MAX_PTR; i++) {
			if (dns_rr_name(&r->rr[i], 0, name, sizeof(name)) <
			    0 || !confirms(dns, budget, name, &addr))
				continue;
			if ((org = orgdomain_get(psl, name, ar)) == NULL)
				continue;
			out->fcrdns = arena_strdup(ar, name);
			out->id = arena_printf(ar, "org:%s", org);
			break;
		}
	}
	dns_reply_free(r);
	if (out->id == NULL)
		out->id = network(&addr, v4_prefix, v6_prefix, ar);
	return out->id == NULL ? -1 : 0;
}

int
infra_check_id(const struct orgdomain *psl, const char *id, unsigned v4,
    unsigned v6, char *err, size_t errlen)
{
	char norm[ORGDOMAIN_NAME_MAX + 1], why[128];
	const char *org, *p;
	struct net_cidr c;

	if (strncmp(id, "net:", 4) == 0) {
		if (strchr(id + 4, '/') == NULL) {
			snprintf(err, errlen, "%s: a network needs its prefix "
			    "length (net:ADDRESS/%u, IPv6 /%u)", id, v4, v6);
			return -1;
		}
		if (net_parse_cidr(id + 4, &c, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s: %s", id, why);
			return -1;
		}
		if (c.prefix != (c.addr.family == AF_INET ? v4 : v6)) {
			snprintf(err, errlen, "%s: relays are remembered by "
			    "their /%u network (infra_%s_prefix): a /%u never "
			    "matches", id, c.addr.family == AF_INET ? v4 : v6,
			    c.addr.family == AF_INET ? "v4" : "v6", c.prefix);
			return -1;
		}
		return 0;
	}
	if (strncmp(id, "org:", 4) == 0) {
		for (p = id + 4; *p != '\0' && (unsigned char)*p < 0x80; p++)
			;
		if (*p != '\0' || orgdomain_normalize(id + 4, norm) == -1 ||
		    strchr(norm, '.') == NULL) {
			snprintf(err, errlen, "%s: not a domain name (ASCII, "
			    "IDNs as xn--)", id);
			return -1;
		}
		if (psl == NULL)
			return 0;
		if ((org = orgdomain_of_normalized(psl, norm)) == NULL) {
			snprintf(err, errlen, "%s: a public suffix, not an "
			    "organisation", id);
			return -1;
		}
		if (strcmp(org, norm) != 0) {
			snprintf(err, errlen, "%s: relays are remembered by "
			    "their organisational domain: use org:%s", id, org);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "%s: an infrastructure is org:DOMAIN or "
	    "net:ADDRESS/PREFIX", id);
	return -1;
}
