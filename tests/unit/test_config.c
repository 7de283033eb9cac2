/*
 * test_config.c - config.c (every setting type, every error with its
 * FILE:LINE, defaults, dump/reload round trips) and log.c (words, the
 * stderr line: level word, id, control bytes, length cap).
 * Scratch files live in a mkdtemp directory under $TMPDIR, removed after.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "config/config.h"
#include "conffix.h"
#include "util/log.h"

/* Writes text to conffix_dir/name; returns the path (static per call site
 * is not needed: callers copy). */
static void
defaults_are_documented_values(void **state)
{
	struct config *c = config_default();
	char host[256];

	assert_non_null(c);
	assert_null(c->path);
	assert_string_equal(c->socket, "inet:8893@127.0.0.1");
	assert_int_equal(c->socket_mode, 0660);
	assert_string_equal(c->user, "");
	assert_int_equal(c->allow_root, 0);
	assert_int_equal(c->daemon_landlock, 1);
	assert_int_equal(c->milter_timeout_s, 360);
	assert_int_equal(c->max_connections, 256);
	assert_int_equal(c->max_message_header_bytes, 262144);
	assert_int_equal(c->redis_timeout_ms, 250);
	assert_int_equal(c->redis_max_reply_bytes, 16777216);
	assert_string_equal(c->pidfile, "");
	assert_int_equal(c->syslog_facility, LOG_MAIL);
	assert_int_equal(c->log_level, LOG_L_INFO);
	assert_string_equal(c->hostname, "");
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_string_equal(c->authserv_id, host);
	assert_int_equal(c->add_authres, 1);
	assert_string_equal(c->dns_resolv_conf, "");
	assert_int_equal(c->dns_nforwarders, 0);
	assert_int_equal(c->dns_timeout_ms, 5000);
	assert_string_equal(c->dns_local_data, "");
	assert_int_equal(c->spf_enable, 1);
	assert_int_equal(c->spf_helo, 1);
	assert_int_equal(c->spf_max_dns_terms, 10);
	assert_int_equal(c->spf_max_void_lookups, 2);
	assert_int_equal(c->dkim_enable, 1);
	assert_int_equal(c->dkim_max_signatures, 5);
	assert_int_equal(c->dmarc_enable, 1);
	assert_string_equal(c->psl_file, "");
	assert_int_equal(c->n_internal_relays, 0);
	/* issue 13 item 1: no internal host, not even loopback, and no
	 * attachment policy for outbound mail */
	assert_int_equal(c->n_internal_hosts, 0);
	assert_int_equal(c->outbound_attachments, 0);
	/* issue 14 item 2: no metrics endpoint unless configured */
	assert_string_equal(c->metrics_listen, "");
	assert_int_equal(c->metrics_allow_remote, 0);
	assert_int_equal(c->max_headers, 1000);
	assert_int_equal(c->max_header_length, 65536);
	assert_int_equal(c->max_received_walk, 20);
	config_free(c);
	config_free(NULL);
}

static void
default_dump_reloads_to_same_dump(void **state)
{
	struct config *c = config_default(), *r;
	char path[600], err[512], *d1, *d2;

	assert_non_null(c);
	d1 = conffix_dump(c);
	conffix_write("defaults.conf", d1, path, sizeof(path));
	if (config_load(path, &r, err, sizeof(err)) != 0)
		fail_msg("reload: %s", err);
	d2 = conffix_dump(r);
	assert_string_equal(conffix_body(d1), conffix_body(d2));
	assert_string_equal(r->path, path);
	free(d1);
	free(d2);
	config_free(c);
	config_free(r);
}

static void
shipped_example_is_valid_and_all_defaults(void **state)
{
	struct config *c, *d = config_default();
	char path[600], err[512], *d1, *d2;

	snprintf(path, sizeof(path), "%s/contrib/relaywarden.conf", conffix_srcdir());
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	d1 = conffix_dump(c);
	d2 = conffix_dump(d);
	assert_string_equal(conffix_body(d1), conffix_body(d2));
	free(d1);
	free(d2);
	config_free(c);
	config_free(d);
}

static void
full_file_sets_every_type(void **state)
{
	struct config *c;
	char path[600], err[512], want[700], buf[64];

	snprintf(path, sizeof(path), "%s/tests/unit/data/config_full.conf",
	    conffix_srcdir());
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c->socket,
	    "unix:/run/relaywarden/relaywarden.sock");
	assert_int_equal(c->socket_mode, 0640);
	assert_string_equal(c->user, "relaywarden");
	assert_int_equal(c->allow_root, 1);
	assert_int_equal(c->daemon_landlock, 0);
	assert_int_equal(c->milter_timeout_s, 30);
	assert_int_equal(c->max_connections, 50);
	assert_int_equal(c->max_message_header_bytes, 65536);
	assert_int_equal(c->redis_max_reply_bytes, 1048576);
	assert_int_equal(c->syslog_facility, LOG_LOCAL3);
	assert_int_equal(c->log_level, LOG_L_DEBUG);
	assert_string_equal(c->authserv_id, "mx.example.net");
	assert_int_equal(c->add_authres, 0);
	assert_int_equal(c->dns_nforwarders, 2);
	assert_string_equal(c->dns_forwarders[1], "2001:db8::53@5353");
	assert_int_equal(c->dns_timeout_ms, 2500);
	/* relative to the file's directory, made absolute */
	assert_true(c->dns_local_data[0] == '/');
	snprintf(want, sizeof(want), "/tests/unit/data/zones/local.zone");
	assert_non_null(strstr(c->dns_local_data, want));
	assert_int_equal(c->spf_max_void_lookups, 0);
	assert_int_equal(c->n_internal_relays, 4);
	net_cidr_format(&c->internal_relays[3], buf, sizeof(buf));
	assert_string_equal(buf, "172.16.0.0/12");	/* host bits cleared */
	net_cidr_format(&c->internal_relays[1], buf, sizeof(buf));
	assert_string_equal(buf, "192.168.1.7/32");
	assert_int_equal(c->max_received_walk, 1);
	assert_int_equal(c->max_header_length, 1000);
	assert_int_equal(c->attach_qr_max_pixels, 250000);
	assert_int_equal(c->attach_qr_max_images, 0);
	config_free(c);
}

static void
full_dump_reloads_to_same_dump(void **state)
{
	struct config *c, *r;
	char path[600], again[600], err[512], *d1, *d2;

	snprintf(path, sizeof(path), "%s/tests/unit/data/config_full.conf",
	    conffix_srcdir());
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	d1 = conffix_dump(c);
	conffix_write("full-again.conf", d1, again, sizeof(again));
	if (config_load(again, &r, err, sizeof(err)) != 0)
		fail_msg("reload: %s", err);
	d2 = conffix_dump(r);
	assert_string_equal(conffix_body(d1), conffix_body(d2));
	free(d1);
	free(d2);
	config_free(c);
	config_free(r);
}

static void
include_is_read_from_the_files_directory(void **state)
{
	struct config *c;
	char path[600], err[512];

	snprintf(path, sizeof(path), "%s/tests/unit/data/config_include.conf",
	    conffix_srcdir());
	if (config_load(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->max_headers, 4321);
	assert_int_equal(c->log_level, LOG_L_WARNING);
	assert_int_equal(c->max_received_walk, 7);
	config_free(c);
}

static void
error_in_included_file_names_that_file(void **state)
{
	struct config *c = NULL;
	char main[600], inc[600], err[512], want[700];

	conffix_write("inc-bad.inc", "max_headers = 10;\nno_such = 1;\n", inc,
	    sizeof(inc));
	conffix_write("inc-main.conf", "log_level = \"info\";\n"
	    "@include \"inc-bad.inc\"\n", main, sizeof(main));
	assert_int_equal(config_load(main, &c, err, sizeof(err)), -1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s:2: no_such: unknown setting", inc);
	assert_string_equal(err, want);
}

static void
missing_file_is_an_error(void **state)
{
	struct config *c = NULL;
	char err[512];

	assert_int_equal(config_load("/nonexistent/relaywarden.conf", &c,
	    err, sizeof(err)), -1);
	assert_null(c);
	assert_non_null(strstr(err, "/nonexistent/relaywarden.conf: cannot "
	    "open: "));
}

/* Each bad file: the line and the setting the message must name, and a
 * piece of the problem. */
static const struct bad_case {
	const char *behaviour, *text;
	unsigned line;
	const char *setting, *problem;
} bad_cases[] = {
	{ "unknown setting", "spf_enable = true;\n\nspf_enabled = true;\n",
	    3, "spf_enabled", "unknown setting" },
	{ "group is not a setting", "spf = { enable = true; };\n", 1, "spf",
	    "unknown setting" },
	{ "syntax error", "max_headers = 10;\nsocket = ;\n", 2,
	    NULL, "syntax error" },
	{ "duplicate setting", "max_headers = 10;\nmax_headers = 20;\n", 2,
	    NULL, "duplicate setting" },
	{ "bool given a string", "spf_enable = \"yes\";\n", 1, "spf_enable",
	    "true or false" },
	{ "uint above range", "\n\ndns_timeout_ms = 60001;\n", 3,
	    "dns_timeout_ms", "out of range 100 to 60000" },
	{ "uint below range", "dns_timeout_ms = 99;\n", 1, "dns_timeout_ms",
	    "out of range" },
	{ "uint negative", "max_headers = -1;\n", 1, "max_headers",
	    "out of range" },
	{ "uint given a float", "max_headers = 1.5;\n", 1, "max_headers",
	    "whole number" },
	{ "uint given a string", "max_headers = \"10\";\n", 1, "max_headers",
	    "whole number" },
	{ "literal wrapped by libconfig into range",
	    "max_headers = 4294968296;\n", 1, "max_headers", "out of range" },
	{ "wrapped literal after another setting",
	    "log_level = \"info\"; max_headers = 4294968296;\n", 1,
	    "max_headers", "out of range" },
	{ "int64 above range", "max_headers = 5000000000L;\n", 1,
	    "max_headers", "out of range" },
	{ "mode with digit 8", "socket_mode = 0680;\n", 1, "socket_mode",
	    "octal mode" },
	{ "mode string not octal", "socket_mode = \"rw-rw----\";\n", 1,
	    "socket_mode", "octal mode" },
	{ "mode above 0777", "socket_mode = \"01777\";\n", 1, "socket_mode",
	    "octal mode" },
	{ "log level unknown", "log_level = \"verbose\";\n", 1, "log_level",
	    "\"debug\"" },
	{ "facility unknown", "syslog_facility = \"local8\";\n", 1,
	    "syslog_facility", "\"local7\"" },
	{ "facility not a string", "syslog_facility = 3;\n", 1,
	    "syslog_facility", "one of" },
	{ "bad CIDR prefix on its line",
	    "internal_relays = [\n  \"10.0.0.0/8\",\n  \"10.0.0.0/33\"\n];\n",
	    3, "internal_relays", "prefix length above 32" },
	{ "CIDR not an address", "internal_relays = [\"mx.example.net\"];\n",
	    1, "internal_relays", "not an IP address" },
	{ "CIDR v6 prefix above 128", "internal_relays = [\"::/129\"];\n", 1,
	    "internal_relays", "above 128" },
	{ "CIDR garbage prefix", "internal_relays = [\"10.0.0.0/8x\"];\n", 1,
	    "internal_relays", "bad prefix" },
	{ "CIDR list of numbers", "internal_relays = [10];\n", 1,
	    "internal_relays", "not a string" },
	{ "list given a string", "internal_relays = \"10.0.0.0/8\";\n", 1,
	    "internal_relays", "list of strings" },
	{ "socket unknown scheme", "socket = \"tcp:8893@127.0.0.1\";\n", 1,
	    "socket", "expected inet:PORT@ADDR" },
	{ "socket port zero", "socket = \"inet:0@127.0.0.1\";\n", 1,
	    "socket", "port must be 1 to 65535" },
	{ "socket port too big", "socket = \"inet:65536@127.0.0.1\";\n", 1,
	    "socket", "port must be" },
	{ "socket without address", "socket = \"inet:8893\";\n", 1,
	    "socket", "expected inet:PORT@ADDR" },
	{ "socket v6 address under inet", "socket = \"inet:8893@::1\";\n", 1,
	    "socket", "needs inet6:" },
	{ "socket v4 address under inet6",
	    "socket = \"inet6:8893@127.0.0.1\";\n", 1, "socket",
	    "needs inet:" },
	{ "socket bad host", "socket = \"inet:8893@bad host\";\n", 1,
	    "socket", "neither an address nor a host name" },
	{ "socket relative unix path", "socket = \"unix:run/rw.sock\";\n", 1,
	    "socket", "absolute" },
	{ "authserv-id with space", "authserv_id = \"mx example\";\n", 1,
	    "authserv_id", "not a valid authserv-id" },
	{ "authserv-id with semicolon", "authserv_id = \"mx;spf=pass\";\n",
	    1, "authserv_id", "not a valid authserv-id" },
	{ "authserv-id empty", "authserv_id = \"\";\n", 1, "authserv_id",
	    "must not be empty" },
	{ "authserv-id empty label", "authserv_id = \"mx..example\";\n", 1,
	    "authserv_id", "not a valid" },
	{ "forwarder port zero", "dns_forwarders = [\"192.0.2.1@0\"];\n", 1,
	    "dns_forwarders", "port must be" },
	{ "forwarder host name", "dns_forwarders = [\"dns.example\"];\n", 1,
	    "dns_forwarders", "not an IP address" },
	{ "forwarder in brackets", "dns_forwarders = [\"[::1]\"];\n", 1,
	    "dns_forwarders", "not an IP address" },
	{ "pidfile relative", "pidfile = \"run/rw.pid\";\n", 1, "pidfile",
	    "must be absolute" },
	{ "psl_file relative", "psl_file = \"psl.dat\";\n", 1, "psl_file",
	    "must be absolute" },
	{ "user with a space", "user = \"mail user\";\n", 1, "user",
	    "not a user name" },
	{ "hostname bad label", "hostname = \"-mx.example\";\n", 1,
	    "hostname", "not a host name" },
	{ "incomplete scan milder than quarantine",
	    "attach_incomplete_action = \"tag\";\n", 1,
	    "attach_incomplete_action", "one of quarantine, tempfail, reject" },
	{ "attachment CPU budget below range", "attach_max_cpu_ms = 5;\n", 1,
	    "attach_max_cpu_ms", "out of range 10 to 600000" },
	{ "QR pixel cap below range", "attach_qr_max_pixels = 100;\n", 1,
	    "attach_qr_max_pixels", "out of range 1024 to 100000000" },
	{ "QR image cap above range", "attach_qr_max_images = 1001;\n", 1,
	    "attach_qr_max_images", "out of range 0 to 1000" },
	{ "spool memory total above range",
	    "attach_spool_memory_total = 2147483648;\n", 1,
	    "attach_spool_memory_total", "out of range 0 to 2147483647" },
};

static void
bad_files_give_file_line_setting_problem(void **state)
{
	const struct bad_case *b;
	struct config *c;
	char path[600], err[512], want[800];
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		b = &bad_cases[i];
		c = NULL;
		conffix_write("bad.conf", b->text, path, sizeof(path));
		if (config_load(path, &c, err, sizeof(err)) != -1)
			fail_msg("%s: loaded", b->behaviour);
		assert_null(c);
		if (b->setting != NULL)
			snprintf(want, sizeof(want), "%s:%u: %s: ", path,
			    b->line, b->setting);
		else
			snprintf(want, sizeof(want), "%s:%u: ", path, b->line);
		if (strncmp(err, want, strlen(want)) != 0 ||
		    strstr(err + strlen(want), b->problem) == NULL)
			fail_msg("%s: got \"%s\", want \"%s...%s\"",
			    b->behaviour, err, want, b->problem);
	}
}

static const struct good_case {
	const char *behaviour, *text;
	size_t off;			/* unsigned field checked */
	unsigned value;
} good_cases[] = {
	{ "mode as octal string", "socket_mode = \"0600\";\n",
	    offsetof(struct config, socket_mode), 0600 },
	{ "mode as octal digits", "socket_mode = 0666;\n",
	    offsetof(struct config, socket_mode), 0666 },
	{ "mode as hex", "socket_mode = 0x1A4;\n",
	    offsetof(struct config, socket_mode), 0644 },
	{ "int64 in range", "max_headers = 500L;\n",
	    offsetof(struct config, max_headers), 500 },
	{ "range limit low", "dns_timeout_ms = 100;\n",
	    offsetof(struct config, dns_timeout_ms), 100 },
	{ "range limit high", "dns_timeout_ms = 60000;\n",
	    offsetof(struct config, dns_timeout_ms), 60000 },
	{ "inet6 socket", "socket = \"inet6:8893@::1\";\n",
	    offsetof(struct config, dns_timeout_ms), 5000 },
	{ "socket on a host name", "socket = \"inet:8893@localhost\";\n",
	    offsetof(struct config, dns_timeout_ms), 5000 },
	{ "level word error", "log_level = \"error\";\n",
	    offsetof(struct config, log_level), LOG_L_ERR },
	{ "empty lists", "dns_forwarders = [];\ninternal_relays = ();\n",
	    offsetof(struct config, n_internal_relays), 0 },
	{ "list in parentheses",
	    "internal_relays = (\"10.0.0.0/8\", \"::ffff:0:0/96\");\n",
	    offsetof(struct config, n_internal_relays), 2 },
	{ "empty file", "# nothing\n",
	    offsetof(struct config, max_headers), 1000 },
	{ "outbound attachments on", "outbound_attachments = true;\n",
	    offsetof(struct config, outbound_attachments), 1 },
	{ "internal hosts",
	    "internal_hosts = [\"127.0.0.1\", \"::1\", \"192.0.2.0/24\"];\n",
	    offsetof(struct config, n_internal_hosts), 3 },
	/* issue 14 item 2 (more in test_metrics.c) */
	{ "metrics on a remote address, allowed",
	    "metrics_listen = \"0.0.0.0:9469\";\n"
	    "metrics_allow_remote = true;\n",
	    offsetof(struct config, metrics_allow_remote), 1 },
};

static void
good_files_load(void **state)
{
	const struct good_case *g;
	struct config *c;
	char path[600], err[512];
	unsigned got;
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		g = &good_cases[i];
		conffix_write("good.conf", g->text, path, sizeof(path));
		if (config_load(path, &c, err, sizeof(err)) != 0)
			fail_msg("%s: %s", g->behaviour, err);
		if (g->off == offsetof(struct config, n_internal_relays))
			got = (unsigned)c->n_internal_relays;
		else if (g->off == offsetof(struct config, n_internal_hosts))
			got = (unsigned)c->n_internal_hosts;
		else if (g->off == offsetof(struct config, log_level))
			got = (unsigned)c->log_level;
		else
			memcpy(&got, (char *)c + g->off, sizeof(got));
		if (got != g->value)
			fail_msg("%s: got %u want %u", g->behaviour, got,
			    g->value);
		config_free(c);
	}
}

static void
relative_config_path_is_made_absolute(void **state)
{
	struct config *c;
	char path[600], err[512], cwd[512];

	conffix_write("rel.conf", "dns_local_data = \"z/local.zone\";\n", path,
	    sizeof(path));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(conffix_dir), 0);
	if (config_load("rel.conf", &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(c->path, path);
	snprintf(path, sizeof(path), "%s/z/local.zone", conffix_dir);
	assert_string_equal(c->dns_local_data, path);
	config_free(c);
}

/* log.c */

static void
log_words_parse_and_name(void **state)
{
	static const char *const lv[] = { "err", "warning", "info", "debug" };
	static const char *const fac[] = { "mail", "daemon", "user",
		"local0", "local7" };
	enum log_level l;
	int f;
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(log_level_parse(lv[i], &l), 0);
		assert_string_equal(log_level_name(l), lv[i]);
	}
	for (i = 0; i < 5; i++) {
		assert_int_equal(log_facility_parse(fac[i], &f), 0);
		assert_string_equal(log_facility_name(f), fac[i]);
	}
	assert_int_equal(log_facility_parse("mail", &f), 0);
	assert_int_equal(f, LOG_MAIL);
	assert_int_equal(log_level_parse("notice", &l), -1);
	assert_int_equal(log_level_parse(NULL, &l), -1);
	assert_int_equal(log_facility_parse("kern", &f), -1);
	assert_string_equal(log_level_name((enum log_level)9), "?");
}

/* Runs fn with stderr sent to a file; returns what was written. */
static char *
capture_stderr(void (*fn)(void))
{
	char path[600], *buf;
	FILE *fp;
	long n;
	int saved, fd;

	snprintf(path, sizeof(path), "%s/stderr.txt", conffix_dir);
	fflush(stderr);
	saved = dup(2);
	fp = fopen(path, "w+");
	assert_non_null(fp);
	fd = fileno(fp);
	assert_int_equal(dup2(fd, 2), 2);
	fn();
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

static void
log_lines(void)
{
	log_open("rwtest", LOG_MAIL, 1);
	log_set_level(LOG_L_INFO);
	log_info("Q1", "from=<%s>", "a\nb\x01" "c\x7f");
	log_debug("Q1", "filtered out");
	log_warning(NULL, "no id");
	log_err("C9", "%d", 42);
	log_set_level(LOG_L_DEBUG);
	log_debug("Q2", "now shown");
}

static void
log_stderr_has_level_id_and_no_controls(void **state)
{
	char *out = capture_stderr(log_lines);

	assert_string_equal(out,
	    "rwtest: info: Q1: from=<a?b?c?>\n"
	    "rwtest: warning: no id\n"
	    "rwtest: error: C9: 42\n"
	    "rwtest: debug: Q2: now shown\n");
	free(out);
}

static void
log_long(void)
{
	static char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	/* a two-byte character straddling the cut must not be split */
	memcpy(big + 2020, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8);
	log_open("rwtest", LOG_MAIL, 1);
	log_set_level(LOG_L_INFO);
	log_info("Q1", "%s", big);
}

static void
log_line_length_is_capped(void **state)
{
	char *out = capture_stderr(log_long);
	size_t len = strlen(out);

	assert_true(len <= 2048);
	assert_true(len > 2000);
	assert_memory_equal(out + len - 4, "...\n", 4);
	assert_non_null(memchr(out, '\n', len));
	assert_ptr_equal(strchr(out, '\n'), out + len - 1);
	/* no lone lead byte just before the dots */
	assert_true(((unsigned char)out[len - 5] & 0xc0) != 0xc0);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_documented_values),
		cmocka_unit_test(default_dump_reloads_to_same_dump),
		cmocka_unit_test(shipped_example_is_valid_and_all_defaults),
		cmocka_unit_test(full_file_sets_every_type),
		cmocka_unit_test(full_dump_reloads_to_same_dump),
		cmocka_unit_test(include_is_read_from_the_files_directory),
		cmocka_unit_test(error_in_included_file_names_that_file),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(bad_files_give_file_line_setting_problem),
		cmocka_unit_test(good_files_load),
		cmocka_unit_test(relative_config_path_is_made_absolute),
		cmocka_unit_test(log_words_parse_and_name),
		cmocka_unit_test(log_stderr_has_level_id_and_no_controls),
		cmocka_unit_test(log_line_length_is_capped),
	};

	return cmocka_run_group_tests(tests, conffix_setup, conffix_teardown);
}
