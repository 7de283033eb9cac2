/*
 * msgfix.h - messages inside messages, built as text for the MIME and
 * attachment tests (issue 8 items 1 and 4): a forwarded message holding
 * an executable, wrapped in each form a reader opens as a message, and
 * the address header of 50,000 nested groups that overflowed GMime's
 * stack.  Every string is malloc'd; the caller frees it.
 */
#ifndef RW_MSGFIX_H
#define RW_MSGFIX_H

#include <stddef.h>

enum msgfix_form {
	MSGFIX_PLAIN,		/* message/rfc822, 7bit */
	MSGFIX_BASE64,		/* message/rfc822, base64 */
	MSGFIX_QP,		/* message/rfc822, quoted-printable */
	MSGFIX_GLOBAL,		/* message/global, 8bit */
	MSGFIX_GLOBAL_BASE64,	/* message/global, base64 */
	MSGFIX_NEWS,		/* message/news, 7bit */
	MSGFIX_EML,		/* fwd.eml as application/octet-stream */
	MSGFIX_CONTENT,		/* "scan001" as application/octet-stream:
				   a message by its content only */
	MSGFIX_NFORMS
};

/* The form's name, for failure messages. */
const char *msgfix_form_name(enum msgfix_form);

/* base64 of d[0..n) in lines of 76. */
char *msgfix_base64(const void *d, size_t n);

/* A message (CRLF) whose multipart body holds a text part and
 * "invoice.pdf", which is a DOS executable ("MZ"...); from_line, when
 * not NULL, replaces its From header line (no CRLF). */
char *msgfix_inner(const char *from_line);

/* inner as the second part of a new multipart message, in form f.  The
 * executable of msgfix_inner(NULL) sits at depth 3 of one wrap, two more
 * for each further wrap. */
char *msgfix_wrap(enum msgfix_form f, const char *inner);

/* msgfix_inner wrapped levels times in form f (frees as it goes). */
char *msgfix_chain(enum msgfix_form f, unsigned levels,
    const char *from_line);

/* "From: g:g:...x@example.net;" with groups nested n deep. */
char *msgfix_groups(unsigned n);

#endif
