/*
 * authresid.c - Authentication-Results headers that claim our authserv-id
 * (RFC 8601 5: we remove them), and whether a name may be our id.
 *
 * Exports authres_claims_id and authres_id_valid (pure).  Any thread; no
 * state.  Reading only: the header we write is authres.c (auth/).  Here
 * in mail/ because the message model counts the claiming headers as they
 * arrive and the config checks authserv_id, both below auth/.
 */
#include <stddef.h>
#include <string.h>

#include "mail/addr.h"
#include "mail/authresid.h"

/* RFC 8601 2.5: the authserv-id is a value (RFC 2045 token or quoted
 * string).  We write it bare, so it must be a token; we also want it to
 * look like a host name: dot-atom characters that are token characters,
 * no empty label.  This excludes spaces, ';', '(', '"', '@', '/', '='. */
int
authres_id_valid(const char *id)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-^_`{|}~.";
	size_t len;

	if (id == NULL || (len = strlen(id)) == 0)
		return 0;
	return len <= 255 && strspn(id, ok) == len && id[0] != '.' &&
	    id[len - 1] != '.' && strstr(id, "..") == NULL;
}

/* How a reader may take comments.  RFC 5322 3.2.2 nests them and honours
 * quoted-pairs inside; readers in the field do not all agree: Perl's
 * Mail::AuthenticationResults ends "(a\)" at its ')' (no quoted-pair),
 * simpler ones end a comment at the first ')' (no nesting).  A forger
 * writes for the reader that says "ours"; we remove what any of them
 * would read as ours. */
#define READ_NEST	ADDR_CFWS_NEST
#define READ_ESCAPE	ADDR_CFWS_ESCAPE
#define READ_RFC	ADDR_CFWS_RFC

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* An RFC 2045 token character (printable ASCII, no tspecial). */
static int
tokenchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) ==
	    NULL;
}

/* The word w (len bytes, quoted-pairs already removed when quoted) is id
 * (idlen bytes, its own trailing dot removed), case-insensitively, with
 * one trailing dot ignored (2.5). */
static int
same_id(const char *w, size_t len, const char *id, size_t idlen)
{
	size_t i;

	if (len == idlen + 1 && w[idlen] == '.')
		len--;
	if (len != idlen)
		return 0;
	for (i = 0; i < len; i++)
		if (lower((unsigned char)w[i]) != lower((unsigned char)id[i]))
			return 0;
	return 1;
}

/* One reading of the authserv-id (RFC 8601 2.2: [CFWS] authserv-id
 * [CFWS authres-version] then ';' or the end): 1 when the first token or
 * quoted string is id; 0 when it is another id and the rest up to ';'
 * is well formed; -1 when this reading cannot make sense of it. */
static int
read_id(const char *value, const char *id, size_t idlen, int how)
{
	const char *p = value, *w;
	size_t n = 0;

	if (addr_skip_cfws(&p, how) == -1)
		return -1;
	if (*p == '"') {
		/* Compared as the unescaped content, without copying. */
		for (p++, n = 0; *p != '"'; p++, n++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p == '\0')
				return -1;	/* unclosed */
			if (n > idlen + 1 || (n < idlen ? lower(
			    (unsigned char)*p) != lower((unsigned char)id[n]) :
			    n == idlen ? *p != '.' : 1))
				n = idlen + 2;	/* differs; read on */
		}
		p++;
		if (n == idlen || n == idlen + 1)
			return 1;
	} else {
		for (w = p; tokenchar((unsigned char)*p); p++)
			;
		if (p == w)
			return -1;	/* no id at all */
		if (same_id(w, (size_t)(p - w), id, idlen))
			return 1;
	}
	/* Another id: the rest before ';' must be CFWS and a version. */
	if (addr_skip_cfws(&p, how) == -1)
		return -1;
	if (*p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
		if (addr_skip_cfws(&p, how) == -1)
			return -1;
	}
	return *p == ';' || *p == '\0' ? 0 : -1;
}

/* Matches id (idlen bytes) at p, case-insensitively, reading "\c" as c
 * (a quoted-pair, wherever a reader might take one); *end is set past
 * the match.  1 or 0. */
static int
match_at(const unsigned char *p, const char *id, size_t idlen,
    const unsigned char **end)
{
	size_t i;

	for (i = 0; i < idlen; i++, p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (lower(*p) != lower((unsigned char)id[i]))
			return 0;
	}
	*end = p;
	return 1;
}

/* id appears in value as a word, quoted-pairs read as their character:
 * not preceded by a token character, and followed by none (or by one
 * dot and then none).  Bytes past ASCII count as separators here: this
 * is the reading of last resort. */
static int
word_anywhere(const char *value, const char *id, size_t idlen)
{
	const unsigned char *p = (const unsigned char *)value, *e;

	for (; *p != '\0'; p++) {
		if (p != (const unsigned char *)value && tokenchar(p[-1]))
			continue;
		if (!match_at(p, id, idlen, &e))
			continue;
		if (*e == '\\' && e[1] != '\0')
			e++;
		if (*e == '.') {
			e++;
			if (*e == '\\' && e[1] != '\0')
				e++;
		}
		if (!tokenchar(*e))
			return 1;
	}
	return 0;
}

/* RFC 8601 2.5 and 5: a header that claims our authserv-id is removed
 * before ours is added.  Conservative, because the reader that matters is
 * the one downstream, not ours: the value is ours when any reading of its
 * comments (nesting or not, quoted-pairs or not) finds our id first; and
 * when some reading cannot parse the part before the first ';' at all
 * (an unclosed comment or quoted string, stray text), it is ours as soon
 * as our id appears in it anywhere as a word.  A well-formed header of
 * another authserv-id is kept, whatever its comments or properties say. */
int
authres_claims_id(const char *value, const char *authserv_id)
{
	static const int readings[] = { READ_RFC, READ_NEST, READ_ESCAPE,
	    0 };
	size_t idlen, i;
	int r, malformed = 0;

	if (value == NULL || authserv_id == NULL ||
	    (idlen = strlen(authserv_id)) == 0)
		return 0;
	if (authserv_id[idlen - 1] == '.')
		idlen--;
	if (idlen == 0)
		return 0;
	for (i = 0; i < sizeof(readings) / sizeof(readings[0]); i++) {
		if ((r = read_id(value, authserv_id, idlen, readings[i])) == 1)
			return 1;
		if (r == -1)
			malformed = 1;
	}
	return malformed ? word_anywhere(value, authserv_id, idlen) : 0;
}
