/*
 * addr.h - RFC 5322 address headers (From, Reply-To, Sender) and RFC 5321
 * envelope paths: the parts the checks need, from untrusted text.
 * Pure functions; results in arena memory.
 */
#ifndef RW_ADDR_H
#define RW_ADDR_H

#include <stddef.h>

struct arena;

struct addr_mailbox {
	const char *display;		/* decoded display name or NULL */
	const char *local;		/* local part (unquoted) */
	const char *domain;		/* lower case, no trailing dot */
};

struct addr_list {
	size_t count;
	struct addr_mailbox *boxes;
};

/* Parses a mailbox-list header value (comments, quoted strings, groups,
 * obsolete routes).  0 with out filled; -1 when the value holds no
 * well-formed mailbox (e.g. "user@example.net>" is malformed, not the
 * domain "example.net>"). */
int addr_parse_list(const char *value, struct arena *, struct addr_list *out);

/* The domain of an envelope path ("<a@b>", "a@b", "<>" -> ""), lower
 * case; NULL when malformed. */
const char *addr_path_domain(const char *path, struct arena *);

/* The address without angle brackets ("" for the null path); NULL when
 * malformed. */
const char *addr_path_strip(const char *path, struct arena *);

/* 1 when domain is a syntactically valid DNS name (LDH labels <= 63,
 * total <= 253, at least two labels), else 0. */
int addr_domain_valid(const char *domain);

#endif
