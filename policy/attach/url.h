/*
 * url.h - one URL as a mail client or browser would follow it, reduced
 * to what the link rules compare: its host, normalised, and its tricks.
 *
 * Parsing follows what browsers do with hostile input (WHATWG URL
 * rather than RFC 3986 alone): leading and trailing C0 controls and
 * spaces are dropped, tabs and newlines inside are ignored, '\' counts
 * as '/' in http(s), the userinfo ends at the LAST '@' before the path,
 * the host is percent-decoded, mapped to A-labels (util/idna.h, UTS #46)
 * and lower-cased, one trailing dot dropped; an IPv4 host in any of the
 * notations browsers accept ("3232235777", "0xC0.0xA8.1.1", "0300.0250.1.1",
 * "192.168.257") is rewritten dotted-decimal and flagged LINK_IP.
 * Schemes: http, https, ftp, and scheme-less "www." or "//host" have a
 * host; javascript:, vbscript: and data: are LINK_SCRIPT; mailto:, tel:,
 * cid:, "#..." and others have no host (url->host "").
 * Pure functions over caller memory; any thread.
 */
#ifndef RW_URL_H
#define RW_URL_H

#include <stddef.h>

#define URL_MAX		4096		/* bytes of a URL looked at */
#define URL_HOST_MAX	253

struct url {
	char host[URL_HOST_MAX + 3];	/* "" when none; "[v6]" for IPv6 */
	char scheme[16];		/* lower case, "" when none */
	unsigned flags;			/* enum link_flag (links.h) */
};

/* Parses s[0..len) into *u.  Always succeeds: what it cannot read gives
 * an empty host (and LINK_BADHOST when there was a host to read). */
void url_parse(const char *s, size_t len, struct url *u);

/* 1 when the URL's host, path or query reads like a sign-in page
 * (LINK_LOGIN: login, signin, password, verify, oauth, ...). */
int url_login(const char *s, size_t len);

/* 1 when text[0..len) is an IPv4 address in a notation a browser takes
 * (see above), with the dotted form in out (16 bytes). */
int url_ipv4(const char *text, size_t len, char out[16]);

#endif
