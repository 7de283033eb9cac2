/*
 * addr.c - RFC 5322 address headers (From, Sender, Reply-To) and RFC 5321
 * envelope paths, parsed from untrusted text.
 *
 * Exports addr_*.  Pure functions; results in the caller's arena; any
 * thread.  RFC 5322 3.4 (address-list, group, name-addr, addr-spec),
 * 3.2.2 (CFWS, nested comments), 3.2.4 (quoted strings), 4.4 (obs-route,
 * obs-local-part, obs-domain, empty list elements), RFC 6532 (UTF-8 in
 * atoms and quoted strings).
 *
 * A header value is cut into tokens first (one pass; comments are skipped
 * with a depth counter, not recursion), then parsed with one token of
 * look-ahead: linear time and memory whatever the input.  The whole value
 * must parse: "a@example.com, user@example.net>" is -1, not one mailbox,
 * so that a checker can never look at a different address than a mail
 * reader shows (the libopendmarc bug in FIELD-NOTES).
 * Choices:
 *   - display names keep RFC 2047 encoded-words as written (=?utf-8?...?=);
 *     decoding them is later work (GMime);
 *   - a domain literal ("user@[192.0.2.1]") is kept as written, in lower
 *     case, brackets included; addr_domain_valid() rejects it, so DMARC
 *     treats it as no usable domain;
 *   - local parts are lenient about dots ("a..b", the obs form "a . b"),
 *     as real mail has them and no check depends on the local part.
 */
#include <string.h>

#include "mail/addr.h"
#include "util/arena.h"

enum tok_type { TOK_END, TOK_ATOM, TOK_QSTR, TOK_DLIT, TOK_SPECIAL };

struct token {
	enum tok_type type;
	char c;			/* TOK_SPECIAL: one of <>:;@,. */
	int ws_before;		/* CFWS came before it */
	const char *p;		/* text in the value (quotes excluded for
				   QSTR, brackets included for DLIT) */
	size_t len;
};

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && !is_ws((char)c)) || c == 0x7f;
}

/* The one CFWS skipper (addr.h): RFC 5322 3.2.2 when how is
 * ADDR_CFWS_RFC; authresid.c also reads comments the ways other readers
 * do.  Iterative, so deep nesting costs no stack. */
int
addr_skip_cfws(const char **pp, int how)
{
	const char *p = *pp;
	size_t depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '(') {
			if (depth == 0 || (how & ADDR_CFWS_NEST))
				depth++;
		} else if (depth > 0) {
			if (*p == '\\' && (how & ADDR_CFWS_ESCAPE) &&
			    p[1] != '\0')
				p++;
			else if (*p == ')')
				depth--;
		} else if (!is_ws(*p))
			break;
	}
	*pp = p;
	return depth > 0 ? -1 : 0;
}

/* Reads one token at *pp.  0, or -1 when the text is not RFC 5322. */
static int
lex(const char **pp, struct token *t)
{
	const char *p = *pp, *start;

	memset(t, 0, sizeof(*t));
	start = p;
	if (addr_skip_cfws(&p, ADDR_CFWS_RFC) == -1)
		return -1;
	t->ws_before = p != start;
	start = p;
	if (*p == '\0') {
		t->type = TOK_END;
	} else if (*p == '"' || *p == '[') {
		t->type = *p == '"' ? TOK_QSTR : TOK_DLIT;
		for (p++; *p != (t->type == TOK_QSTR ? '"' : ']'); p++) {
			if (*p == '\0' || (t->type == TOK_DLIT && *p == '['))
				return -1;
			if (*p == '\\' && *++p == '\0')
				return -1;
		}
		p++;
		t->p = t->type == TOK_QSTR ? start + 1 : start;
		t->len = (size_t)(p - start) - (t->type == TOK_QSTR ? 2 : 0);
	} else if (strchr("<>:;@,.", *p) != NULL) {
		t->type = TOK_SPECIAL;
		t->c = *p++;
	} else {
		/* atext, with UTF-8 allowed (RFC 6532 3.2) */
		while (*p != '\0' && !is_ws(*p) &&
		    strchr("()<>[]:;@\\,.\"", *p) == NULL) {
			if (is_ctl((unsigned char)*p))
				return -1;
			p++;
		}
		if (p == start)
			return -1;	/* ')', ']' or '\' out of place */
		t->type = TOK_ATOM;
		t->p = start;
		t->len = (size_t)(p - start);
	}
	*pp = p;
	return 0;
}

struct parser {
	struct arena *arena;
	struct token *toks;
	size_t n, i;
	struct addr_list *out;
	size_t cap;
};

static const struct token *
peek(const struct parser *ps)
{
	return &ps->toks[ps->i];
}

static int
is_special(const struct token *t, char c)
{
	return t->type == TOK_SPECIAL && t->c == c;
}

/* Text of tokens [from, to) in arena memory: quoted strings unescaped,
 * words joined by sep (' ' where CFWS was, for display names; nothing for
 * local parts, whose dots are tokens). */
static char *
join(struct parser *ps, size_t from, size_t to, int spaces)
{
	const struct token *t;
	size_t i, j, len = 0;
	char *s, *o;

	for (i = from; i < to; i++)
		len += ps->toks[i].len + 1;
	if ((s = arena_alloc(ps->arena, len + 1)) == NULL)
		return NULL;
	o = s;
	for (i = from; i < to; i++) {
		t = &ps->toks[i];
		if (spaces && i > from && t->ws_before)
			*o++ = ' ';
		if (t->type == TOK_SPECIAL) {
			*o++ = t->c;
			continue;
		}
		for (j = 0; j < t->len; j++) {
			if (t->type == TOK_QSTR && t->p[j] == '\\')
				j++;
			*o++ = t->p[j];
		}
	}
	*o = '\0';
	return s;
}

/* After '@': dot-atom / obs-domain or a domain literal.  Lower case, one
 * trailing dot removed. */
static int
parse_domain(struct parser *ps, const char **domain)
{
	size_t from = ps->i, i;
	char *d;

	if (peek(ps)->type == TOK_DLIT) {
		ps->i++;
	} else {
		if (peek(ps)->type != TOK_ATOM)
			return -1;
		ps->i++;
		while (is_special(peek(ps), '.')) {
			ps->i++;
			if (peek(ps)->type != TOK_ATOM) {
				/* a trailing dot ends the domain */
				if (ps->toks[ps->i - 2].type == TOK_ATOM &&
				    !is_special(peek(ps), '.'))
					break;
				return -1;
			}
			ps->i++;
		}
	}
	if ((d = join(ps, from, ps->i, 0)) == NULL)
		return -1;
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	if (i > 1 && d[i - 1] == '.' && d[0] != '[')
		d[i - 1] = '\0';
	*domain = d;
	return 0;
}

/* local-part "@" domain, the local part being tokens [from, ps->i): words
 * with dots between (one word at least, never two words side by side). */
static int
finish_addr_spec(struct parser *ps, size_t from, struct addr_mailbox *mb)
{
	size_t i;
	int words = 0, prev_word = 0;

	for (i = from; i < ps->i; i++) {
		if (ps->toks[i].type == TOK_ATOM ||
		    ps->toks[i].type == TOK_QSTR) {
			if (prev_word)
				return -1;
			words++;
			prev_word = 1;
		} else if (is_special(&ps->toks[i], '.'))
			prev_word = 0;
		else
			return -1;
	}
	if (words == 0 || !is_special(peek(ps), '@'))
		return -1;
	if ((mb->local = join(ps, from, ps->i, 0)) == NULL)
		return -1;
	ps->i++;
	return parse_domain(ps, &mb->domain);
}

static void
skip_local(struct parser *ps)
{
	while (peek(ps)->type == TOK_ATOM || peek(ps)->type == TOK_QSTR ||
	    is_special(peek(ps), '.'))
		ps->i++;
}

/* One mailbox: name-addr or addr-spec. */
static int
parse_mailbox(struct parser *ps, struct addr_mailbox *mb)
{
	size_t from = ps->i, phrase_end, lfrom;

	memset(mb, 0, sizeof(*mb));
	skip_local(ps);
	phrase_end = ps->i;
	if (is_special(peek(ps), '@'))
		return finish_addr_spec(ps, from, mb);
	if (!is_special(peek(ps), '<'))
		return -1;
	/* display-name: words (and obs-phrase dots) before '<' */
	if (phrase_end > from) {
		if (is_special(&ps->toks[from], '.'))
			return -1;
		if ((mb->display = join(ps, from, phrase_end, 1)) == NULL)
			return -1;
	}
	ps->i++;
	/* obs-route: "@a.example,@b.example:" is skipped */
	if (is_special(peek(ps), '@') || is_special(peek(ps), ',')) {
		while (peek(ps)->type != TOK_END && !is_special(peek(ps), ':'))
			if (is_special(peek(ps), '<') ||
			    is_special(peek(ps), '>'))
				return -1;
			else
				ps->i++;
		if (peek(ps)->type == TOK_END)
			return -1;
		ps->i++;
	}
	lfrom = ps->i;
	skip_local(ps);
	if (finish_addr_spec(ps, lfrom, mb) == -1 || !is_special(peek(ps), '>'))
		return -1;
	ps->i++;
	return 0;
}

/* "phrase :" opens a group (RFC 5322 3.4); consumed when it does. */
static int
group_start(struct parser *ps)
{
	size_t from = ps->i;

	skip_local(ps);
	if (ps->i > from && !is_special(&ps->toks[from], '.') &&
	    is_special(peek(ps), ':')) {
		ps->i++;
		return 1;
	}
	ps->i = from;
	return 0;
}

int
addr_parse_list(const char *value, struct arena *a, struct addr_list *out)
{
	struct parser ps;
	struct token t;
	const char *p;
	size_t n = 0, nat = 0;
	int in_group = 0;

	memset(out, 0, sizeof(*out));
	if (value == NULL)
		return -1;
	/* pass 1: count tokens and '@' (an upper bound of mailboxes) */
	for (p = value;; n++) {
		if (lex(&p, &t) == -1)
			return -1;
		if (is_special(&t, '@'))
			nat++;
		if (t.type == TOK_END)
			break;
	}
	if (nat == 0)
		return -1;
	memset(&ps, 0, sizeof(ps));
	ps.arena = a;
	ps.n = n + 1;
	ps.toks = arena_calloc(a, ps.n, sizeof(*ps.toks));
	out->boxes = arena_calloc(a, nat, sizeof(*out->boxes));
	if (ps.toks == NULL || out->boxes == NULL)
		return -1;
	for (p = value, n = 0; n < ps.n; n++)
		(void)lex(&p, &ps.toks[n]);
	for (;;) {
		/* obs-mbox-list / obs-addr-list: empty elements */
		while (is_special(peek(&ps), ','))
			ps.i++;
		if (peek(&ps)->type == TOK_END)
			break;
		if (in_group && is_special(peek(&ps), ';')) {
			in_group = 0;
			ps.i++;
		} else if (!in_group && group_start(&ps)) {
			in_group = 1;
			continue;
		} else {
			if (out->count >= nat ||
			    parse_mailbox(&ps, &out->boxes[out->count]) == -1)
				goto malformed;
			out->count++;
		}
		/* after an address: a comma, the end, or a group's end */
		if (peek(&ps)->type != TOK_END && !is_special(peek(&ps), ',') &&
		    !(in_group && is_special(peek(&ps), ';')))
			goto malformed;
	}
	if (in_group || out->count == 0)
		goto malformed;
	return 0;
malformed:
	out->count = 0;
	return -1;
}

/* RFC 5321 4.1.2 Dot-string characters (atext and '.'), UTF-8 allowed
 * (RFC 6531). */
static int
is_dot_string_char(unsigned char c)
{
	return c > 0x20 && c != 0x7f && strchr("()<>[]:;@\\,\"", c) == NULL;
}

/* Envelope paths (RFC 5321 4.1.2): "<local@domain>", with an optional
 * source route "<@a,@b:local@domain>" (ignored: 4.1.1.3, appendix C) and
 * a quoted local part; "<>" is the null path.  MTAs hand the path with
 * its brackets; a bare "local@domain" is accepted too.  Returns
 * "local@domain" in arena memory ("" for the null path) with the domain's
 * offset in *dom, or NULL when malformed. */
static char *
path_split(const char *path, struct arena *a, size_t *dom)
{
	const char *p, *end, *addr, *at, *d;

	if (path == NULL || *path == '\0')
		return NULL;
	p = path;
	end = path + strlen(path);
	if (p < end && *p == '<') {
		if (end - p < 2 || end[-1] != '>')
			return NULL;
		p++;
		end--;
	}
	if (p == end) {
		*dom = 0;
		return arena_strdup(a, "");
	}
	if (*p == '@') {
		while (p < end && *p != ':')
			p++;
		if (p == end)
			return NULL;
		p++;
	}
	addr = p;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && ++p == end)
				return NULL;
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return NULL;
		}
		if (p++ == end)
			return NULL;
	} else
		while (p < end && is_dot_string_char((unsigned char)*p))
			p++;
	if (p == addr || p == end || *p != '@')
		return NULL;
	at = p;
	d = at + 1;
	if (d < end && *d == '[') {		/* address literal */
		for (p = d + 1; p < end - 1; p++)
			if (!is_dot_string_char((unsigned char)*p) &&
			    *p != ':')
				return NULL;
		if (end - d < 3 || end[-1] != ']')
			return NULL;
	} else {
		for (p = d; p < end; p++)
			if (*p == '.' ? p == d || p[-1] == '.' :
			    !is_dot_string_char((unsigned char)*p))
				return NULL;
		if (p == d)
			return NULL;
	}
	*dom = (size_t)(d - addr);
	return arena_strndup(a, addr, (size_t)(end - addr));
}

const char *
addr_path_strip(const char *path, struct arena *a)
{
	size_t dom;

	return path_split(path, a, &dom);
}

const char *
addr_path_domain(const char *path, struct arena *a)
{
	char *addr, *d;
	size_t dom, len, i;

	if ((addr = path_split(path, a, &dom)) == NULL)
		return NULL;
	d = addr + dom;
	len = strlen(d);
	if (len > 1 && d[len - 1] == '.' && d[0] != '[')
		d[--len] = '\0';
	for (i = 0; i < len; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	return d;
}

int
addr_domain_valid(const char *domain)
{
	size_t len = 0, label = 0, labels = 0;
	const char *p, *last = NULL;
	int digits_only = 1;

	if (domain == NULL)
		return 0;
	for (p = domain; *p != '\0'; p++, len++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (label == 0) {
			if (*p == '-')
				return 0;
			labels++;
			last = p;
			digits_only = 1;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
		if (!(*p >= '0' && *p <= '9'))
			digits_only = 0;
		if (++label > 63)
			return 0;
	}
	/* a numeric top label is an address, not a name (RFC 3696 2) */
	return len <= 253 && label > 0 && labels >= 2 && p[-1] != '-' &&
	    last != NULL && !digits_only;
}
