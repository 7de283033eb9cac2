/*
 * test_spf.c - SPF checks against local data: results, include and
 * redirect, the RFC 7208 limits at and past each one, IPv6, macros,
 * explanations, timeouts, the null sender, HELO, loopback and hostile
 * records (among them the CVE-2023-42118 trigger).  No network: names
 * are local data; $FORWARD names go to a socket that never answers.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define HAVE_NS_TYPE 1
#include <spf2/spf.h>

#include "util/arena.h"
#include "auth/auth.h"
#include "dns/dns.h"
#include "auth/spf.h"
#include "silentdns.h"

#define TIMEOUT_MS	200		/* cases that expect a timeout */
#define LOCAL_MS	2000		/* the others: no false timeout */

static const char zone[] =
	"$STATIC example\n"
	"$FORWARD slow.example\n"
	"pass.example TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	"fail.example TXT \"v=spf1 -all\"\n"
	"soft.example TXT \"v=spf1 ~all\"\n"
	"neutral.example TXT \"v=spf1 ?all\"\n"
	"default.example TXT \"v=spf1 ip4:198.51.100.1\"\n"
	"none.example A 192.0.2.1\n"
	"other.example TXT \"hello\" \"v=spf10\"\n"
	"two.example TXT \"v=spf1 -all\"\n"
	"two.example TXT \"v=spf1 +all\"\n"
	"split.example TXT \"v=spf1 ip4:\" \"192.0.2.0/24 -all\"\n"
	"upper.example TXT \"V=SPF1 IP4:192.0.2.0/24 -ALL\"\n"
	/* include and redirect */
	"inc.example TXT \"v=spf1 include:pass.example -all\"\n"
	"incfail.example TXT \"v=spf1 include:fail.example ~all\"\n"
	"incnone.example TXT \"v=spf1 include:none.example ~all\"\n"
	"redir.example TXT \"v=spf1 redirect=pass.example\"\n"
	"redirall.example TXT \"v=spf1 redirect=pass.example ?all\"\n"
	"self.example TXT \"v=spf1 include:self.example -all\"\n"
	"loop1.example TXT \"v=spf1 include:loop2.example -all\"\n"
	"loop2.example TXT \"v=spf1 include:loop1.example -all\"\n"
	"rloop.example TXT \"v=spf1 redirect=rloop.example\"\n"
	/* void lookups */
	"void2.example TXT \"v=spf1 a:nx1.example a:nx2.example ?all\"\n"
	"void3.example TXT \"v=spf1 a:nx1.example a:nx2.example "
	    "a:nx3.example ?all\"\n"
	/* DNS-querying terms, also across includes */
	"hosts.example A 198.51.100.9\n"
	"terms10.example TXT \"v=spf1 a:hosts.example a:hosts.example "
	    "a:hosts.example a:hosts.example a:hosts.example mx:hosts.example "
	    "ptr:hosts.example a:hosts.example a:hosts.example "
	    "a:hosts.example ?all\"\n"
	"terms11.example TXT \"v=spf1 a:hosts.example a:hosts.example "
	    "a:hosts.example a:hosts.example a:hosts.example mx:hosts.example "
	    "ptr:hosts.example a:hosts.example a:hosts.example "
	    "a:hosts.example a:hosts.example ?all\"\n"
	"four.example TXT \"v=spf1 a:hosts.example a:hosts.example "
	    "a:hosts.example a:hosts.example\"\n"
	"three.example TXT \"v=spf1 a:hosts.example a:hosts.example "
	    "a:hosts.example\"\n"
	"inc10.example TXT \"v=spf1 include:four.example include:three.example "
	    "a:hosts.example ?all\"\n"
	"inc11.example TXT \"v=spf1 include:four.example include:three.example "
	    "a:hosts.example a:hosts.example ?all\"\n"
	"hosts.example MX 10 hosts.example.\n"
	/* MX and PTR limits */
	"mx10.example TXT \"v=spf1 mx -all\"\n"
	"mx11.example TXT \"v=spf1 mx -all\"\n"
	"ptr.example TXT \"v=spf1 ptr -all\"\n"
	/* IPv6 */
	"v6.example TXT \"v=spf1 ip6:2001:db8::/32 -all\"\n"
	"aaaa.example TXT \"v=spf1 a//64 -all\"\n"
	"aaaa.example AAAA 2001:db8:1::1\n"
	"aaaa.example A 192.0.2.50\n"
	/* macros */
	"mi.example TXT \"v=spf1 exists:%{i}.ok.example -all\"\n"
	"192.0.2.7.ok.example A 127.0.0.2\n"
	"mir.example TXT \"v=spf1 exists:%{ir}.%{v}.rev.example -all\"\n"
	"7.2.0.192.in-addr.rev.example A 127.0.0.2\n"
	"md.example TXT \"v=spf1 exists:%{d}.dom.example -all\"\n"
	"md.example.dom.example A 127.0.0.2\n"
	"ml.example TXT \"v=spf1 exists:%{l}.lp.example -all\"\n"
	"alice.lp.example A 127.0.0.2\n"
	"mo.example TXT \"v=spf1 -exists:%{o}.o.example +all\"\n"
	"mo.example.o.example A 127.0.0.2\n"
	"exp.example TXT \"v=spf1 -all exp=why.%{d}\"\n"
	"why.exp.example TXT \"%{l} may not send from %{i} (%{L})\"\n"
	"badexp.example TXT \"v=spf1 -all exp=whybad.example\"\n"
	"whybad.example TXT \"The %{x}-files\"\n"
	/* cidr 0 */
	"any.example A 10.0.0.1\n"
	"cidr0.example TXT \"v=spf1 a:any.example/0 -all\"\n"
	"ip0.example TXT \"v=spf1 -ip4:203.0.113.0/0 +all\"\n"
	/* temperror */
	"tinc.example TXT \"v=spf1 include:slow.example -all\"\n"
	"texists.example TXT \"v=spf1 exists:slow.example -all\"\n"
	/* HELO */
	"helo.example TXT \"v=spf1 a -all\"\n"
	"helo.example A 192.0.2.20\n"
	/* hostile records (more are added at run time) */
	"badletter.example TXT \"v=spf1 a:%{z}.example -all\"\n"
	"baddigits.example TXT \"v=spf1 a:%{d129}.example -all\"\n"
	"longdigits.example TXT \"v=spf1 a:%{d0000000000001}.example -all\"\n"
	"unterm.example TXT \"v=spf1 exists:%{d\"\n"
	"delim.example TXT \"v=spf1 exists:%{l,}.example -all\"\n"
	"pipe.example TXT \"v=spf1 exists:%{l|}.example -all\"\n"
	"pct.example TXT \"v=spf1 a:foo%x.example -all\"\n"
	"nonascii.example TXT \"v=spf1 a:\\200x.example -all\"\n"
	"ctrl.example TXT \"v=spf1 a:x.example\\009-all\"\n"
	"nul.example TXT \"v=spf1 -all\\000 +all\"\n"
	"unknown.example TXT \"v=spf1 foo:bar -all\"\n"
	"redirmech.example TXT \"v=spf1 redirect:pass.example\"\n"
	"twice.example TXT \"v=spf1 redirect=a.example redirect=b.example\"\n"
	"toplabel.example TXT \"v=spf1 a:foo.123 -all\"\n"
	"cidr33.example TXT \"v=spf1 ip4:192.0.2.0/33 -all\"\n"
	"unkmod.example TXT \"v=spf1 x-unknown=%{d} a=whatever -all\"\n";

struct fixture {
	char dir[64], file[96];
	int silent;
	char fwd[32];
	struct dns_resolver *res;	/* LOCAL_MS */
	struct dns_resolver *fast;	/* TIMEOUT_MS */
	struct spf_options opt;
};

static struct fixture fx;

/* Writes rec as the TXT of name, in strings of at most 255 bytes. */
static void
put_txt(FILE *fp, const char *name, const char *rec)
{
	size_t n = strlen(rec), i;

	fprintf(fp, "%s TXT", name);
	for (i = 0; i < n; i += 255)
		fprintf(fp, " \"%.*s\"", (int)(n - i > 255 ? 255 : n - i),
		    rec + i);
	fputc('\n', fp);
}

/* The CVE-2023-42118 trigger: two literal runs of "%-" and two macros
 * bring libspf2's compile buffer to 508 of 511 bytes, so that the
 * length left for the next literal underflows; that literal then runs
 * past libspf2's 4 KB stack buffer (unscreened, Debian's libspf2 dies
 * with "stack smashing detected"). */
static char *
cve_record(void)
{
	char *r = malloc(5000);
	size_t n;
	int i;

	strcpy(r, "v=spf1 a:");
	for (i = 0; i < 84; i++)
		strcat(r, "%-");
	strcat(r, "%{d}");
	for (i = 0; i < 80; i++)
		strcat(r, "%-");
	strcat(r, "%{d}");
	n = strlen(r);
	memset(r + n, 'x', 3740);
	strcpy(r + n + 3740, " -all");
	return r;
}

static void
put_generated(FILE *fp)
{
	char *r = cve_record(), buf[8192];
	int i;

	put_txt(fp, "cve.example", r);
	free(r);
	/* over the 4096-byte record limit */
	strcpy(buf, "v=spf1");
	for (i = 0; i < 320; i++)
		strcat(buf, " ip4:192.0.2.1");
	put_txt(fp, "huge.example", buf);
	/* 129 terms, under the length limit */
	strcpy(buf, "v=spf1");
	for (i = 0; i < 129; i++)
		strcat(buf, " ?all");
	put_txt(fp, "terms.example", buf);
	/* deep include chain d0 .. d12 */
	for (i = 0; i < 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "d%d.example", i);
		snprintf(buf, sizeof(buf), "v=spf1 include:d%d.example -all",
		    i + 1);
		put_txt(fp, name, buf);
	}
	put_txt(fp, "d12.example", "v=spf1 +all");
	/* 10 and 11 MX hosts, the client at the last / the first */
	for (i = 1; i <= 11; i++) {
		if (i <= 10)
			fprintf(fp, "mx10.example MX %d h%d.example.\n", i, i);
		fprintf(fp, "mx11.example MX %d h%d.example.\n", i, i);
		fprintf(fp, "h%d.example A 192.0.2.%d\n", i, i + 100);
	}
	/* 11 PTR names: only the last is valid and under ptr.example */
	for (i = 1; i <= 11; i++) {
		fprintf(fp, "55.2.0.192.in-addr.arpa PTR p%d.ptr.example.\n",
		    i);
		fprintf(fp, "p%d.ptr.example A 192.0.2.%d\n", i,
		    i == 11 ? 55 : 200 + i);
	}
	fprintf(fp, "66.2.0.192.in-addr.arpa PTR p1.ptr.example.\n");
	fprintf(fp, "p1.ptr.example A 192.0.2.66\n");
}

static int
group_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char err[256];
	const char *fwd[1];
	struct dns_options o = { .nforwarders = 1, .timeout_ms = TIMEOUT_MS };
	FILE *fp;

	snprintf(fx.dir, sizeof(fx.dir), "%s/spfXXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	snprintf(fx.file, sizeof(fx.file), "%s/zone", fx.dir);
	if ((fp = fopen(fx.file, "w")) == NULL)
		return -1;
	fputs(zone, fp);
	put_generated(fp);
	fclose(fp);
	if ((fx.silent = silentdns_open(fx.fwd, sizeof(fx.fwd))) < 0)
		return -1;
	fwd[0] = fx.fwd;
	o.forwarders = fwd;
	o.local_data = fx.file;
	if ((fx.fast = dns_resolver_new(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "resolver: %s\n", err);
		return -1;
	}
	o.timeout_ms = LOCAL_MS;
	if ((fx.res = dns_resolver_new(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "resolver: %s\n", err);
		return -1;
	}
	spf_options_default(&fx.opt);
	fx.opt.receiver = "mx.receiver.example";
	return 0;
}

static int
group_teardown(void **state)
{
	dns_resolver_free(fx.res);
	dns_resolver_free(fx.fast);
	close(fx.silent);
	unlink(fx.file);
	rmdir(fx.dir);
	return 0;
}

struct spf_case {
	const char *what;
	const char *ip, *helo, *from;	/* from NULL: HELO check */
	enum auth_result want;
	const char *reason;		/* part of the reason, or NULL */
	const char *exp;		/* the explanation, or NULL: none */
};

/* Optional fields (reason, exp) left out are NULL. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct spf_case cases[] = {
	{ "pass", "192.0.2.1", "h.example", "a@pass.example", AUTH_PASS },
	{ "fail", "192.0.2.1", "h.example", "a@fail.example", AUTH_FAIL },
	{ "softfail", "192.0.2.1", "h", "a@soft.example", AUTH_SOFTFAIL },
	{ "neutral", "192.0.2.1", "h", "a@neutral.example", AUTH_NEUTRAL },
	{ "default neutral", "192.0.2.1", "h", "a@default.example",
	  AUTH_NEUTRAL, "no mechanism matched" },
	{ "no record", "192.0.2.1", "h", "a@none.example", AUTH_NONE,
	  "no SPF record" },
	{ "no such domain", "192.0.2.1", "h", "a@nx.example", AUTH_NONE },
	{ "other TXT only", "192.0.2.1", "h", "a@other.example", AUTH_NONE },
	{ "two records", "192.0.2.1", "h", "a@two.example", AUTH_PERMERROR,
	  "more than one SPF record" },
	{ "strings joined", "192.0.2.1", "h", "a@split.example", AUTH_PASS },
	{ "case-insensitive", "192.0.2.1", "h", "a@upper.example",
	  AUTH_PASS },
	{ "angle brackets", "192.0.2.1", "h", "<a@pass.example>", AUTH_PASS },
	{ "no local-part", "192.0.2.1", "h", "pass.example", AUTH_PASS },
	{ "bad sender domain", "192.0.2.1", "h", "a@bad..example", AUTH_NONE,
	  "not a valid domain" },
	{ "sender domain literal", "192.0.2.1", "h", "a@[192.0.2.1]",
	  AUTH_NONE },
	{ "single-label domain", "192.0.2.1", "h", "a@localhost", AUTH_NONE },
	/* include and redirect */
	{ "include pass", "192.0.2.1", "h", "a@inc.example", AUTH_PASS },
	{ "include fail is no match", "192.0.2.1", "h", "a@incfail.example",
	  AUTH_SOFTFAIL },
	{ "include of none", "192.0.2.1", "h", "a@incnone.example",
	  AUTH_PERMERROR },
	{ "redirect", "192.0.2.1", "h", "a@redir.example", AUTH_PASS },
	{ "redirect ignored after all", "192.0.2.1", "h",
	  "a@redirall.example", AUTH_NEUTRAL },
	{ "include of itself", "192.0.2.1", "h", "a@self.example",
	  AUTH_PERMERROR },
	{ "include loop", "192.0.2.1", "h", "a@loop1.example",
	  AUTH_PERMERROR, "DNS-querying terms" },
	{ "redirect loop", "192.0.2.1", "h", "a@rloop.example",
	  AUTH_PERMERROR },
	{ "deep include chain", "192.0.2.1", "h", "a@d0.example",
	  AUTH_PERMERROR, "more than 10 DNS-querying terms" },
	/* limits: at and past */
	{ "2 void lookups", "192.0.2.1", "h", "a@void2.example",
	  AUTH_NEUTRAL },
	{ "3rd void lookup", "192.0.2.1", "h", "a@void3.example",
	  AUTH_PERMERROR, "more than 2 void lookups" },
	{ "10 terms", "192.0.2.1", "h", "a@terms10.example", AUTH_NEUTRAL },
	{ "11 terms", "192.0.2.1", "h", "a@terms11.example", AUTH_PERMERROR,
	  "more than 10 DNS-querying terms" },
	{ "10 terms across includes", "192.0.2.1", "h", "a@inc10.example",
	  AUTH_NEUTRAL },
	{ "11 terms across includes", "192.0.2.1", "h", "a@inc11.example",
	  AUTH_PERMERROR, "more than 10 DNS-querying terms" },
	{ "10 MX hosts", "192.0.2.110", "h", "a@mx10.example", AUTH_PASS },
	{ "11 MX hosts", "192.0.2.101", "h", "a@mx11.example",
	  AUTH_PERMERROR, "more than 10 MX records" },
	{ "11th PTR name ignored", "192.0.2.55", "h", "a@ptr.example",
	  AUTH_FAIL },
	{ "ptr match", "192.0.2.66", "h", "a@ptr.example", AUTH_PASS },
	/* IPv6 */
	{ "ip6 pass", "2001:db8::5", "h", "a@v6.example", AUTH_PASS },
	{ "ip6 fail", "2001:db9::1", "h", "a@v6.example", AUTH_FAIL },
	{ "AAAA /64 pass", "2001:db8:1::ffff", "h", "a@aaaa.example",
	  AUTH_PASS },
	{ "AAAA /64 fail", "2001:db8:2::1", "h", "a@aaaa.example",
	  AUTH_FAIL },
	{ "A for IPv4 client", "192.0.2.50", "h", "a@aaaa.example",
	  AUTH_PASS },
	{ "v4-mapped client is IPv4", "::ffff:192.0.2.50", "h",
	  "a@aaaa.example", AUTH_PASS },
	/* macros */
	{ "%{i}", "192.0.2.7", "h", "a@mi.example", AUTH_PASS },
	{ "%{i} other client", "192.0.2.8", "h", "a@mi.example", AUTH_FAIL },
	{ "%{ir}.%{v}", "192.0.2.7", "h", "a@mir.example", AUTH_PASS },
	{ "%{d}", "192.0.2.9", "h", "a@md.example", AUTH_PASS },
	{ "%{l}", "192.0.2.9", "h", "alice@ml.example", AUTH_PASS },
	{ "%{l} other user", "192.0.2.9", "h", "bob@ml.example", AUTH_FAIL },
	{ "%{o}", "192.0.2.9", "h", "a@mo.example", AUTH_FAIL },
	{ "explanation", "192.0.2.9", "h", "bob+x=y@exp.example", AUTH_FAIL,
	  NULL, "bob+x=y may not send from 192.0.2.9 (bob%2Bx%3Dy)" },
	{ "bad explanation ignored", "192.0.2.9", "h", "a@badexp.example",
	  AUTH_FAIL, NULL, NULL },
	/* cidr 0 (libspf2 alone cannot say it) */
	{ "a/0", "203.0.113.77", "h", "a@cidr0.example", AUTH_PASS },
	{ "a/0 IPv6 client", "2001:db8::77", "h", "a@cidr0.example",
	  AUTH_FAIL },
	{ "ip4/0", "198.51.100.3", "h", "a@ip0.example", AUTH_FAIL },
	/* temperror */
	{ "timeout", "192.0.2.1", "h", "a@slow.example", AUTH_TEMPERROR,
	  "DNS" },
	{ "include timeout", "192.0.2.1", "h", "a@tinc.example",
	  AUTH_TEMPERROR },
	{ "exists timeout", "192.0.2.1", "h", "a@texists.example",
	  AUTH_TEMPERROR },
	/* null sender and HELO */
	{ "null sender", "192.0.2.20", "helo.example", "", AUTH_PASS },
	{ "null sender <>", "192.0.2.21", "helo.example", "<>", AUTH_FAIL },
	{ "null sender, literal HELO", "192.0.2.20", "[192.0.2.20]", "",
	  AUTH_NONE, "HELO is not a domain" },
	{ "HELO pass", "192.0.2.20", "helo.example", NULL, AUTH_PASS },
	{ "HELO fail", "192.0.2.21", "helo.example", NULL, AUTH_FAIL },
	{ "HELO literal", "192.0.2.20", "[192.0.2.20]", NULL, AUTH_NONE },
	{ "HELO single label", "192.0.2.20", "mailhost", NULL, AUTH_NONE },
	{ "HELO IPv4 address", "192.0.2.20", "192.0.2.20", NULL, AUTH_NONE },
	{ "HELO empty", "192.0.2.20", "", NULL, AUTH_NONE },
	/* loopback and bad clients */
	{ "loopback", "127.0.0.1", "h", "a@fail.example", AUTH_NONE,
	  "loopback client" },
	{ "loopback /8", "127.3.4.5", "h", "a@pass.example", AUTH_NONE,
	  "loopback client" },
	{ "IPv6 loopback", "::1", "h", "a@fail.example", AUTH_NONE,
	  "loopback client" },
	{ "v4-mapped loopback", "::ffff:127.0.0.1", "h", "a@fail.example",
	  AUTH_NONE, "loopback client" },
	{ "HELO loopback", "127.0.0.1", "helo.example", NULL, AUTH_NONE,
	  "loopback client" },
	{ "bad client address", "not-an-ip", "h", "a@fail.example",
	  AUTH_NONE },
	/* hostile records */
	{ "CVE-2023-42118 trigger", "192.0.2.1", "h", "a@cve.example",
	  AUTH_PERMERROR, "SPF record: macro-string literal too long" },
	{ "huge record", "192.0.2.1", "h", "a@huge.example", AUTH_PERMERROR,
	  "record too long" },
	{ "129 terms", "192.0.2.1", "h", "a@terms.example", AUTH_PERMERROR,
	  "too many terms" },
	{ "bad macro letter", "192.0.2.1", "h", "a@badletter.example",
	  AUTH_PERMERROR, "bad macro letter" },
	{ "macro digits 129", "192.0.2.1", "h", "a@baddigits.example",
	  AUTH_PERMERROR, "out of range" },
	{ "macro digits unbounded", "192.0.2.1", "h", "a@longdigits.example",
	  AUTH_PERMERROR, "digits too long" },
	{ "unterminated macro", "192.0.2.1", "h", "a@unterm.example",
	  AUTH_PERMERROR },
	{ "',' delimiter", "192.0.2.1", "h", "a@delim.example",
	  AUTH_PERMERROR },
	{ "'|' delimiter", "192.0.2.1", "h", "a@pipe.example",
	  AUTH_PERMERROR },
	{ "bad % escape", "192.0.2.1", "h", "a@pct.example", AUTH_PERMERROR,
	  "bad macro escape" },
	{ "non-ASCII", "192.0.2.1", "h", "a@nonascii.example",
	  AUTH_PERMERROR, "non-ASCII" },
	{ "tab", "192.0.2.1", "h", "a@ctrl.example", AUTH_PERMERROR },
	{ "NUL", "192.0.2.1", "h", "a@nul.example", AUTH_PERMERROR },
	{ "unknown mechanism", "192.0.2.1", "h", "a@unknown.example",
	  AUTH_PERMERROR, "unknown mechanism" },
	{ "redirect as mechanism", "192.0.2.1", "h", "a@redirmech.example",
	  AUTH_PERMERROR },
	{ "redirect twice", "192.0.2.1", "h", "a@twice.example",
	  AUTH_PERMERROR, "redirect twice" },
	{ "numeric top label", "192.0.2.1", "h", "a@toplabel.example",
	  AUTH_PERMERROR, "top label" },
	{ "CIDR 33", "192.0.2.1", "h", "a@cidr33.example", AUTH_PERMERROR },
	{ "unknown modifiers ignored", "192.0.2.1", "h", "a@unkmod.example",
	  AUTH_FAIL },
};
#pragma GCC diagnostic pop

static int
check_case(const struct spf_case *c, struct spf_result *r, struct arena *a)
{
	struct dns_resolver *res = c->want == AUTH_TEMPERROR ? fx.fast :
	    fx.res;

	return c->from != NULL ?
	    spf_check_mailfrom(res, NULL, &fx.opt, c->ip, c->helo, c->from, a,
	    r) :
	    spf_check_helo(res, NULL, &fx.opt, c->ip, c->helo, a, r);
}

static void
run_case(const struct spf_case *c, struct spf_result *r, struct arena *a)
{
	int rc = check_case(c, r, a);

	if (rc != 0)
		fail_msg("%s: returned %d", c->what, rc);
}

static void
case_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct spf_case *c = &cases[i];
		struct arena *a = arena_new();
		struct spf_result r;

		assert_non_null(a);
		run_case(c, &r, a);
		if (r.result != c->want)
			fail_msg("%s: %s (%s), want %s", c->what,
			    auth_result_name(r.result),
			    r.reason != NULL ? r.reason : "",
			    auth_result_name(c->want));
		if (c->reason != NULL && (r.reason == NULL ||
		    strstr(r.reason, c->reason) == NULL))
			fail_msg("%s: reason \"%s\", want \"%s\"", c->what,
			    r.reason != NULL ? r.reason : "(null)", c->reason);
		if ((c->exp == NULL) != (r.explanation == NULL) ||
		    (c->exp != NULL && strcmp(c->exp, r.explanation) != 0))
			fail_msg("%s: explanation \"%s\", want \"%s\"", c->what,
			    r.explanation != NULL ? r.explanation : "(null)",
			    c->exp != NULL ? c->exp : "(null)");
		arena_free(a);
	}
}

static void
identity_and_domain(void **state)
{
	struct arena *a = arena_new();
	struct spf_result r;

	assert_int_equal(spf_check_mailfrom(fx.res, NULL, &fx.opt, "192.0.2.20",
	    "helo.example.", "", a, &r), 0);
	assert_string_equal(r.identity, "postmaster@helo.example");
	assert_string_equal(r.domain, "helo.example");
	assert_int_equal(spf_check_mailfrom(fx.res, NULL, NULL, "192.0.2.1",
	    "h", "<Bob@Pass.Example.>", a, &r), 0);
	assert_int_equal(r.result, AUTH_PASS);
	assert_string_equal(r.identity, "Bob@Pass.Example.");
	assert_string_equal(r.domain, "Pass.Example");
	assert_int_equal(spf_check_helo(fx.res, NULL, &fx.opt, "192.0.2.20",
	    "helo.example", a, &r), 0);
	assert_string_equal(r.identity, "helo.example");
	assert_string_equal(r.domain, "helo.example");
	assert_int_equal(spf_check_mailfrom(fx.res, NULL, &fx.opt, "192.0.2.1",
	    "h", NULL, a, &r), 0);
	assert_int_equal(r.result, AUTH_NONE);
	arena_free(a);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void
timeout_is_bounded(void **state)
{
	struct arena *a = arena_new();
	struct spf_result r;
	double t0 = now_us();

	assert_int_equal(spf_check_mailfrom(fx.fast, NULL, &fx.opt, "192.0.2.1",
	    "h", "a@tinc.example", a, &r), 0);
	assert_int_equal(r.result, AUTH_TEMPERROR);
	assert_true(now_us() - t0 < 3 * TIMEOUT_MS * 1000);
	arena_free(a);
}

static SPF_dns_rr_t *
no_lookup(SPF_dns_server_t *s, const char *d, ns_type t, int c)
{
	return SPF_dns_rr_new_init(s, d, t, 0, HOST_NOT_FOUND);
}

/* What a check adds in libspf2 objects: server (with its compiled empty
 * explanation), request, response.  Reported, and bounded loosely. */
static void
per_check_server_cost(void **state)
{
	SPF_dns_server_t layer;
	struct arena *a = arena_new();
	struct spf_result r;
	double t0, server_us, check_us;
	int i, n = 2000;

	memset(&layer, 0, sizeof(layer));
	layer.lookup = no_lookup;
	layer.name = "bench";
	t0 = now_us();
	for (i = 0; i < n; i++) {
		SPF_server_t *s = SPF_server_new_dns(&layer, 0);
		SPF_response_t *resp = NULL;
		SPF_request_t *req;

		assert_non_null(s);
		SPF_server_set_explanation(s, "", &resp);
		SPF_response_free(resp);
		req = SPF_request_new(s);
		SPF_request_free(req);
		SPF_server_free(s);
	}
	server_us = (now_us() - t0) / n;
	t0 = now_us();
	for (i = 0; i < n; i++)
		assert_int_equal(spf_check_mailfrom(fx.res, NULL, &fx.opt,
		    "192.0.2.1", "h", "a@pass.example", a, &r), 0);
	check_us = (now_us() - t0) / n;
	assert_int_equal(r.result, AUTH_PASS);
	print_message("libspf2 server+request per check: %.2f us; "
	    "whole check (local data, 1 lookup): %.1f us\n", server_us,
	    check_us);
	assert_true(server_us < 1000);
	arena_free(a);
}

struct worker {
	pthread_t t;
	int bad;
	unsigned seed;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < 60; i++) {
		const struct spf_case *c = &cases[(w->seed + (unsigned)i * 7) %
		    (sizeof(cases) / sizeof(cases[0]))];
		struct arena *a;
		struct spf_result r;
		int rc;

		if (c->want == AUTH_TEMPERROR)
			continue;		/* timeouts: case_table */
		a = arena_new();
		rc = check_case(c, &r, a);
		if (rc != 0 || r.result != c->want) {
			print_message("thread: %s: %s (%s)\n", c->what,
			    auth_result_name(r.result), r.reason);
			w->bad++;
		}
		arena_free(a);
	}
	return NULL;
}

static void
concurrent_checks(void **state)
{
	struct worker w[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i].bad = 0;
		w[i].seed = (unsigned)i * 13;
		assert_int_equal(pthread_create(&w[i].t, NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(w[i].t, NULL);
		assert_int_equal(w[i].bad, 0);
	}
}

/* libspf2 must never print: run the hostile cases with stderr and
 * stdout going to a file, which must stay empty. */
static void
libspf2_is_silent(void **state)
{
	char path[128];
	struct stat st;
	int fd, saved_err, saved_out;
	size_t i;

	snprintf(path, sizeof(path), "%s/stderr", fx.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stdout);
	fflush(stderr);
	saved_err = dup(2);
	saved_out = dup(1);
	dup2(fd, 2);
	dup2(fd, 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct spf_case *c = &cases[i];
		struct arena *a = arena_new();
		struct spf_result r;

		/* no cmocka assertion while stdout is a file */
		(void)check_case(c, &r, a);
		arena_free(a);
	}
	fflush(stdout);
	fflush(stderr);
	dup2(saved_err, 2);
	dup2(saved_out, 1);
	close(saved_err);
	close(saved_out);
	close(fd);
	assert_int_equal(stat(path, &st), 0);
	if (st.st_size != 0) {
		char buf[256] = "";
		FILE *fp = fopen(path, "r");

		if (fp != NULL) {
			buf[fread(buf, 1, sizeof(buf) - 1, fp)] = '\0';
			fclose(fp);
		}
		unlink(path);
		fail_msg("printed: %s", buf);
	}
	unlink(path);
}

static void
options_default(void **state)
{
	struct spf_options o;

	memset(&o, 0xff, sizeof(o));
	spf_options_default(&o);
	assert_int_equal(o.max_dns_terms, 10);
	assert_int_equal(o.max_void_lookups, 2);
	assert_int_equal(o.max_record_len, 4096);
	assert_null(o.receiver);
}

static void
limits_follow_options(void **state)
{
	struct spf_options o = fx.opt;
	struct arena *a = arena_new();
	struct spf_result r;

	o.max_void_lookups = 1;
	assert_int_equal(spf_check_mailfrom(fx.res, NULL, &o, "192.0.2.1", "h",
	    "a@void2.example", a, &r), 0);
	assert_int_equal(r.result, AUTH_PERMERROR);
	o = fx.opt;
	o.max_dns_terms = 11;
	assert_int_equal(spf_check_mailfrom(fx.res, NULL, &o, "192.0.2.1", "h",
	    "a@terms11.example", a, &r), 0);
	assert_int_equal(r.result, AUTH_NEUTRAL);
	o = fx.opt;
	o.max_record_len = 30;
	assert_int_equal(spf_check_mailfrom(fx.res, NULL, &o, "192.0.2.1", "h",
	    "a@pass.example", a, &r), 0);
	assert_int_equal(r.result, AUTH_PASS);
	assert_int_equal(spf_check_mailfrom(fx.res, NULL, &o, "192.0.2.1", "h",
	    "a@terms10.example", a, &r), 0);
	assert_int_equal(r.result, AUTH_PERMERROR);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_default),
		cmocka_unit_test(case_table),
		cmocka_unit_test(identity_and_domain),
		cmocka_unit_test(limits_follow_options),
		cmocka_unit_test(timeout_is_bounded),
		cmocka_unit_test(per_check_server_cost),
		cmocka_unit_test(concurrent_checks),
		cmocka_unit_test(libspf2_is_silent),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
