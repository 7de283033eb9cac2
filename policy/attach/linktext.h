/*
 * linktext.h - URLs written in text, and passwords given in it.
 *
 * A text (a text/plain body, the character data of an HTML page) is fed
 * in pieces of any size; it is cut into tokens at white space and every
 * token that starts with a scheme ("http://", "https://", "ftp://") or
 * "www." goes to links_add as LINK_TEXT, cut at the characters that end
 * a URL in running text (<>"' and trailing punctuation).  A password
 * word ("password", "Passwort", "mot de passe", "contraseña", "пароль",
 * ... in the languages of the senders we see) followed within a few
 * words by ':' or "is" and a value sets found_password: with an
 * encrypted archive in the same message it is the classic way to get a
 * program past a scanner (linkcheck.c).
 * Caps: tokens longer than LINKTEXT_WINDOW are cut (LINK_LONG); the
 * caller bounds the bytes fed.  No allocation besides links_add.
 */
#ifndef RW_LINKTEXT_H
#define RW_LINKTEXT_H

#include <stddef.h>

struct arena;
struct attach_results;

#define LINKTEXT_WINDOW	8192

struct linktext {
	struct attach_results *out;
	struct arena *a;
	const char *where;
	unsigned flags;			/* added to every link (enum
					   link_flag) */
	unsigned kind;			/* recorded as (enum link_kind):
					   LINK_TEXT unless the caller
					   sets it after linktext_init */
	int passwords;			/* look for passwords too */
	int found_password;
	int want_value;			/* a password word just seen */
	int failed;			/* out of memory */
	size_t len;
	char buf[LINKTEXT_WINDOW];
};

void linktext_init(struct linktext *, struct attach_results *,
    struct arena *, const char *where, unsigned flags, int passwords);
/* 0, or -1 when out of memory. */
int linktext_feed(struct linktext *, const char *, size_t);
/* Scans what is left.  0 or -1. */
int linktext_end(struct linktext *);

#endif
