/*
 * spf.c - SPF (RFC 7208) for MAIL FROM and HELO with libspf2 on our DNS.
 *
 * Exports spf_options_default, spf_check_mailfrom, spf_check_helo.  Owns,
 * per check, one libspf2 server, request and response, and our libspf2
 * DNS layer (struct check): every DNS question libspf2 asks reaches
 * dns_query() through it.  The layer
 *   - fetches SPF records itself (the get_spf hook): TXT only (RFC 7208
 *     3.1: type SPF is obsolete), one record per name (4.5), screened by
 *     a strict section 12 grammar with bounded lengths before libspf2's
 *     compiler sees it.  Debian's libspf2 1.2.10 lacks the fix for
 *     CVE-2023-42118 (ZDI-23-1472, upstream PR 44): an integer underflow
 *     in SPF_c_parse_macro when a macro-string fills its 511-byte compile
 *     buffer to within 4 bytes, after which a literal is copied past the
 *     stack buffer.  The screen computes each macro-string's compiled size
 *     with libspf2's layout and refuses one within 32 bytes of the limit.
 *     libspf2 compiles a rewritten record: unknown modifiers (ignored by
 *     the RFC) dropped, mechanisms after "all" dropped, redirect moved to
 *     the end or dropped after "all" (libspf2 evaluates it in place);
 *   - counts DNS-querying terms (include, a, mx, ptr, exists, redirect;
 *     limit 10) and void lookups (limit 2), and refuses an MX set of more
 *     than 10 (RFC 7208 4.6.4): past a limit the check ends permerror
 *     (libspf2 counts per include level, and after the term);
 *   - keeps the first 10 PTR names (4.6.4: the rest are ignored; libspf2
 *     would say permerror), skips a PTR name whose address lookup fails
 *     (5.5), truncates names over 253 octets from the left (7.3);
 *   - screens explanation TXT records (6.2) the same way and gives them
 *     to libspf2 with each space as "%_" (its macro parser misreads a
 *     raw space).
 * libspf2's own answer for a loopback client ("localhost is always
 * allowed") is never asked for: such a check is none, "loopback client".
 *
 * Thread rule: a check owns all its objects; the resolver is shared and
 * thread-safe; libspf2's message handlers are process globals, set once
 * (pthread_once) so that it never prints.  Caps: record length
 * (spf_options.max_record_len, default 4096), 128 terms per record, 160
 * DNS lookups and 3 DNS failures per check (further lookups then fail at
 * once, which also bounds the time a check takes).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* arpa/nameser.h has ns_type; spf_dns.h would define its own */
#define HAVE_NS_TYPE 1
#include <spf2/spf.h>

#include "arena.h"
#include "dns.h"
#include "spf.h"

/* libspf2 results in our words (STYLE 3: the one mapping table). */
static const struct {
	SPF_result_t spf;
	enum auth_result auth;
} result_map[] = {
	{ SPF_RESULT_PASS, AUTH_PASS },
	{ SPF_RESULT_FAIL, AUTH_FAIL },
	{ SPF_RESULT_SOFTFAIL, AUTH_SOFTFAIL },
	{ SPF_RESULT_NEUTRAL, AUTH_NEUTRAL },
	{ SPF_RESULT_NONE, AUTH_NONE },
	{ SPF_RESULT_TEMPERROR, AUTH_TEMPERROR },
	{ SPF_RESULT_PERMERROR, AUTH_PERMERROR },
	{ SPF_RESULT_INVALID, AUTH_TEMPERROR },	/* no result from libspf2 */
};

#define SPF_MAX_TERMS		128	/* terms in one record */
#define SPF_MAX_LOOKUPS		160	/* DNS lookups in one check */
#define SPF_MAX_TEMPFAILS	3	/* DNS failures in one check */
#define SPF_MAX_MX		10	/* RFC 7208 4.6.4 */
#define SPF_MAX_PTR		10	/* RFC 7208 4.6.4 */
#define SPF_NAME_MAX		253
#define SPF_EXP_MAX		512	/* explanation text we keep */
/* libspf2 compiles a macro-string into a 511-byte buffer */
#define SCREEN_COST_MAX		(SPF_MAX_MECH_LEN - 32)
/* Last labels of the exists names that stand for a or mx with a zero
 * CIDR length (see emit_a_mx); only the check's own rewrite makes them,
 * and a name that merely ends so asks nothing an exists could not. */
#define CIDR0_A			"rw-cidr0-a"
#define CIDR0_MX		"rw-cidr0-mx"
/* Around an uppercase macro in explanation text, so that its URL
 * escapes can be completed after libspf2 expanded it (url_finish). */
#define URL_OPEN		'\001'
#define URL_CLOSE		'\002'
#define SCREEN_GROWTH		(SPF_MAX_TERMS * 32 + 32)

/* ------------------------------------------------------------------ */
/* The screen: RFC 7208 section 12 grammar, strictly, with the cost of  */
/* each macro-string in libspf2's compiled form.                        */

#define MS_EXP_TEXT	1	/* explain-string: SP and c r t allowed */
#define MS_ANY_LETTER	2	/* unknown modifier: c r t allowed */

struct screen {
	char *out;			/* the record libspf2 compiles */
	size_t len, cap;
	const char *why;		/* first problem (a fixed string) */
	int v6;				/* the client's family */
	int overflow;
	int has_all;
	const char *redirect, *exp;	/* modifier values (in the input) */
	size_t redirect_len, exp_len;
};

static int
screen_fail(struct screen *sc, const char *why)
{
	if (sc->why == NULL)
		sc->why = why;
	return -1;
}

static void
emit(struct screen *sc, const char *s, size_t n)
{
	if (n > sc->cap - sc->len - 1) {
		sc->overflow = 1;
		return;
	}
	memcpy(sc->out + sc->len, s, n);
	sc->len += n;
	sc->out[sc->len] = '\0';
}

static size_t
align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Checks the macro-string s[0..n), writes it to sc (spaces as "%_"
 * under MS_EXP_TEXT) when emit_it, and gives its compiled size in
 * libspf2: each literal run 4 bytes of header plus its bytes, aligned to
 * 4; each %{...} 4 bytes.  *ends_macro: it ends in a macro-expand. */
static int
macro_scan(struct screen *sc, const char *s, size_t n, int flags,
    int emit_it, size_t *cost, int *ends_macro)
{
	size_t i = 0, run = 0, total = 0;

	*ends_macro = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t start = i, digits = 0, val = 0;
		int letter, upper;

		if (c != '%') {
			if (c == ' ' && (flags & MS_EXP_TEXT)) {
				if (emit_it)
					emit(sc, "%_", 2);
			} else if (c < 0x21 || c > 0x7e)
				return screen_fail(sc, "bad character");
			else if (emit_it)
				emit(sc, s + i, 1);
			run++;
			i++;
			*ends_macro = 0;
			continue;
		}
		if (i + 1 >= n)
			return screen_fail(sc, "lone '%' in macro-string");
		c = (unsigned char)s[i + 1];
		if (c == '%' || c == '_' || c == '-') {
			run += c == '-' ? 3 : 1;	/* "%-" is "%20" */
			if (emit_it)
				emit(sc, s + i, 2);
			i += 2;
			*ends_macro = 1;
			continue;
		}
		if (c != '{')
			return screen_fail(sc, "bad macro escape");
		i += 2;
		if (i >= n)
			return screen_fail(sc, "unterminated macro");
		letter = s[i] | 0x20;
		if (strchr("slodiphv", letter) == NULL &&
		    ((flags & (MS_EXP_TEXT | MS_ANY_LETTER)) == 0 ||
		    strchr("crt", letter) == NULL))
			return screen_fail(sc, "bad macro letter");
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			val = val * 10 + (size_t)(s[i++] - '0');
			if (++digits > 3)
				return screen_fail(sc, "macro digits too long");
		}
		/* libspf2 accepts 1..128; RFC 7208 7.3: nonzero */
		if (digits > 0 && (val == 0 || val > 128))
			return screen_fail(sc, "macro digits out of range");
		if (i < n && (s[i] == 'r' || s[i] == 'R'))
			i++;
		/* RFC 7208 delimiters are . - + , / _ =; libspf2 knows no
		 * ',' or '/', and would fail the record anyway. */
		while (i < n && strchr(".-+_=", s[i]) != NULL && s[i] != '\0')
			i++;
		if (i >= n || s[i] != '}')
			return screen_fail(sc, "bad macro");
		i++;
		/* libspf2 URL-escapes an uppercase macro in lowercase hex and
		 * leaves ! * ' ( ) alone; mark it so that url_finish can
		 * complete the escapes (RFC 7208 7.3, RFC 3986 2.1) */
		upper = (flags & MS_EXP_TEXT) && s[start + 2] >= 'A' &&
		    s[start + 2] <= 'Z';
		if (emit_it) {
			size_t k;
			char mark = URL_OPEN;

			if (upper)
				emit(sc, &mark, 1);
			emit(sc, s + start, 3);		/* "%{" letter */
			for (k = start + 3; k < i; k++)
				emit(sc, s[k] == 'R' ? "r" : s + k, 1);
			mark = URL_CLOSE;
			if (upper)
				emit(sc, &mark, 1);
		}
		run += upper;
		if (run > SPF_MAX_STR_LEN)
			return screen_fail(sc, "macro-string literal too long");
		if (run > 0)
			total += align4(sizeof(SPF_data_str_t) + run);
		total += align4(sizeof(SPF_data_var_t));
		run = upper;
		*ends_macro = 1;
	}
	if (run > SPF_MAX_STR_LEN)
		return screen_fail(sc, "macro-string literal too long");
	if (run > 0)
		total += align4(sizeof(SPF_data_str_t) + run);
	*cost = total;
	return 0;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int
toplabel_ok(const char *s, size_t n)
{
	size_t i;
	int alpha = 0, dash = 0;

	if (n == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = 1;
		else if (!is_alnum((unsigned char)s[i]))
			return 0;
		else if (s[i] > '9')
			alpha = 1;
	}
	return alpha || dash;
}

/* domain-spec = macro-string domain-end;
 * domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static int
domain_spec(struct screen *sc, const char *s, size_t n, size_t extra,
    int emit_it)
{
	size_t cost, e, p;
	int ends_macro;

	if (n == 0)
		return screen_fail(sc, "empty domain-spec");
	if (macro_scan(sc, s, n, 0, emit_it, &cost, &ends_macro) < 0)
		return -1;
	if (!ends_macro) {
		e = s[n - 1] == '.' ? n - 1 : n;
		for (p = e; p > 0 && s[p - 1] != '.'; p--)
			;
		if (p == 0 || !toplabel_ok(s + p, e - p))
			return screen_fail(sc, "domain-spec without a valid "
			    "top label");
	}
	if (cost + extra > SCREEN_COST_MAX)
		return screen_fail(sc, "domain-spec too long");
	return 0;
}

/* "0" / %x31-39 *DIGIT, at most 3 digits: its value, or -1 when it is
 * not one or exceeds max. */
static int
cidr_val(const char *s, size_t n, int max)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Length of a trailing "/" 1*DIGIT in s[0..n), 0 if none. */
static size_t
slash_digits(const char *s, size_t n)
{
	size_t k = n;

	while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9')
		k--;
	if (k == n || k == 0 || s[k - 1] != '/')
		return 0;
	return n - k + 1;
}

/* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken
 * from the end of s[0..*n); *n shrinks to what precedes it, c4 and c6
 * get the lengths (-1: not given). */
static int
dual_cidr(struct screen *sc, const char *s, size_t *n, int *c4, int *c6)
{
	size_t k = slash_digits(s, *n);

	*c4 = *c6 = -1;
	if (k > 0 && *n > k && s[*n - k - 1] == '/') {
		if ((*c6 = cidr_val(s + *n - k + 1, k - 1, 128)) < 0)
			return screen_fail(sc, "bad IPv6 CIDR length");
		*n -= k + 1;
		k = slash_digits(s, *n);
	}
	if (k > 0) {
		if (*n > k && s[*n - k - 1] == '/')
			return screen_fail(sc, "bad CIDR length");
		if ((*c4 = cidr_val(s + *n - k + 1, k - 1, 32)) < 0)
			return screen_fail(sc, "bad IPv4 CIDR length");
		*n -= k;
	}
	return 0;
}

/* qnum "." qnum "." qnum "." qnum, qnum 0..255 without leading zeros */
static int
ip4_ok(const char *s, size_t n)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;

		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return 0;
		if (part < 3 && (i >= n || s[i++] != '.'))
			return 0;
	}
	return i == n;
}

static int
ip6_ok(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;

	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/* ip4 / ip6: ":" network [ "/" cidr ].  *cidr: -1 when not given. */
static int
ip_arg(struct screen *sc, const char *r, size_t n, int v6, int *cidr)
{
	size_t k;

	*cidr = -1;
	if (n < 2 || r[0] != ':')
		return screen_fail(sc, "ip4/ip6 without an address");
	r++;
	n--;
	k = slash_digits(r, n);
	if (k > 0) {
		if ((*cidr = cidr_val(r + n - k + 1, k - 1, v6 ? 128 : 32))
		    < 0)
			return screen_fail(sc, "bad CIDR length");
		n -= k;
	}
	if (v6 ? !ip6_ok(r, n) : !ip4_ok(r, n))
		return screen_fail(sc, "bad address");
	return 0;
}

enum mech { M_ALL, M_INCLUDE, M_A, M_MX, M_PTR, M_IP4, M_IP6, M_EXISTS };

static const char *const mech_names[] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists",
};

/* Writes an a or mx mechanism for libspf2.  Only the CIDR length of
 * the client's family matters.  libspf2 cannot compile a zero length
 * (it reads 0 as "none given"), so a term with one becomes an exists
 * of a marked name: the layer then asks the term's real question (any
 * address at all, of the domain or of its MX hosts). */
static void
emit_a_mx(struct screen *sc, char q, int mx, const char *r, size_t rn)
{
	size_t dn = rn, cost;
	int c4, c6, cidr, ends;

	(void)dual_cidr(sc, r, &dn, &c4, &c6);
	cidr = sc->v6 ? c6 : c4;
	emit(sc, " ", 1);
	if (q != '\0')
		emit(sc, &q, 1);
	if (cidr == 0) {
		emit(sc, "exists:", 7);
		if (dn > 1) {
			/* a valid domain-spec's last '.' is a literal */
			(void)macro_scan(sc, r + 1, dn - 1 - (r[dn - 1] == '.'),
			    0, 1, &cost, &ends);
		} else
			emit(sc, "%{d}", 4);
		emit(sc, mx ? "." CIDR0_MX : "." CIDR0_A,
		    strlen(mx ? "." CIDR0_MX : "." CIDR0_A));
		return;
	}
	emit(sc, mx ? "mx" : "a", mx ? 2 : 1);
	if (dn > 0) {
		emit(sc, ":", 1);
		(void)macro_scan(sc, r + 1, dn - 1, 0, 1, &cost, &ends);
	}
	if (cidr > 0) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%s%d", sc->v6 ? "//" : "/", cidr);
		emit(sc, buf, strlen(buf));
	}
}

/* ip4 and ip6: libspf2 cannot take a zero length either; two halves
 * of the address space say the same. */
static void
emit_ip(struct screen *sc, char q, int v6, const char *r, size_t rn,
    int cidr)
{
	const char *half[2];
	int i;

	if (cidr != 0) {
		emit(sc, " ", 1);
		if (q != '\0')
			emit(sc, &q, 1);
		emit(sc, v6 ? "ip6" : "ip4", 3);
		emit(sc, r, rn);
		return;
	}
	half[0] = v6 ? "ip6:::/1" : "ip4:0.0.0.0/1";
	half[1] = v6 ? "ip6:8000::/1" : "ip4:128.0.0.0/1";
	for (i = 0; i < 2; i++) {
		emit(sc, " ", 1);
		if (q != '\0')
			emit(sc, &q, 1);
		emit(sc, half[i], strlen(half[i]));
	}
}

static int
screen_mech(struct screen *sc, char q, const char *t, size_t nl,
    const char *r, size_t rn)
{
	size_t m, dn, cost;
	int c4, c6, cidr = -1, ends;

	for (m = 0; m < sizeof(mech_names) / sizeof(mech_names[0]); m++)
		if (strlen(mech_names[m]) == nl &&
		    strncasecmp(t, mech_names[m], nl) == 0)
			break;
	if (m == sizeof(mech_names) / sizeof(mech_names[0]) ||
	    (rn > 0 && r[0] != ':' && r[0] != '/'))
		return screen_fail(sc, "unknown mechanism");
	switch ((enum mech)m) {
	case M_ALL:
		if (rn > 0)
			return screen_fail(sc, "all takes no argument");
		break;
	case M_INCLUDE:
	case M_EXISTS:
		if (rn < 1 || r[0] != ':')
			return screen_fail(sc, "mechanism needs a domain");
		if (domain_spec(sc, r + 1, rn - 1, 0, 0) < 0)
			return -1;
		break;
	case M_PTR:
		if (rn > 0 && (r[0] != ':' ||
		    domain_spec(sc, r + 1, rn - 1, 0, 0) < 0))
			return screen_fail(sc, "bad ptr mechanism");
		break;
	case M_A:
	case M_MX:
		dn = rn;
		if (dual_cidr(sc, r, &dn, &c4, &c6) < 0)
			return -1;
		/* room for the CIDR data, or for the cidr-0 marker */
		if (dn > 0 && (r[0] != ':' || domain_spec(sc, r + 1, dn - 1,
		    sizeof(SPF_data_cidr_t) + 16, 0) < 0))
			return screen_fail(sc, "bad a or mx mechanism");
		break;
	case M_IP4:
	case M_IP6:
		if (ip_arg(sc, r, rn, m == M_IP6, &cidr) < 0)
			return -1;
		break;
	}
	if (sc->has_all)
		return 0;		/* never evaluated: not passed on */
	switch ((enum mech)m) {
	case M_A:
	case M_MX:
		emit_a_mx(sc, q, m == M_MX, r, rn);
		break;
	case M_IP4:
	case M_IP6:
		emit_ip(sc, q, m == M_IP6, r, rn, cidr);
		break;
	default:
		emit(sc, " ", 1);
		if (q != '\0')
			emit(sc, &q, 1);
		emit(sc, mech_names[m], strlen(mech_names[m]));
		if (rn > 0) {
			emit(sc, ":", 1);
			(void)macro_scan(sc, r + 1, rn - 1, 0, 1, &cost, &ends);
		}
		break;
	}
	if (m == M_ALL)
		sc->has_all = 1;
	return 0;
}

static int
screen_term(struct screen *sc, const char *t, size_t n)
{
	char q = '\0';
	size_t nl = 0, cost;
	int ends;

	if (strchr("+-?~", t[0]) != NULL) {
		q = t[0];
		t++;
		n--;
	}
	while (nl < n && (is_alnum((unsigned char)t[nl]) || t[nl] == '-' ||
	    t[nl] == '_' || t[nl] == '.'))
		nl++;
	if (nl == n || t[nl] != '=')
		return screen_mech(sc, q, t, nl, t + nl, n - nl);
	/* RFC 7208 4.6.1: a modifier has '=' right after its name */
	if (q != '\0' || nl == 0 || !((t[0] | 0x20) >= 'a' &&
	    (t[0] | 0x20) <= 'z'))
		return screen_fail(sc, "bad modifier");
	if (nl == 8 && strncasecmp(t, "redirect", 8) == 0) {
		if (sc->redirect != NULL)
			return screen_fail(sc, "redirect twice");
		sc->redirect = t + 9;
		sc->redirect_len = n - 9;
		return domain_spec(sc, t + 9, n - 9, 0, 0);
	}
	if (nl == 3 && strncasecmp(t, "exp", 3) == 0) {
		if (sc->exp != NULL)
			return screen_fail(sc, "exp twice");
		sc->exp = t + 4;
		sc->exp_len = n - 4;
		return domain_spec(sc, t + 4, n - 4, 0, 0);
	}
	/* unknown modifier: checked, then ignored (RFC 7208 6) */
	return macro_scan(sc, t + nl + 1, n - nl - 1, MS_ANY_LETTER, 0, &cost,
	    &ends);
}

/* Screens the SPF record text[0..len) (it starts with "v=spf1") and
 * writes the record libspf2 compiles for a client of family v6 to out
 * (len + SCREEN_GROWTH bytes).  0, or -1 with *why set. */
static int
screen_record(const char *text, size_t len, size_t max_len, int v6,
    char *out, const char **why)
{
	struct screen sc = { out, 0, len + SCREEN_GROWTH, NULL, v6, 0, 0,
	    NULL, NULL, 0, 0 };
	size_t i, terms = 0;

	out[0] = '\0';
	if (len > max_len) {
		*why = "record too long";
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 ||
		    (unsigned char)text[i] > 0x7e) {
			*why = "control or non-ASCII character in record";
			return -1;
		}
	emit(&sc, "v=spf1", 6);
	for (i = 6; i < len;) {
		size_t start;

		if (text[i] == ' ') {
			i++;
			continue;
		}
		start = i;
		while (i < len && text[i] != ' ')
			i++;
		if (++terms > SPF_MAX_TERMS) {
			*why = "too many terms";
			return -1;
		}
		if (screen_term(&sc, text + start, i - start) < 0) {
			*why = sc.why != NULL ? sc.why : "bad term";
			return -1;
		}
	}
	if (sc.redirect != NULL && !sc.has_all) {
		int ends;
		size_t cost;

		emit(&sc, " redirect=", 10);
		(void)macro_scan(&sc, sc.redirect, sc.redirect_len, 0, 1,
		    &cost, &ends);
	}
	if (sc.exp != NULL) {
		int ends;
		size_t cost;

		emit(&sc, " exp=", 5);
		(void)macro_scan(&sc, sc.exp, sc.exp_len, 0, 1, &cost, &ends);
	}
	if (sc.overflow) {
		*why = "record too long";
		return -1;
	}
	return 0;
}

/* An explanation TXT (RFC 7208 6.2, explain-string), rewritten for
 * libspf2 into out (4 * len + 1 bytes).  0 or -1. */
static int
screen_exp(const char *text, size_t len, char *out)
{
	struct screen sc = { out, 0, 4 * len + 1, NULL, 0, 0, 0, NULL, NULL,
	    0, 0 };
	size_t cost;
	int ends;

	out[0] = '\0';
	if (macro_scan(&sc, text, len, MS_EXP_TEXT, 1, &cost, &ends) < 0 ||
	    cost > SCREEN_COST_MAX || sc.overflow)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The DNS layer libspf2 asks.                                          */

struct check {
	SPF_dns_server_t layer;		/* layer.hook points here */
	struct dns_resolver *res;
	SPF_request_t *req;		/* cur_dom: the current domain */
	unsigned max_terms, max_voids, max_record_len;
	unsigned terms, voids, fetches, lookups, tempfails;
	int v6;				/* the client's family */
	int stop;			/* answer nothing more */
	enum auth_result forced;	/* the result when stop is set */
	char reason[96];
	/* Names an MX or PTR answer gave: their address lookups are part
	 * of the term that asked, not terms of their own. */
	char follow[SPF_MAX_MX][SPF_NAME_MAX + 2];
	unsigned nfollow, next;
	int follow_cache, follow_ptr;
};

static void stop_with(struct check *, enum auth_result, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
stop_with(struct check *c, enum auth_result result, const char *fmt, ...)
{
	va_list ap;

	if (c->stop)
		return;
	c->stop = 1;
	c->forced = result;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* RFC 7208 7.3: a name longer than 253 octets loses labels on the left. */
static void
name_fit(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	while (n > SPF_NAME_MAX) {
		const char *dot = memchr(in, '.', n);

		if (dot == NULL)
			break;
		n -= (size_t)(dot - in) + 1;
		in = dot + 1;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

/* A DNS-querying term starts: -1 when it is one too many. */
static int
term_begin(struct check *c)
{
	if (++c->terms > c->max_terms) {
		stop_with(c, AUTH_PERMERROR, "more than %u DNS-querying terms",
		    c->max_terms);
		return -1;
	}
	return 0;
}

/* May this check ask the resolver once more? */
static int
lookup_allowed(struct check *c)
{
	if (c->stop || c->tempfails >= SPF_MAX_TEMPFAILS)
		return 0;
	if (++c->lookups > SPF_MAX_LOOKUPS) {
		stop_with(c, AUTH_PERMERROR, "more than %u DNS lookups",
		    SPF_MAX_LOOKUPS);
		return 0;
	}
	return 1;
}

static SPF_dns_rr_t *
rr_new(struct check *c, const char *domain, ns_type type, int herrno)
{
	/* XXX libspf2 aborts if a layer returns NULL (out of memory) */
	return SPF_dns_rr_new_init(&c->layer, domain, type, 0, herrno);
}

static int
rr_add(SPF_dns_rr_t *rr, const void *data, size_t len)
{
	if (SPF_dns_rr_buf_realloc(rr, rr->num_rr, len) != SPF_E_SUCCESS)
		return -1;
	memcpy(rr->rr[rr->num_rr], data, len);
	rr->num_rr++;
	return 0;
}

/* Is name the domain d or under it (both without a final dot)? */
static int
name_under(const char *name, const char *d)
{
	size_t n = strlen(name), m = strlen(d);

	if (m > 0 && d[m - 1] == '.')
		m--;
	if (n == m)
		return strncasecmp(name, d, m) == 0;
	return n > m && name[n - m - 1] == '.' &&
	    strncasecmp(name + n - m, d, m) == 0;
}

/* Adds the names of an MX or PTR answer to rr and to the follow list.
 * For %{p} (a PTR lookup libspf2 does not cache), names under the
 * current domain go first: RFC 7208 7.3 prefers them, libspf2 takes
 * the first name that validates. */
static int
names_fill(struct check *c, SPF_dns_rr_t *rr, const struct dns_reply *rep,
    int cache)
{
	const char *cur = c->req != NULL ? c->req->cur_dom : NULL;
	char name[SPF_NAME_MAX + 2];
	int ptr = rep->rrtype == DNS_T_PTR, pass;
	size_t i;

	c->follow_cache = cache;
	c->follow_ptr = ptr;
	for (pass = ptr && !cache && cur != NULL ? 0 : 2; pass < 3; pass++) {
		for (i = 0; i < rep->count; i++) {
			if (ptr && c->nfollow == SPF_MAX_PTR)
				return 0;	/* 4.6.4: the rest ignored */
			if (dns_rr_name(&rep->rr[i], ptr ? 0 : 2, name,
			    sizeof(name)) < 0)
				continue;
			if (pass < 2 && name_under(name, cur) != (pass == 0))
				continue;
			if (rr_add(rr, name, strlen(name) + 1) < 0)
				return -1;
			strcpy(c->follow[c->nfollow++], name);
		}
		if (pass == 1)
			break;
	}
	return 0;
}

/* Fills rr from a positive answer.  -1 when out of memory or when the
 * answer breaks a limit (the check is then stopped). */
static int
rr_fill(struct check *c, SPF_dns_rr_t *rr, const struct dns_reply *rep,
    int cache)
{
	size_t i, want;

	switch (rep->rrtype) {
	case DNS_T_A:
	case DNS_T_AAAA:
		want = rep->rrtype == DNS_T_A ? 4 : 16;
		for (i = 0; i < rep->count; i++)
			if (rep->rr[i].len == want &&
			    rr_add(rr, rep->rr[i].data, want) < 0)
				return -1;
		return 0;
	case DNS_T_MX:
		if (rep->count > SPF_MAX_MX) {
			stop_with(c, AUTH_PERMERROR, "more than %d MX records",
			    SPF_MAX_MX);
			return -1;
		}
		/* FALLTHROUGH */
	case DNS_T_PTR:
		return names_fill(c, rr, rep, cache);
	}
	return 0;
}

/* An explanation lookup: one TXT record, screened, or nothing. */
static SPF_dns_rr_t *
exp_answer(struct check *c, const char *domain, const struct dns_reply *rep)
{
	SPF_dns_rr_t *rr;
	char *txt, *out;
	int n;

	if (rep->status != DNS_OK || rep->count != 1)
		return rr_new(c, domain, ns_t_txt, NO_DATA);
	txt = malloc(rep->rr[0].len + 1);
	out = malloc(4 * rep->rr[0].len + 1);
	rr = NULL;
	if (txt != NULL && out != NULL &&
	    (n = dns_rr_txt(&rep->rr[0], txt, rep->rr[0].len + 1)) >= 0 &&
	    screen_exp(txt, (size_t)n, out) == 0) {
		rr = rr_new(c, domain, ns_t_txt, NETDB_SUCCESS);
		if (rr != NULL && rr_add(rr, out, strlen(out) + 1) < 0) {
			SPF_dns_rr_free(rr);
			rr = NULL;
		}
	}
	free(txt);
	free(out);
	return rr != NULL ? rr : rr_new(c, domain, ns_t_txt, NO_DATA);
}

/* Maps a reply's status for libspf2, counting failures and, for the
 * query a term asked, void lookups.  skip: a failure reads as "no data"
 * (RFC 7208 5.5, the addresses of a PTR name). */
static int
status_herrno(struct check *c, enum dns_status st, int term, int skip)
{
	int herrno;

	switch (st) {
	case DNS_OK:
		return NETDB_SUCCESS;
	case DNS_NODATA:
		herrno = NO_DATA;
		break;
	case DNS_TEMPFAIL:
		c->tempfails++;
		return skip ? NO_DATA : TRY_AGAIN;
	default:			/* NXDOMAIN, or no valid name */
		herrno = HOST_NOT_FOUND;
		break;
	}
	if (term && ++c->voids > c->max_voids) {
		stop_with(c, AUTH_PERMERROR, "more than %u void lookups",
		    c->max_voids);
		return TRY_AGAIN;
	}
	return herrno;
}

/* Is domain a marked cidr-0 name (see emit_a_mx)?  1 for mx, 0 for a,
 * -1 if not; base gets the name without the mark. */
static int
cidr0_marked(const char *domain, char *base, size_t len)
{
	static const char *const mark[2] = { "." CIDR0_A, "." CIDR0_MX };
	size_t n = strlen(domain), m;
	int i;

	if (n > 0 && domain[n - 1] == '.')
		n--;
	for (i = 1; i >= 0; i--) {
		m = strlen(mark[i]);
		if (n > m && strncasecmp(domain + n - m, mark[i], m) == 0) {
			char *cut = strndup(domain, n - m);

			if (cut == NULL)
				return -1;
			name_fit(cut, base, len);
			free(cut);
			return i;
		}
	}
	return -1;
}

/* An a or mx term with a zero CIDR length: does the domain, or one of
 * its MX hosts, have an address of the client's family at all?  Answers
 * the exists libspf2 asks with one address if so. */
static SPF_dns_rr_t *
cidr0_lookup(struct check *c, const char *name, int mx)
{
	static const unsigned char any[4] = { 127, 0, 0, 2 };
	int type = c->v6 ? DNS_T_AAAA : DNS_T_A, herrno, match = 0;
	char host[SPF_NAME_MAX + 2];
	struct dns_reply *rep, *h;
	SPF_dns_rr_t *rr;
	size_t i;

	if (term_begin(c) < 0 || !lookup_allowed(c))
		return rr_new(c, name, ns_t_a, TRY_AGAIN);
	if (dns_query(c->res, name, mx ? DNS_T_MX : type, &rep) < 0) {
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return rr_new(c, name, ns_t_a, TRY_AGAIN);
	}
	herrno = status_herrno(c, rep->status, 1, 0);
	if (herrno == NETDB_SUCCESS && mx && rep->count > SPF_MAX_MX) {
		stop_with(c, AUTH_PERMERROR, "more than %d MX records",
		    SPF_MAX_MX);
		herrno = TRY_AGAIN;
	}
	for (i = 0; herrno == NETDB_SUCCESS && mx && !match && i < rep->count;
	    i++) {
		if (dns_rr_name(&rep->rr[i], 2, host, sizeof(host)) < 0)
			continue;
		if (!lookup_allowed(c) ||
		    dns_query(c->res, host, type, &h) < 0) {
			herrno = TRY_AGAIN;
			break;
		}
		herrno = status_herrno(c, h->status, 0, 0);
		match = herrno == NETDB_SUCCESS && h->count > 0;
		if (herrno != TRY_AGAIN)
			herrno = NETDB_SUCCESS;
		dns_reply_free(h);
	}
	if (herrno == NETDB_SUCCESS && !mx)
		match = rep->count > 0;
	dns_reply_free(rep);
	if (herrno == TRY_AGAIN || !match)
		return rr_new(c, name, ns_t_a, herrno == TRY_AGAIN ? TRY_AGAIN :
		    NO_DATA);
	rr = rr_new(c, name, ns_t_a, NETDB_SUCCESS);
	if (rr != NULL && rr_add(rr, any, sizeof(any)) < 0) {
		SPF_dns_rr_free(rr);
		rr = rr_new(c, name, ns_t_a, TRY_AGAIN);
	}
	return rr;
}

static SPF_dns_rr_t *
layer_lookup(SPF_dns_server_t *layer, const char *domain, ns_type type,
    int cache)
{
	struct check *c = layer->hook;
	char name[SPF_NAME_MAX + 2];
	struct dns_reply *rep;
	SPF_dns_rr_t *rr;
	int follow = 0, term = 0, herrno, mx;

	if (domain == NULL)
		domain = "";
	name_fit(domain, name, sizeof(name));
	switch (type) {
	case ns_t_a:
	case ns_t_aaaa:
		/* libspf2 asks for MX hosts and PTR names in answer order */
		if (c->next < c->nfollow && cache == c->follow_cache &&
		    strcasecmp(name, c->follow[c->next]) == 0) {
			c->next++;
			follow = 1;
			break;
		}
		c->nfollow = c->next = 0;
		if (type == ns_t_a && !cache &&
		    (mx = cidr0_marked(domain, name, sizeof(name))) >= 0)
			return cidr0_lookup(c, name, mx);
		term = 1;		/* a (cached) or exists (not) */
		break;
	case ns_t_mx:
		term = 1;
		break;
	case ns_t_ptr:
		term = cache;		/* ptr mechanism; %{p} is no term */
		break;
	case ns_t_txt:
		break;			/* exp; records go via get_spf */
	default:			/* type SPF (99): obsolete, not asked */
		return rr_new(c, name, type, NO_DATA);
	}
	if (!follow)
		c->nfollow = c->next = 0;
	if ((term && term_begin(c) < 0) || !lookup_allowed(c))
		return rr_new(c, name, type,
		    follow && c->follow_ptr ? NO_DATA : TRY_AGAIN);
	if (dns_query(c->res, name, type, &rep) < 0) {
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return rr_new(c, name, type, TRY_AGAIN);
	}
	if (type == ns_t_txt) {
		rr = exp_answer(c, name, rep);
		dns_reply_free(rep);
		return rr;
	}
	herrno = status_herrno(c, rep->status, term, follow && c->follow_ptr);
	rr = rr_new(c, name, type, herrno);
	if (rr != NULL && herrno == NETDB_SUCCESS &&
	    rr_fill(c, rr, rep, cache) < 0) {
		SPF_dns_rr_free(rr);
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		rr = rr_new(c, name, type, TRY_AGAIN);
	}
	dns_reply_free(rep);
	return rr;
}

static SPF_errcode_t
fetch_fail(SPF_response_t *resp, SPF_result_t result, SPF_errcode_t err)
{
	resp->result = result;
	resp->reason = SPF_REASON_FAILURE;
	resp->err = err;
	return SPF_response_add_error(resp, err, "%s", SPF_strerror(err));
}

/* The record of one name (RFC 7208 4.4, 4.5): the TXT records starting
 * "v=spf1" and a space or their end; exactly one is the record.  *nspf
 * counts them, *rec gets the first (malloc). */
static int
records_pick(const struct dns_reply *rep, char **rec, size_t *reclen,
    unsigned *nspf)
{
	size_t i;

	*rec = NULL;
	*nspf = 0;
	for (i = 0; i < rep->count; i++) {
		char *txt = malloc(rep->rr[i].len + 1);
		int n;

		if (txt == NULL) {
			free(*rec);
			return -1;
		}
		n = dns_rr_txt(&rep->rr[i], txt, rep->rr[i].len + 1);
		if (n >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 &&
		    (n == 6 || txt[6] == ' ') && ++*nspf == 1) {
			*rec = txt;
			*reclen = (size_t)n;
		} else
			free(txt);
	}
	return 0;
}

static SPF_errcode_t
layer_get_spf(SPF_server_t *server, SPF_request_t *req,
    SPF_response_t *resp, SPF_record_t **recordp)
{
	struct check *c = server->resolver->hook;
	char name[SPF_NAME_MAX + 2], *rec, *out;
	struct dns_reply *rep;
	const char *why = NULL;
	unsigned nspf;
	size_t len = 0;
	SPF_errcode_t err;

	*recordp = NULL;
	c->nfollow = c->next = 0;
	/* the first fetch is the check's own; the others are include and
	 * redirect terms */
	if ((c->fetches++ > 0 && term_begin(c) < 0) || !lookup_allowed(c))
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_DNS_ERROR);
	name_fit(req->cur_dom != NULL ? req->cur_dom : "", name, sizeof(name));
	if (dns_query(c->res, name, DNS_T_TXT, &rep) < 0) {
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_NO_MEMORY);
	}
	if (rep->status == DNS_TEMPFAIL) {
		c->tempfails++;
		dns_reply_free(rep);
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_DNS_ERROR);
	}
	if (records_pick(rep, &rec, &len, &nspf) < 0) {
		dns_reply_free(rep);
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_NO_MEMORY);
	}
	dns_reply_free(rep);
	if (nspf == 0)
		return fetch_fail(resp, SPF_RESULT_NONE, SPF_E_NOT_SPF);
	if (nspf > 1) {
		free(rec);
		stop_with(c, AUTH_PERMERROR, "more than one SPF record");
		return fetch_fail(resp, SPF_RESULT_PERMERROR,
		    SPF_E_MULTIPLE_RECORDS);
	}
	if ((out = malloc(len + SCREEN_GROWTH)) == NULL) {
		free(rec);
		stop_with(c, AUTH_TEMPERROR, "out of memory");
		return fetch_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_NO_MEMORY);
	}
	if (screen_record(rec, len, c->max_record_len, c->v6, out, &why) < 0) {
		free(rec);
		free(out);
		stop_with(c, AUTH_PERMERROR, "SPF record: %s", why);
		return fetch_fail(resp, SPF_RESULT_PERMERROR, SPF_E_SYNTAX);
	}
	free(rec);
	err = SPF_record_compile(server, resp, recordp, out);
	free(out);
	if (err != SPF_E_SUCCESS) {
		if (*recordp != NULL)
			SPF_record_free(*recordp);
		*recordp = NULL;
		stop_with(c, AUTH_PERMERROR, "SPF record: %s",
		    SPF_strerror(err));
		return fetch_fail(resp, SPF_RESULT_PERMERROR, err);
	}
	return SPF_E_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Checks.                                                              */

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void
libspf2_quiet(void)
{
	/* SPF_error only precedes an abort() (a broken invariant): keep
	 * its one line in syslog; everything else is silent. */
	SPF_error_handler = SPF_error_syslog;
	SPF_warning_handler = NULL;
	SPF_info_handler = NULL;
	SPF_debug_handler = NULL;
}

void
spf_options_default(struct spf_options *o)
{
	o->max_dns_terms = 10;
	o->max_void_lookups = 2;
	o->max_record_len = 4096;
	o->receiver = NULL;
}

/* RFC 7208 4.3: a domain we can check: multi-label, labels of 1..63
 * octets, <= 253 octets, letters, digits, '-', '_' or 8-bit octets (an
 * address literal is not one); a trailing dot is dropped.  Returns the
 * length without that dot, or 0. */
static size_t
domain_ok(const char *d)
{
	size_t n = strlen(d), i, label = 0, labels = 1;
	int alpha = 0;

	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n == 0 || n > SPF_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '.') {
			if (label == 0)
				return 0;
			label = 0;
			labels++;
			alpha = 0;
			continue;
		}
		if (!is_alnum(ch) && ch != '-' && ch != '_' && ch < 0x80)
			return 0;
		if (++label > 63)
			return 0;
		if (!(ch >= '0' && ch <= '9'))
			alpha = 1;
	}
	return label > 0 && labels >= 2 && alpha ? n : 0;
}

static int
result_set(struct spf_result *out, struct arena *a, enum auth_result r,
    const char *reason)
{
	out->result = r;
	out->reason = reason != NULL ? arena_strdup(a, reason) : NULL;
	return reason != NULL && out->reason == NULL ? -1 : 0;
}

/* Parses client_ip: 4 or 6 with the address, an IPv4-mapped IPv6
 * address as IPv4 (RFC 7208 5: "ip4" and "a" see it as IPv4); 0 if bad. */
static int
client_parse(const char *ip, struct in_addr *v4, struct in6_addr *v6)
{
	if (ip == NULL)
		return 0;
	if (inet_pton(AF_INET, ip, v4) == 1)
		return 4;
	if (inet_pton(AF_INET6, ip, v6) != 1)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(v6)) {
		memcpy(&v4->s_addr, &v6->s6_addr[12], 4);
		return 4;
	}
	return 6;
}

/* The explanation libspf2 expanded, with the URL escapes of uppercase
 * macros completed (see macro_scan): uppercase hex, and ! * ' ( )
 * escaped too (RFC 3986 2.1, 2.3).  Returns arena memory or NULL. */
static char *
url_finish(struct arena *a, const char *in)
{
	size_t n = strnlen(in, SPF_EXP_MAX), i, o = 0;
	char *out = arena_alloc(a, 3 * n + 1);
	int url = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		char ch = in[i];

		if (ch == URL_OPEN || ch == URL_CLOSE) {
			url = ch == URL_OPEN;
			continue;
		}
		if (url && ch == '%' && i + 2 < n) {
			out[o++] = '%';
			out[o++] = (char)(in[i + 1] >= 'a' && in[i + 1] <= 'f' ?
			    in[i + 1] - 32 : in[i + 1]);
			out[o++] = (char)(in[i + 2] >= 'a' && in[i + 2] <= 'f' ?
			    in[i + 2] - 32 : in[i + 2]);
			i += 2;
		} else if (url && strchr("!*'()", ch) != NULL && ch != '\0')
			o += (size_t)snprintf(out + o, 4, "%%%02X",
			    (unsigned char)ch);
		else
			out[o++] = ch;
	}
	out[o] = '\0';
	return out;
}

static const char *
reason_for(const struct check *c, const SPF_response_t *resp)
{
	switch (resp->result) {
	case SPF_RESULT_PASS:
		return "client is authorized";
	case SPF_RESULT_FAIL:
		return "client is not authorized";
	case SPF_RESULT_SOFTFAIL:
		return "client is probably not authorized";
	case SPF_RESULT_NEUTRAL:
		return resp->reason == SPF_REASON_DEFAULT ?
		    "no mechanism matched" : "neither authorized nor denied";
	case SPF_RESULT_NONE:
		return "no SPF record";
	case SPF_RESULT_TEMPERROR:
		return c->tempfails > 0 ? "DNS timeout or failure" :
		    SPF_strerror(resp->err);
	default:
		return SPF_strerror(resp->err);
	}
}

/* Runs libspf2 for sender (local@domain) from the client.  The check's
 * own objects live and die here. */
static int
check_run(struct dns_resolver *res, const struct spf_options *opt,
    int fam, const struct in_addr *v4, const struct in6_addr *v6,
    const char *helo, const char *sender, struct arena *a,
    struct spf_result *out)
{
	struct check *c;
	SPF_server_t *server = NULL;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	size_t i;
	int rc = -1;

	pthread_once(&quiet_once, libspf2_quiet);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->layer.lookup = layer_lookup;
	c->layer.get_spf = layer_get_spf;
	c->layer.name = "relaywarden";
	c->layer.hook = c;
	c->res = res;
	c->v6 = fam == 6;
	c->max_terms = opt->max_dns_terms;
	c->max_voids = opt->max_void_lookups;
	c->max_record_len = opt->max_record_len > 0 ? opt->max_record_len :
	    4096;
	if ((server = SPF_server_new_dns(&c->layer, 0)) == NULL)
		goto out;
	/* no default explanation: only a domain's own exp= is reported */
	if (SPF_server_set_explanation(server, "", &resp) != SPF_E_SUCCESS)
		goto out;
	SPF_response_free(resp);
	resp = NULL;
	if (opt->receiver != NULL && *opt->receiver != '\0')
		SPF_server_set_rec_dom(server, opt->receiver);
	SPF_server_set_max_dns_mech(server, (int)c->max_terms);
	SPF_server_set_max_dns_mx(server, SPF_MAX_MX);
	SPF_server_set_max_dns_ptr(server, SPF_MAX_PTR);
	if ((c->req = req = SPF_request_new(server)) == NULL ||
	    (fam == 4 ? SPF_request_set_ipv4(req, *v4) :
	    SPF_request_set_ipv6(req, *v6)) != SPF_E_SUCCESS ||
	    SPF_request_set_helo_dom(req, helo != NULL && *helo != '\0' ?
	    helo : "unknown") != SPF_E_SUCCESS ||
	    SPF_request_set_env_from(req, sender) != 0)
		goto out;
	(void)SPF_request_query_mailfrom(req, &resp);
	if (resp == NULL)
		goto out;
	if (c->stop)
		rc = result_set(out, a, c->forced, c->reason);
	else {
		out->result = AUTH_TEMPERROR;
		for (i = 0; i < sizeof(result_map) / sizeof(result_map[0]); i++)
			if (result_map[i].spf == resp->result)
				out->result = result_map[i].auth;
		rc = result_set(out, a, out->result, reason_for(c, resp));
	}
	if (rc == 0 && out->result == AUTH_FAIL && resp->explanation != NULL &&
	    resp->explanation[0] != '\0' &&
	    (out->explanation = url_finish(a, resp->explanation)) == NULL)
		rc = -1;
out:
	SPF_response_free(resp);
	if (req != NULL)
		SPF_request_free(req);
	if (server != NULL)
		SPF_server_free(server);
	free(c);
	return rc;
}

/* The common part of both checks once the identity is known. */
static int
check_identity(struct dns_resolver *res, const struct spf_options *opt,
    const char *client_ip, const char *helo, const char *local,
    const char *domain, size_t dlen, struct arena *a,
    struct spf_result *out)
{
	struct spf_options dflt;
	struct in_addr v4;
	struct in6_addr v6;
	char *sender;
	int fam;

	if (opt == NULL) {
		spf_options_default(&dflt);
		opt = &dflt;
	}
	if ((out->domain = arena_strndup(a, domain, dlen)) == NULL)
		return -1;
	fam = client_parse(client_ip, &v4, &v6);
	if (fam == 0)
		return result_set(out, a, AUTH_NONE, "no valid client address");
	/* libspf2 would answer pass ("localhost") without a look */
	if ((fam == 4 && (ntohl(v4.s_addr) >> 24) == 127) ||
	    (fam == 6 && IN6_IS_ADDR_LOOPBACK(&v6)))
		return result_set(out, a, AUTH_NONE, "loopback client");
	sender = arena_printf(a, "%s@%s", local, out->domain);
	if (sender == NULL)
		return -1;
	return check_run(res, opt, fam, &v4, &v6, helo, sender, a, out);
}

static size_t
helo_domain(const char *helo)
{
	return helo != NULL && helo[0] != '[' ? domain_ok(helo) : 0;
}

int
spf_check_mailfrom(struct dns_resolver *res, const struct spf_options *opt,
    const char *client_ip, const char *helo, const char *mailfrom,
    struct arena *a, struct spf_result *out)
{
	const char *m = mailfrom != NULL ? mailfrom : "", *at, *colon;
	size_t n = strlen(m), dlen;
	char *addr, *local;

	memset(out, 0, sizeof(*out));
	if (n >= 2 && m[0] == '<' && m[n - 1] == '>') {
		m++;
		n -= 2;
	}
	/* RFC 5321 4.1.2 source route "@a,@b:user@domain" */
	if (n > 0 && m[0] == '@' && (colon = memchr(m, ':', n)) != NULL) {
		n -= (size_t)(colon - m) + 1;
		m = colon + 1;
	}
	if (n == 0) {
		/* RFC 7208 2.4: the null sender is postmaster@HELO */
		if ((dlen = helo_domain(helo)) == 0) {
			out->identity = arena_strdup(a, "<>");
			if (out->identity == NULL)
				return -1;
			return result_set(out, a, AUTH_NONE,
			    "null sender and HELO is not a domain");
		}
		if ((out->identity = arena_printf(a, "postmaster@%.*s",
		    (int)dlen, helo)) == NULL)
			return -1;
		return check_identity(res, opt, client_ip, helo, "postmaster",
		    helo, dlen, a, out);
	}
	if ((addr = arena_strndup(a, m, n)) == NULL)
		return -1;
	out->identity = addr;
	at = strrchr(addr, '@');
	/* RFC 7208 4.3: no local-part means "postmaster" */
	local = at == NULL || at == addr ? arena_strdup(a, "postmaster") :
	    arena_strndup(a, addr, (size_t)(at - addr));
	if (local == NULL)
		return -1;
	if ((dlen = domain_ok(at != NULL ? at + 1 : addr)) == 0)
		return result_set(out, a, AUTH_NONE,
		    "sender domain is not a valid domain name");
	return check_identity(res, opt, client_ip, helo, local,
	    at != NULL ? at + 1 : addr, dlen, a, out);
}

int
spf_check_helo(struct dns_resolver *res, const struct spf_options *opt,
    const char *client_ip, const char *helo, struct arena *a,
    struct spf_result *out)
{
	size_t dlen;

	memset(out, 0, sizeof(*out));
	if ((out->identity = arena_strdup(a, helo != NULL ? helo : "")) ==
	    NULL)
		return -1;
	/* RFC 7208 2.3: only a HELO that is a domain name is checked */
	if ((dlen = helo_domain(helo)) == 0)
		return result_set(out, a, AUTH_NONE, "HELO is not a domain");
	return check_identity(res, opt, client_ip, helo, "postmaster", helo,
	    dlen, a, out);
}
