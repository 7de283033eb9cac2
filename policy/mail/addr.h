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
	const char *display;		/* display name or NULL; RFC 2047
					   encoded-words are NOT decoded yet
					   (kept as written) */
	const char *local;		/* local part (unquoted) */
	const char *domain;		/* lower case, no trailing dot; never
					   NULL; a domain literal is kept
					   with its brackets ("[192.0.2.1]"),
					   which addr_domain_valid rejects */
};

struct addr_list {
	size_t count;
	struct addr_mailbox *boxes;
};

/* Skips CFWS (RFC 5322 3.2.2: white space, folds and comments) at *pp.
 * how says how comments are read: ADDR_CFWS_RFC nests them and honours
 * quoted-pairs inside, as the RFC says; without ADDR_CFWS_NEST a comment
 * ends at its first ')', without ADDR_CFWS_ESCAPE a backslash is an
 * ordinary byte (readers in the field that do so: authresid.c).  0, or -1
 * on an unclosed comment (*pp then at the end). */
#define ADDR_CFWS_NEST		1
#define ADDR_CFWS_ESCAPE	2
#define ADDR_CFWS_RFC		(ADDR_CFWS_NEST | ADDR_CFWS_ESCAPE)
int addr_skip_cfws(const char **pp, int how);

/* Parses a mailbox-list header value (comments, quoted strings, groups,
 * obsolete routes).  0 with out filled; -1 when the value holds no
 * well-formed mailbox (e.g. "user@example.net>" is malformed, not the
 * domain "example.net>").  The whole value must parse: one malformed
 * element makes it -1, as does a value with only empty groups.  Linear
 * in the length of the value, whatever its nesting. */
int addr_parse_list(const char *value, struct arena *, struct addr_list *out);

/* The domain of an envelope path ("<a@b>", "a@b", "<>" -> ""), lower
 * case; NULL when malformed. */
const char *addr_path_domain(const char *path, struct arena *);

/* The address without angle brackets ("" for the null path); NULL when
 * malformed. */
const char *addr_path_strip(const char *path, struct arena *);

/* 1 when domain is a syntactically valid DNS name (LDH labels <= 63,
 * total <= 253, at least two labels, no trailing dot, top label not all
 * digits), else 0. */
int addr_domain_valid(const char *domain);

#endif
