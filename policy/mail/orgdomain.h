/*
 * orgdomain.h - organisational domains (RFC 7489 3.2) from the Public
 * Suffix List (libpsl, Debian's publicsuffix list): the one answer to
 * "which organisation does this name belong to", used by DMARC
 * alignment, the sender history key, relay organisations, lookalikes and
 * identity claims.  Built with every config generation, whatever is
 * switched on (it never depended on DMARC being enabled).
 *
 * Thread rule: a struct orgdomain is immutable after orgdomain_new and
 * shared by any number of threads (libpsl lookups only read it).
 */
#ifndef RW_ORGDOMAIN_H
#define RW_ORGDOMAIN_H

#include <stddef.h>

struct arena;
struct orgdomain;

#define ORGDOMAIN_NAME_MAX	253	/* text form, no root dot */

/* Loads the list (NULL: the build's default, configure
 * --with-psl-file; its compiled form when there is one, see
 * orgdomain_compiled), or shares the one loaded already from the same file
 * (device, inode, size and modification time: a list changed since is
 * loaded anew).  Caller frees with orgdomain_free(); NULL with a
 * one-line reason in err. */
struct orgdomain *orgdomain_new(const char *file, char *err, size_t errlen);
void orgdomain_free(struct orgdomain *);

/* 1 when orgdomain_new(file) reads the compiled form of file (FILE.dafsa
 * next to FILE.dat, as new or newer: the same rules, 54 KB instead of
 * 1.5 MB parsed), else 0 (tests, diagnostics). */
int orgdomain_compiled(const char *file);

/* 1 when a and b use one loaded list (tests, diagnostics), else 0. */
int orgdomain_shares_list(const struct orgdomain *a,
    const struct orgdomain *b);

/* Copies a domain name into buf (ORGDOMAIN_NAME_MAX + 1 bytes) lower
 * case, without one trailing dot.  0, or -1 when it is not a domain name:
 * empty, too long, an empty label or one over 63 bytes, a byte other
 * than a letter, digit, '-', '_' or UTF-8 (>= 0x80); "example.net>" is
 * not a domain. */
int orgdomain_normalize(const char *in, char *buf);

/* The organisational domain of a name orgdomain_normalize wrote:
 * borrows, a pointer into norm; NULL when it is a public suffix (or od
 * is NULL). */
const char *orgdomain_of_normalized(const struct orgdomain *od,
    const char *norm);

/* Organisational domain of any name (lower case, arena memory), or NULL
 * when the name is a public suffix, not a domain, or out of memory. */
const char *orgdomain_get(const struct orgdomain *od, const char *domain,
    struct arena *);

/* 1 when two names are the same or share an organisational domain
 * (DMARC's relaxed alignment), else 0; a public suffix matches only
 * itself. */
int orgdomain_same(const struct orgdomain *od, const char *a,
    const char *b);

/* 1 when the top label of domain is listed (the list's own rules, not
 * its implicit "*"): "bank.example" no, "bank.com" and "bank.xn--p1ai"
 * yes, "report.pdf" no.  For text that may or may not name a domain. */
int orgdomain_known_suffix(const struct orgdomain *od, const char *domain);

#endif
