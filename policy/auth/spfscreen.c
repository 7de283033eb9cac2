/*
 * spfscreen.c - the SPF record screen: RFC 7208 section 12 grammar,
 * strictly, with bounded lengths, and the rewrite libspf2 compiles.
 *
 * Exports spfscreen_record and spfscreen_exp (spfscreen.h); owns nothing
 * beyond the caller's output buffer.  spfdns.c runs every SPF record it
 * fetched (TXT only, one record per name: RFC 7208 3.1, 4.5) through
 * spfscreen_record before libspf2's compiler sees it.  Debian's libspf2
 * 1.2.10 lacks the fix for CVE-2023-42118 (ZDI-23-1472, upstream PR 44):
 * an integer underflow in SPF_c_parse_macro when a macro-string fills its
 * 511-byte compile buffer to within 4 bytes, after which a literal is
 * copied past the stack buffer.  The screen computes each macro-string's
 * compiled size with libspf2's layout and refuses one within 32 bytes of
 * the limit.  libspf2 compiles a rewritten record: unknown modifiers
 * (ignored by the RFC) dropped, mechanisms after "all" dropped, redirect
 * moved to the end or dropped after "all" (libspf2 evaluates it in
 * place); a, mx, ip4 and ip6 with a zero CIDR length (which libspf2
 * cannot compile) said another way.  Explanation TXT records (6.2) are
 * screened the same way (spfscreen_exp) and given to libspf2 with each
 * space as "%_" (its macro parser misreads a raw space), uppercase macros
 * marked for spf.c to complete their URL escapes (7.3).
 *
 * Thread rule: no state of its own; any thread may call it.  Caps: record
 * length (the caller's max_len: spf_options.max_record_len, default
 * 4096), 128 terms per record, literal runs of 255 bytes, macro
 * transformer digits 1..128, each macro-string's compiled size 32 bytes
 * under libspf2's 511.  RFC 7208 4.6.1, 5, 6, 7.1-7.3, 12.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* arpa/nameser.h has ns_type; spf_dns.h would define its own */
#define HAVE_NS_TYPE 1
#include <spf2/spf.h>

#include "auth/spfscreen.h"

/* libspf2 compiles a macro-string into a 511-byte buffer */
#define SCREEN_COST_MAX		(SPF_MAX_MECH_LEN - 32)

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
		 * leaves ! * ' ( ) alone; mark it so that url_finish (spf.c)
		 * can complete the escapes (RFC 7208 7.3, RFC 3986 2.1) */
		upper = (flags & MS_EXP_TEXT) && s[start + 2] >= 'A' &&
		    s[start + 2] <= 'Z';
		if (emit_it) {
			size_t k;
			char mark = SPFSCREEN_URL_OPEN;

			if (upper)
				emit(sc, &mark, 1);
			emit(sc, s + start, 3);		/* "%{" letter */
			for (k = start + 3; k < i; k++)
				emit(sc, s[k] == 'R' ? "r" : s + k, 1);
			mark = SPFSCREEN_URL_CLOSE;
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
		emit(sc, mx ? "." SPFSCREEN_CIDR0_MX : "." SPFSCREEN_CIDR0_A,
		    strlen(mx ? "." SPFSCREEN_CIDR0_MX :
		    "." SPFSCREEN_CIDR0_A));
		return;
	}
	emit(sc, mx ? "mx" : "a", mx ? 2 : 1);
	if (dn > 0) {
		emit(sc, ":", 1);
		(void)macro_scan(sc, r + 1, dn - 1, 0, 1, &cost, &ends);
	}
	if (cidr > 0) {
		char buf[16];

		/* libspf2's parser misreads an IPv6 length with no IPv4 one
		 * before it ("mx//64", found by fuzzing): give both. */
		snprintf(buf, sizeof(buf), "%s%d", sc->v6 ? "/32//" : "/",
		    cidr);
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
 * (len + SPFSCREEN_GROWTH bytes).  0, or -1 with *why set. */
int
spfscreen_record(const char *text, size_t len, size_t max_len, int v6,
    char *out, const char **why)
{
	struct screen sc = { out, 0, len + SPFSCREEN_GROWTH, NULL, v6, 0, 0,
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
		if (++terms > SPFSCREEN_MAX_TERMS) {
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
int
spfscreen_exp(const char *text, size_t len, char *out)
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
