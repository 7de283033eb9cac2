/*
 * linktext.c - URLs and passwords in running text (see linktext.h).
 *
 * Exports linktext_*.  The window holds text not yet scanned; it is
 * scanned up to its last white space when full (a token is never split
 * unless it fills the window alone), and whole at the end.
 */
#include <string.h>
#include <strings.h>

#include "attach/links.h"
#include "attach/linktext.h"

/* Lower-case ASCII (and the Cyrillic capitals of "ПАРОЛЬ" are listed as
 * they are written): the word, then a connector and a value follow. */
static const char *const password_words[] = {
	"password", "passwort", "passwd", "pwd", "kennwort", "mot de passe",
	"contrase\xc3\xb1" "a", "contrasena", "senha", "wachtwoord",
	"l\xc3\xb6senord", "salasana", "has\xc5\x82o", "heslo",
	"jelsz\xc3\xb3", "parola", "adgangskode", "passord",
	"\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c",
	"\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c",
	"\xe5\xaf\x86\xe7\xa0\x81", "\xe3\x83\x91\xe3\x82\xb9\xe3\x83\xaf"
	"\xe3\x83\xbc\xe3\x83\x89",
};

#define NWORDS	(sizeof(password_words) / sizeof(password_words[0]))

/* What a byte is, for the loop over every byte (a table: prose costs a
 * few instructions a byte).  C_WORD: a byte a password word starts with,
 * in either case, and only in cls[0], the table for a byte that follows
 * no letter (a word starts there); C_NEXT: a byte some password word has
 * second, in either case; C_URL: ':' or '.', one of which every
 * URL we look for holds ("://" or "www."), so a token without them is
 * not searched. */
#define C_SPACE		1
#define C_LETTER	2		/* ASCII letter or any byte >= 0x80 */
#define C_WORD		4
#define C_URL		8
#define C_NEXT		16
#define CLASSES(w) { \
	['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE, \
	['\f'] = C_SPACE, ['\r'] = C_SPACE, [' '] = C_SPACE, ['.'] = C_URL, \
	[':'] = C_URL, ['A'] = C_LETTER | (w) | C_NEXT, ['B'] = C_LETTER, \
	['C'] = C_LETTER | (w), ['D' ... 'E'] = C_LETTER | C_NEXT, \
	['F' ... 'G'] = C_LETTER, ['H'] = C_LETTER | (w), ['I'] = C_LETTER, \
	['J' ... 'M'] = C_LETTER | (w), ['N'] = C_LETTER, \
	['O'] = C_LETTER | C_NEXT, ['P'] = C_LETTER | (w), \
	['Q' ... 'R'] = C_LETTER, ['S'] = C_LETTER | (w), \
	['T' ... 'V'] = C_LETTER, ['W'] = C_LETTER | (w) | C_NEXT, \
	['X' ... 'Z'] = C_LETTER, ['a'] = C_LETTER | (w) | C_NEXT, \
	['b'] = C_LETTER, ['c'] = C_LETTER | (w), \
	['d' ... 'e'] = C_LETTER | C_NEXT, ['f' ... 'g'] = C_LETTER, \
	['h'] = C_LETTER | (w), ['i'] = C_LETTER, \
	['j' ... 'm'] = C_LETTER | (w), ['n'] = C_LETTER, \
	['o'] = C_LETTER | C_NEXT, ['p'] = C_LETTER | (w), \
	['q' ... 'r'] = C_LETTER, ['s'] = C_LETTER | (w), \
	['t' ... 'v'] = C_LETTER, ['w'] = C_LETTER | (w) | C_NEXT, \
	['x' ... 'z'] = C_LETTER, [0x80 ... 0x82] = C_LETTER, \
	[0x83] = C_LETTER | C_NEXT, [0x84 ... 0x9e] = C_LETTER, \
	[0x9f] = C_LETTER | C_NEXT, [0xa0 ... 0xae] = C_LETTER, \
	[0xaf] = C_LETTER | C_NEXT, [0xb0 ... 0xbe] = C_LETTER, \
	[0xbf] = C_LETTER | C_NEXT, [0xc0 ... 0xc2] = C_LETTER, \
	[0xc3] = C_LETTER | C_NEXT, [0xc4 ... 0xcf] = C_LETTER, \
	[0xd0] = C_LETTER | (w), [0xd1 ... 0xe2] = C_LETTER, \
	[0xe3] = C_LETTER | (w), [0xe4] = C_LETTER, [0xe5] = C_LETTER | (w), \
	[0xe6 ... 0xff] = C_LETTER, \
}
static const unsigned char cls[2][256] = { CLASSES(C_WORD), CLASSES(0) };


/* Words after a connector that describe a password, not give one. */
static const char *const not_values[] = {
	"required", "incorrect", "invalid", "expired", "wrong", "reset",
	"changed", "needed", "protected", "the", "your", "not", "below",
};

static int
space(int c)
{
	return (cls[1][(unsigned char)c] & C_SPACE) != 0;
}

void
linktext_init(struct linktext *t, struct attach_results *out,
    struct arena *a, const char *where, unsigned flags, int passwords)
{
	memset(t, 0, sizeof(*t) - sizeof(t->buf));
	t->out = out;
	t->a = a;
	t->where = where;
	t->flags = flags;
	t->kind = LINK_TEXT;
	t->passwords = passwords;
}

/* One token that may be a URL. */
/* s starts a URL: a scheme we follow, or "www.". */
static int
url_start(const char *s, size_t n)
{
	return (n > 7 && strncasecmp(s, "http://", 7) == 0) ||
	    (n > 8 && strncasecmp(s, "https://", 8) == 0) ||
	    (n > 6 && strncasecmp(s, "ftp://", 6) == 0) ||
	    (n > 4 && strncasecmp(s, "www.", 4) == 0);
}

static int
alnum(int c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* The URLs in one token, wherever they start in it ("(see https://..",
 * "href=\"https://..", "a,https://b"). */
static void __attribute__((noinline))
token(struct linktext *t, const char *s, size_t n)
{
	size_t k = 0, e, len;
	int c;

	if (n < 8)
		return;
	while (k < n) {
		c = s[k] | 32;
		if (!((c == 'h' || c == 'f' || c == 'w') && url_start(s + k,
		    n - k) && (c != 'w' || k == 0 || !alnum(s[k - 1])))) {
			k++;
			continue;
		}
		for (e = k; e < n && s[e] != '<' && s[e] != '>' &&
		    s[e] != '"' && s[e] != '\'' && s[e] != '`'; e++)
			;
		len = e - k;
		while (len > 0 && strchr(".,;:!?)]}*", s[k + len - 1]) != NULL)
			len--;
		if (links_add(t->out, t->a, s + k, len, NULL, 0, t->kind,
		    t->flags | (len >= LINKTEXT_WINDOW ? LINK_LONG : 0),
		    t->where) == -1) {
			t->failed = 1;
			return;
		}
		k = e > k ? e : k + 1;
	}
}

/* After a password word at s[0..n): a connector, then a value. */
static int
gives_value(const char *s, size_t n)
{
	size_t i, j, v;

	for (i = 0; i < n && i < 40; i++)
		if (s[i] == ':' || s[i] == '=' || (i > 0 && space(s[i - 1]) &&
		    ((n - i > 3 && strncasecmp(s + i, "is", 2) == 0 &&
		    space(s[i + 2])) || (n - i > 4 &&
		    (strncasecmp(s + i, "ist", 3) == 0 ||
		    strncasecmp(s + i, "est", 3) == 0) && space(s[i + 3])))))
			break;
	if (i == n || i == 40)
		return 0;
	while (i < n && s[i] != ' ' && s[i] != '\t' && !space(s[i]) &&
	    s[i] != ':' && s[i] != '=')
		i++;		/* the rest of "is" / "ist" */
	while (i < n && (space(s[i]) || s[i] == ':' || s[i] == '=' ||
	    s[i] == '"' || s[i] == '\''))
		i++;
	for (v = i; v < n && !space(s[v]); v++)
		;
	if (v - i < 3 || v - i > 64)
		return 0;
	for (j = 0; j < sizeof(not_values) / sizeof(not_values[0]); j++)
		if (strncasecmp(s + i, not_values[j], strlen(not_values[j])) ==
		    0)
			return 0;
	return 1;
}

/* The first two bytes (lower case) of some password word. */
static int
pair_ok(int c1, int c2)
{
	switch (c1) {
	case 'p':
		return c2 == 'a' || c2 == 'w';
	case 'k':
		return c2 == 'e';
	case 'm':
		return c2 == 'o';
	case 'c':
		return c2 == 'o';
	case 's':
		return c2 == 'e' || c2 == 'a';
	case 'w':
		return c2 == 'a';
	case 'l':
		return c2 == 0xc3;
	case 'h':
		return c2 == 'a' || c2 == 'e';
	case 'j':
		return c2 == 'e';
	case 'a':
		return c2 == 'd';
	case 0xd0:
		return c2 == 0xbf || c2 == 0x9f;
	case 0xe5:
		return c2 == 0xaf;
	case 0xe3:
		return c2 == 0x83;
	}
	return 0;
}

/* A password word starting at s[0] (a C_WORD byte after no letter),
 * and a value after it: its first two bytes before the whole word.  Not
 * inlined, nor token(): the loop over every byte keeps its registers. */
static int __attribute__((noinline))
password_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t j, wl;
	int c1, c2;

	if (n < 2)
		return 0;
	c1 = u[0] < 0x80 ? u[0] | 32 : u[0];
	c2 = u[1] < 0x80 ? u[1] | 32 : u[1];
	if (!pair_ok(c1, c2))
		return 0;
	for (j = 0; j < NWORDS; j++) {
		const char *w = password_words[j];

		if ((unsigned char)w[0] != c1 || (unsigned char)w[1] != c2)
			continue;
		wl = strlen(w);
		if (n >= wl && strncasecmp(s, w, wl) == 0 &&
		    gives_value(s + wl, n - wl))
			return 1;
	}
	return 0;
}

/* One pass over the window: tokens end at white space, and only a token
 * holding ':' or '.' can hold a URL (C_URL); password words are looked
 * for at word starts on the way (st: 256, cls[1], after a letter). */
static void
scan(struct linktext *t, size_t n)
{
	const unsigned char *u = (const unsigned char *)t->buf, *c = cls[0];
	size_t i, start = 0;
	unsigned k, seen = 0, st = 0, stop = C_SPACE;

	if (t->passwords && !t->found_password)
		stop |= C_WORD;
	for (i = 0; i < n; i++) {
		k = c[st + u[i]];
		if (k & stop) {
			if (k & C_SPACE) {
				if (seen & C_URL)
					token(t, t->buf + start, i - start);
				start = i + 1;
				seen = st = 0;
				continue;
			}
			if (i + 1 < n && (c[256 + u[i + 1]] & C_NEXT) &&
			    password_at(t->buf + i, n - i)) {
				t->found_password = 1;
				stop = C_SPACE;
			}
		}
		seen |= k;
		st = (k & C_LETTER) << 7;
	}
	if (start < n && (seen & C_URL))
		token(t, t->buf + start, n - start);
}

int
linktext_feed(struct linktext *t, const char *s, size_t n)
{
	size_t take, cut;

	while (n > 0 && !t->failed) {
		take = sizeof(t->buf) - t->len;
		if (take > n)
			take = n;
		memcpy(t->buf + t->len, s, take);
		t->len += take;
		s += take;
		n -= take;
		if (t->len < sizeof(t->buf))
			break;
		for (cut = t->len; cut > 0 &&
		    !space((unsigned char)t->buf[cut - 1]); cut--)
			;
		if (cut == 0)
			cut = t->len;	/* one token fills the window */
		scan(t, cut);
		memmove(t->buf, t->buf + cut, t->len - cut);
		t->len -= cut;
	}
	return t->failed ? -1 : 0;
}

int
linktext_end(struct linktext *t)
{
	if (!t->failed && t->len > 0)
		scan(t, t->len);
	t->len = 0;
	return t->failed ? -1 : 0;
}
