/*
 * url.c - URL host extraction and normalisation (see url.h).
 *
 * Exports url_parse and url_ipv4.  No state; bounded by URL_MAX.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "attach/links.h"
#include "attach/url.h"
#include "util/hex.h"
#include "util/idna.h"

/* Path and query words of a sign-in page. */
static const char *const login_words[] = {
	"login", "logon", "log-in", "log_in", "signin", "sign-in",
	"sign_in", "password", "passwd", "verify", "oauth", "sso", "auth",
	"webmail", "owa/", "credential", "unlock", "validate", "session",
	"wp-admin", "mfa", "2fa", "account",
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* One IPv4 part in the radix its prefix says; -1 when not a number. */
static long long
ipv4_part(const char *p, size_t n)
{
	unsigned base = 10;
	long long v = 0;
	size_t i = 0;
	int d;

	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n >= 2 && p[0] == '0') {
		base = 8;
		i = 1;
	}
	if (n - i > 32)			/* leading zeros aside, too long */
		return -1;
	for (; i < n; i++) {
		if ((d = hex_value((unsigned char)p[i])) < 0 ||
		    (unsigned)d >= base)
			return -1;
		v = v * base + d;
		if (v > 0xffffffffLL)
			return 0x100000000LL;	/* out of range, a number */
	}
	return v;
}

int
url_ipv4(const char *text, size_t len, char out[16])
{
	long long part[4], v;
	size_t i, start = 0, n = 0;
	unsigned long long addr = 0;

	if (len > 0 && text[len - 1] == '.')	/* "1.2.3.4." */
		len--;
	if (len == 0)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '.')
			continue;
		if (n == 4 || i == start)
			return 0;
		if ((v = ipv4_part(text + start, i - start)) < 0)
			return 0;
		part[n++] = v;
		start = i + 1;
	}
	for (i = 0; i + 1 < n; i++) {
		if (part[i] > 255)
			return 0;
		addr = addr << 8 | (unsigned long long)part[i];
	}
	if ((unsigned long long)part[n - 1] >= 1ULL << (8 * (5 - n)))
		return 0;
	addr = addr << (8 * (5 - n)) | (unsigned long long)part[n - 1];
	(void)snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(addr >> 24) & 255,
	    (unsigned)(addr >> 16) & 255, (unsigned)(addr >> 8) & 255,
	    (unsigned)addr & 255);
	return 1;
}

/* Percent-decodes s[0..n) into out (n + 1 bytes); its length. */
static size_t
unpercent(const char *s, size_t n, char *out)
{
	size_t i, o = 0;
	int h, l;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (h = hex_value((unsigned char)s[i + 1])) >= 0 &&
		    (l = hex_value((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(h << 4 | l);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return o;
}

static void
host_set(struct url *u, const char *h, size_t n)
{
	char dec[URL_MAX + 1], v6[INET6_ADDRSTRLEN + 2];
	unsigned char bin[16];
	const char *why;
	size_t len;

	if (n == 0) {
		u->flags |= LINK_BADHOST;
		return;
	}
	len = unpercent(h, n, dec);
	if (dec[0] == '[') {
		if (len < 3 || dec[len - 1] != ']' || len - 2 >= sizeof(v6))
			goto bad;
		memcpy(v6, dec + 1, len - 2);
		v6[len - 2] = '\0';
		if (inet_pton(AF_INET6, v6, bin) != 1 ||
		    inet_ntop(AF_INET6, bin, v6, sizeof(v6)) == NULL)
			goto bad;
		(void)snprintf(u->host, sizeof(u->host), "[%s]", v6);
		u->flags |= LINK_IP;
		return;
	}
	if (memchr(dec, '\0', len) != NULL)
		goto bad;
	if (url_ipv4(dec, len, u->host)) {
		u->flags |= LINK_IP;
		return;
	}
	if (idna_domain_ascii(dec, len, u->host, sizeof(u->host), &why) > 0)
		return;
bad:
	u->host[0] = '\0';
	u->flags |= LINK_BADHOST;
}

static int
special(const char *scheme)
{
	return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
	    strcmp(scheme, "ftp") == 0 || strcmp(scheme, "ws") == 0 ||
	    strcmp(scheme, "wss") == 0;
}

int
url_login(const char *s, size_t len)
{
	char low[512];
	size_t i, k, p = 0;

	/* Past the scheme; the first 511 bytes of host and path: a sign-in
	 * page says so early, past that is tracking noise. */
	for (i = 0; i + 2 < len && i < 16; i++)
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
			p = i + 3;
			break;
		}
	for (i = p, k = 0; i < len && k < sizeof(low) - 1; i++)
		low[k++] = (char)lower((unsigned char)s[i]);
	low[k] = '\0';
	for (i = 0; i < sizeof(login_words) / sizeof(login_words[0]); i++)
		if (strstr(low, login_words[i]) != NULL)
			return 1;
	return 0;
}

void
url_parse(const char *s, size_t len, struct url *u)
{
	char buf[URL_MAX + 1];
	size_t i, n = 0, p, end, at, colon;
	int sp;

	memset(u, 0, sizeof(*u));
	while (len > 0 && (unsigned char)*s <= ' ') {
		s++;
		len--;
	}
	while (len > 0 && (unsigned char)s[len - 1] <= ' ')
		len--;
	if (len > URL_MAX) {
		len = URL_MAX;
		u->flags |= LINK_LONG;
	}
	for (i = 0; i < len; i++)
		if (s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			buf[n++] = s[i];
	buf[n] = '\0';

	/* scheme ":" */
	for (p = 0; p < n && p < sizeof(u->scheme) - 1 &&
	    ((buf[p] >= 'a' && buf[p] <= 'z') ||
	    (buf[p] >= 'A' && buf[p] <= 'Z') ||
	    (p > 0 && ((buf[p] >= '0' && buf[p] <= '9') || buf[p] == '+' ||
	    buf[p] == '-' || buf[p] == '.'))); p++)
		u->scheme[p] = (char)lower((unsigned char)buf[p]);
	if (p > 0 && p < n && buf[p] == ':') {
		u->scheme[p] = '\0';
		p++;
		if (strcmp(u->scheme, "javascript") == 0 ||
		    strcmp(u->scheme, "vbscript") == 0 ||
		    strcmp(u->scheme, "data") == 0) {
			u->flags |= LINK_SCRIPT;
			return;
		}
		if (!(sp = special(u->scheme)))
			return;		/* mailto:, tel:, cid:, ... */
		while (p < n && (buf[p] == '/' || buf[p] == '\\'))
			p++;
	} else {
		u->scheme[0] = '\0';
		sp = 1;
		if (n >= 2 && (buf[0] == '/' || buf[0] == '\\') &&
		    (buf[1] == '/' || buf[1] == '\\'))
			p = 2;
		else if (n >= 4 && strncasecmp(buf, "www.", 4) == 0)
			p = 0;
		else {
			u->flags |= LINK_RELATIVE;
			return;
		}
	}
	for (end = p; end < n && buf[end] != '/' && buf[end] != '?' &&
	    buf[end] != '#' && !(sp && buf[end] == '\\'); end++)
		;
	for (at = end; at > p && buf[at - 1] != '@'; at--)
		;
	if (at > p) {
		u->flags |= LINK_USERINFO;
		p = at;
	}
	/* the port: the last ':' outside an IPv6 literal */
	for (colon = end; colon > p && buf[colon - 1] != ':' &&
	    buf[colon - 1] != ']'; colon--)
		;
	if (colon > p && buf[colon - 1] == ':')
		end = colon - 1;
	host_set(u, buf + p, end - p);
}
