/*
 * msgfix.c - messages inside messages for the MIME and attachment tests
 * (see msgfix.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgfix.h"

static const char *const names[MSGFIX_NFORMS] = {
	"message/rfc822", "message/rfc822 base64",
	"message/rfc822 quoted-printable", "message/global",
	"message/global base64", "message/news",
	".eml as application/octet-stream", "a message by content only",
};

const char *
msgfix_form_name(enum msgfix_form f)
{
	return names[f];
}

/* printf into a new string. */
static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

char *
msgfix_base64(const void *data, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	const unsigned char *d = data;
	char *s = malloc(n / 3 * 4 + n / 57 * 2 + 16), *o = s;
	size_t i, col = 0;

	assert_non_null(s);
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ?
		    (unsigned)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);

		*o++ = al[v >> 18 & 63];
		*o++ = al[v >> 12 & 63];
		*o++ = i + 1 < n ? al[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? al[v & 63] : '=';
		if ((col += 4) == 76 || i + 3 >= n) {
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
		}
	}
	*o = '\0';
	return s;
}

/* Quoted-printable of a text with short lines: only '=' needs it. */
static char *
qp(const char *t)
{
	char *s = malloc(strlen(t) * 3 + 1), *o = s;

	assert_non_null(s);
	for (; *t != '\0'; t++)
		if (*t == '=') {
			memcpy(o, "=3D", 3);
			o += 3;
		} else
			*o++ = *t;
	*o = '\0';
	return s;
}

char *
msgfix_inner(const char *from_line)
{
	unsigned char exe[64];
	char *b, *m;

	memset(exe, 0, sizeof(exe));
	memcpy(exe, "MZ", 2);
	b = msgfix_base64(exe, sizeof(exe));
	m = fmt("%s\r\nTo: d@example.net\r\nSubject: inner\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n"
	    "--in\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
	    "--in\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n"
	    "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s--in--\r\n",
	    from_line != NULL ? from_line : "From: c@example.net", b);
	free(b);
	return m;
}

char *
msgfix_wrap(enum msgfix_form f, const char *inner)
{
	const char *head = NULL;
	char *body, *m;

	switch (f) {
	case MSGFIX_PLAIN:
		head = "Content-Type: message/rfc822";
		break;
	case MSGFIX_QP:
		head = "Content-Type: message/rfc822\r\n"
		    "Content-Transfer-Encoding: quoted-printable";
		break;
	case MSGFIX_BASE64:
		head = "Content-Type: message/rfc822\r\n"
		    "Content-Transfer-Encoding: base64";
		break;
	case MSGFIX_GLOBAL:
		head = "Content-Type: message/global\r\n"
		    "Content-Transfer-Encoding: 8bit";
		break;
	case MSGFIX_GLOBAL_BASE64:
		head = "Content-Type: message/global\r\n"
		    "Content-Transfer-Encoding: base64";
		break;
	case MSGFIX_NEWS:
		head = "Content-Type: message/news";
		break;
	case MSGFIX_EML:
		head = "Content-Type: application/octet-stream; "
		    "name=\"fwd.eml\"\r\nContent-Disposition: attachment; "
		    "filename=\"fwd.eml\"\r\nContent-Transfer-Encoding: base64";
		break;
	case MSGFIX_CONTENT:
		head = "Content-Type: application/octet-stream; "
		    "name=\"scan001\"\r\nContent-Disposition: attachment; "
		    "filename=\"scan001\"\r\nContent-Transfer-Encoding: base64";
		break;
	default:
		fail_msg("form %d", (int)f);
	}
	if (f == MSGFIX_QP)
		body = qp(inner);
	else if (strstr(head, "base64") != NULL)
		body = msgfix_base64(inner, strlen(inner));
	else
		body = strdup(inner);
	assert_non_null(body);
	m = fmt("From: a@example.org\r\nTo: b@example.com\r\nSubject: fwd\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"out%zu\"\r\n\r\n"
	    "--out%zu\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n"
	    "--out%zu\r\n%s\r\n\r\n%s\r\n--out%zu--\r\n", strlen(inner),
	    strlen(inner), strlen(inner), head, body, strlen(inner));
	free(body);
	return m;
}

char *
msgfix_chain(enum msgfix_form f, unsigned levels, const char *from_line)
{
	char *m = msgfix_inner(from_line), *n;

	while (levels-- > 0) {
		n = msgfix_wrap(f, m);
		free(m);
		m = n;
	}
	return m;
}

char *
msgfix_groups(unsigned n)
{
	char *s = malloc(2 * (size_t)n + 32);
	size_t o;
	unsigned i;

	assert_non_null(s);
	o = (size_t)sprintf(s, "From: ");
	for (i = 0; i < n; i++, o += 2)
		memcpy(s + o, "g:", 2);
	strcpy(s + o, "x@example.net;");
	return s;
}
