/*
 * config.c - the configuration file: one table describes every setting
 * (name, type, default, range, field) and drives parsing, checking,
 * defaults, freeing and config_dump.
 *
 * Exports config_load, config_default, config_free, config_dump, and to
 * the rest of the config module (configtab.h) the table itself,
 * config_free_value, config_dump_string, config_show and
 * config_check_abspath.  The module: confload.c reads a file with
 * libconfig, confinc.c checks its @include targets first, confgroup.c
 * reads the lists of groups (people, partners, recipient_policies);
 * confattach.c, confname.c and confredis.c hold the checks of strings.
 * Owns each struct config it returns (malloc memory, freed by
 * config_free).
 * Thread rule: loading is single-threaded; a loaded config is read-only
 * and may be shared.
 * Syntax is libconfig's (`name = value;`, lists in [ ]); settings are all
 * at the top level, and people, partners and recipient_policies are lists
 * of groups, ( { key = value; ... }, ... ).  Every error is one line
 * "FILE:LINE: setting: problem" (libconfig's own parse errors are
 * "FILE:LINE: problem").  Unknown settings, wrong types, out-of-range
 * numbers, bad words, bad addresses and relative paths are errors.
 * Caps: see confinc.c (file size, @include nesting and count).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/authresid.h"
#include "config/config.h"
#include "config/configtab.h"
#include "config/confload.h"
#include "util/log.h"
#include "util/net.h"
#include "rules/rules.h"

static int check_socket(const struct loadctx *, char **, char *, size_t);
static int check_user(const struct loadctx *, char **, char *, size_t);
static int check_relpath(const struct loadctx *, char **, char *, size_t);
static int check_hostname(const struct loadctx *, char **, char *, size_t);
static int check_authserv(const struct loadctx *, char **, char *, size_t);
static int check_forwarder(const struct loadctx *, char **, char *,
    size_t);
static int check_reply_text(const struct loadctx *, char **, char *,
    size_t);

#define F(f)	offsetof(struct config, f)
#define STR(n, def, chk)	{ .name = #n, .type = T_STRING, .sdef = def, \
	.off = F(n), .check = chk }
#define BOOL(n, def)		{ .name = #n, .type = T_BOOL, .ndef = def, \
	.max = 1, .off = F(n) }
#define UINT(n, def, lo, hi)	{ .name = #n, .type = T_UINT, .ndef = def, \
	.min = lo, .max = hi, .off = F(n) }
/* A list: strings (each through chk), networks or groups. */
#define LIST(n, t, cnt, chk)	{ .name = #n, .type = t, .off = F(n), \
	.noff = F(cnt), .check = chk }
#define GROUPS(n, f, cnt, g)	{ .name = #n, .type = T_GROUPS, .off = F(f), \
	.noff = F(cnt), .group = &g }

/* Executables, scripts and containers that hide them (disk images,
 * OneNote, help files, shortcuts).  Policy, not code: the example config
 * repeats it for admins to edit. */
#define ATTACH_BANNED_DEFAULT \
	"exe scr com pif bat cmd js jse vbs vbe wsf wsh hta lnk msi msp " \
	"ps1 psm1 jar iso img vhd vhdx one chm reg cpl dll scf inf url " \
	"appx msix application gadget xll iqy slk"

/* The order is config_dump's. */
const struct setting config_settings[] = {
	STR(socket, "inet:8893@127.0.0.1", check_socket),
	{ .name = "socket_mode", .type = T_MODE, .ndef = 0660, .max = 0777,
	    .off = F(socket_mode) },
	STR(user, "", check_user),
	BOOL(allow_root, 0),
	BOOL(daemon_landlock, 1),
	UINT(milter_timeout_s, 360, 1, 7210),
	UINT(max_connections, 256, 1, 65535),
	UINT(max_message_header_bytes, 262144, 16384, 1073741824),
	STR(pidfile, "", config_check_abspath),
	{ .name = "syslog_facility", .type = T_FACILITY, .sdef = "mail",
	    .off = F(syslog_facility) },
	{ .name = "log_level", .type = T_LEVEL, .sdef = "info",
	    .off = F(log_level) },
	STR(hostname, "", check_hostname),
	/* "" is replaced by the host name (config_default). */
	STR(authserv_id, "", check_authserv),
	BOOL(add_authres, 1),
	BOOL(add_verdict_header, 1),
	STR(dns_resolv_conf, "", config_check_abspath),
	LIST(dns_forwarders, T_STRLIST, dns_nforwarders, check_forwarder),
	UINT(dns_timeout_ms, 5000, 100, 60000),
	STR(dns_local_data, "", check_relpath),
	UINT(dns_message_budget_ms, 15000, 0, 600000),
	BOOL(spf_enable, 1),
	BOOL(spf_helo, 1),
	UINT(spf_max_dns_terms, 10, 1, 50),
	UINT(spf_max_void_lookups, 2, 0, 50),
	BOOL(dkim_enable, 1),
	UINT(dkim_max_signatures, 5, 1, 100),
	BOOL(dmarc_enable, 1),
	STR(psl_file, "", config_check_abspath),
	LIST(internal_relays, T_CIDRLIST, n_internal_relays, NULL),
	UINT(max_headers, 1000, 10, 100000),
	UINT(max_header_length, 65536, 1000, 1048576),
	UINT(max_received_walk, 20, 1, 100),
	/* verdict */
	{ .name = "scores", .type = T_SCORES, .off = F(scores) },
	UINT(tag_score, 5, 0, 100000),
	UINT(quarantine_score, 10, 0, 100000),
	UINT(reject_score, 0, 0, 100000),
	BOOL(dry_run, 0),
	STR(reject_text, "Message rejected by policy", check_reply_text),

	/* --- attachments (attach.c) --- */
	BOOL(attach_enable, 1),
	UINT(attach_spool_memory, 1048576, 0, 268435456),
	UINT(attach_spool_memory_total, 16777216, 0, 2147483647),
	STR(attach_tmpdir, "", config_check_abspath),
	UINT(attach_max_time_ms, 10000, 100, 600000),
	UINT(attach_max_cpu_ms, 300, 10, 600000),
	UINT(attach_max_mime_depth, 20, 1, 100),
	UINT(attach_max_mime_parts, 500, 1, 100000),
	UINT(attach_max_header_length, 16384, 1000, 1048576),
	UINT(attach_max_line_length, 1048576, 65536, 1073741824),
	UINT(attach_max_decoded_bytes, 104857600, 1024, 2147483647),
	UINT(attach_archive_max_depth, 4, 0, 20),
	UINT(attach_archive_max_members, 1000, 1, 100000),
	UINT(attach_archive_max_ratio, 100, 2, 1000000),
	UINT(attach_archive_max_bytes, 104857600, 1024, 2147483647),
	UINT(attach_qr_max_pixels, 4000000, 1024, 100000000),
	UINT(attach_qr_max_images, 8, 0, 1000),
	STR(attach_banned_extensions, ATTACH_BANNED_DEFAULT,
	    confattach_check_extwords),
	BOOL(attach_executable_quarantine, 1),
	STR(attach_incomplete_action, "quarantine",
	    confattach_check_incomplete),
	LIST(attach_action_overrides, T_STRLIST, attach_n_action_overrides,
	    confattach_check_override),
	LIST(attach_allow_senders, T_STRLIST, attach_n_allow_senders,
	    confattach_check_allow),
	BOOL(attach_sandbox, 1),
	UINT(attach_workers, 4, 1, 256),
	UINT(attach_workers_max, 32, 1, 1024),
	UINT(attach_worker_memory_mb, 1024, 0, 65536),
	UINT(attach_worker_cpu_s, 0, 0, 3600),

	/* --- redis / sender state (state.h) --- */
	BOOL(state_enable, 1),
	STR(redis_host, "127.0.0.1", confredis_check_host),
	UINT(redis_port, 6379, 1, 65535),
	STR(redis_socket, "", confredis_check_socket),
	STR(redis_user, "", confredis_check_word),
	STR(redis_password, "", confredis_check_password),
	UINT(redis_db, 0, 0, 65535),
	UINT(redis_connect_timeout_ms, 250, 10, 60000),
	UINT(redis_timeout_ms, 250, 10, 60000),
	UINT(redis_max_reply_bytes, 16777216, 65536, 1073741824),
	UINT(redis_slow_ms, 100, 1, 60000),
	UINT(redis_pool_size, 8, 1, 1024),
	UINT(redis_pool_wait_ms, 100, 0, 60000),
	UINT(redis_breaker_failures, 3, 1, 1000),
	UINT(redis_breaker_cooldown_ms, 5000, 100, 3600000),
	LIST(redis_sentinels, T_STRLIST, redis_nsentinels,
	    confredis_check_sentinel),
	STR(redis_sentinel_master, "mymaster", confredis_check_word),
	STR(redis_sentinel_password, "", confredis_check_password),
	UINT(redis_sentinel_check_ms, 1000, 100, 3600000),
	STR(redis_prefix, "rw:", confredis_check_prefix),
	UINT(state_ttl_days, 400, 1, 36500),
	UINT(state_unauth_ttl_days, 30, 1, 36500),
	UINT(state_max_relays, 32, 1, 1000),
	UINT(state_max_signers, 16, 1, 1000),
	UINT(state_max_trusted, 32, 1, 1000),
	UINT(state_max_known, 1000000, 1, 100000000),

	/* --- sender signals, third-party relays (sender.c; issue 4) --- */
	BOOL(state_unavailable_tempfail, 0),
	UINT(state_known_refresh_s, 60, 0, 86400),
	UINT(infra_v4_prefix, 24, 8, 32),
	UINT(infra_v6_prefix, 48, 16, 128),
	/* issue 11: sending profile, shared relays and mailboxes
	 * (sender/profile.c) */
	UINT(profile_min_messages, 5, 1, 1000000),
	UINT(profile_min_days, 14, 0, 3650),
	UINT(shared_infra_domains, 50, 0, 1000000),
	UINT(shared_mailbox_senders, 100, 0, 500),
	BOOL(shared_mailbox_defaults, 1),
	/* issue 11 item 8: lists the history learned as lists */
	UINT(list_known_posters, 5, 0, 100),
	UINT(list_known_days, 14, 0, 3650),
	/* issue 12: links (linkcheck.c) */
	UINT(link_history_min_messages, 3, 0, 1000000),
	UINT(state_max_links, 64, 1, 1000),
	LIST(link_redirector_domains, T_STRLIST, n_link_redirector_domains,
	    confname_check_domain),
	LIST(shared_mailbox_domains, T_STRLIST, n_shared_mailbox_domains,
	    confname_check_mailbox),
	LIST(protected_domains, T_STRLIST, n_protected_domains,
	    confname_check_domain),
	LIST(trusted_forwarders, T_STRLIST, n_trusted_forwarders,
	    confname_check_domain),
	GROUPS(people, people, npeople, confgroup_people),
	GROUPS(partners, partners, npartners, confgroup_partners),
	GROUPS(recipient_policies, rcpt_policies, nrcpt_policies,
	    confgroup_rcpt_policies),
	{ .name = "dry_run_rules", .type = T_RULES, .off = F(rule_dry_run) },
	STR(tag_subject, "", confname_check_subject_tag),
	/* Issue 13 item 2: allow-lists (confallow.c, allowlist.c). */
	GROUPS(allowlist, allowlist, nallowlist, confgroup_allowlist),
	/* issue 13 item 1: outbound mail (outbound.c) */
	LIST(internal_hosts, T_CIDRLIST, n_internal_hosts, NULL),
	BOOL(outbound_attachments, 0),
	/* issue 14 item 2: the Prometheus endpoint (confmetrics.c) */
	STR(metrics_listen, "", confmetrics_check_listen),
	BOOL(metrics_allow_remote, 0),
	/* issue 14 item 3: the daily counters for relaywarden-state report
	 * (milter/statsflush.c) */
	UINT(stats_flush_s, 60, 1, 3600),
};

const size_t config_nsettings = sizeof(config_settings) /
    sizeof(config_settings[0]);

static int
check_socket(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	return net_check_socket(*value, err, errlen);
}

static int
check_user(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	const char *p = *value;

	if (*p == '\0')
		return 0;
	if (strlen(p) > 32 || *p == '-' ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != strlen(p)) {
		snprintf(err, errlen, "\"%.40s\" is not a user name", p);
		return -1;
	}
	return 0;
}

int
config_check_abspath(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (**value != '\0' && **value != '/') {
		snprintf(err, errlen, "\"%.80s\": path must be absolute",
		    *value);
		return -1;
	}
	if (strlen(*value) >= PATH_MAX) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	return 0;
}

/* A relative path is taken from the config file's directory and made
 * absolute now, so that a reload after chdir("/") finds the same file. */
static int
check_relpath(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	char *abs;
	size_t dlen, vlen;

	if (**value == '\0' || **value == '/' || ctx == NULL)
		return config_check_abspath(ctx, value, err, errlen);
	dlen = strlen(ctx->dir);
	vlen = strlen(*value);
	if (dlen + vlen + 2 >= PATH_MAX ||
	    (abs = malloc(dlen + vlen + 2)) == NULL) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	/* "/" + "x" must not give "//x" */
	memcpy(abs, ctx->dir, dlen);
	if (dlen == 0 || abs[dlen - 1] != '/')
		abs[dlen++] = '/';
	memcpy(abs + dlen, *value, vlen + 1);
	free(*value);
	*value = abs;
	return 0;
}

static int
check_hostname(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (**value != '\0' && !net_hostname_valid(*value)) {
		snprintf(err, errlen, "\"%.80s\" is not a host name", *value);
		return -1;
	}
	return 0;
}

static int
check_authserv(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	if (**value == '\0') {
		snprintf(err, errlen, "must not be empty (leave it unset to "
		    "use the host name)");
		return -1;
	}
	if (!authres_id_valid(*value)) {
		snprintf(err, errlen, "\"%.80s\" is not a valid authserv-id "
		    "(a host name such as mx.example.net)", *value);
		return -1;
	}
	return 0;
}

static int
check_forwarder(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	return net_check_forwarder(*value, err, errlen);
}

/* SMTP reply text: printable ASCII, one line, short (RFC 5321 4.5.3.1.5
 * allows 512 octets per reply line with the code). */
static int
check_reply_text(const struct loadctx *ctx, char **value, char *err,
    size_t errlen)
{
	const unsigned char *p;

	if (**value == '\0' || strlen(*value) > 400) {
		snprintf(err, errlen, "must be 1 to 400 characters");
		return -1;
	}
	for (p = (const unsigned char *)*value; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '%') {
			snprintf(err, errlen, "printable ASCII only, no %%");
			return -1;
		}
	return 0;
}

const char *
config_show(const char *v, char *buf, size_t buflen)
{
	size_t n = strlen(v), i;

	if (buflen < 4)
		return "";
	if (n > 60 && buflen > 64) {
		/* cut before a UTF-8 continuation byte, then mark it */
		for (n = 60; n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80;
		    n--)
			;
		memcpy(buf, v, n);
		memcpy(buf + n, "...", 4);
	} else {
		if (n >= buflen)
			n = buflen - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

/* The host name, or "localhost" when it is unset or unusable as an
 * authserv-id.  malloc memory or NULL. */
static char *
host_name(void)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	buf[sizeof(buf) - 1] = '\0';
	return strdup(authres_id_valid(buf) ? buf : "localhost");
}

void
config_free_value(struct config *c, const struct setting *s)
{
	char **list;
	size_t i;

	switch (s->type) {
	case T_STRING:
		free(*FIELD(c, s, char *));
		*FIELD(c, s, char *) = NULL;
		break;
	case T_STRLIST:
		list = *FIELD(c, s, char **);
		for (i = 0; i < *COUNT(c, s); i++)
			free(list[i]);
		free(list);
		*FIELD(c, s, char **) = NULL;
		*COUNT(c, s) = 0;
		break;
	case T_CIDRLIST:
		free(*FIELD(c, s, struct net_cidr *));
		*FIELD(c, s, struct net_cidr *) = NULL;
		*COUNT(c, s) = 0;
		break;
	case T_GROUPS:
		confgroup_free(c, s);
		break;
	default:
		break;
	}
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < config_nsettings; i++)
		config_free_value(c, &config_settings[i]);
	free(c->path);
	free(c);
}

struct config *
config_default(void)
{
	const struct setting *s;
	struct config *c;
	enum log_level level;
	size_t i, j;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	for (i = 0; i < config_nsettings; i++) {
		s = &config_settings[i];
		switch (s->type) {
		case T_STRING:
			if ((*FIELD(c, s, char *) = strdup(s->sdef)) == NULL)
				goto fail;
			break;
		case T_BOOL:
			*FIELD(c, s, int) = (int)s->ndef;
			break;
		case T_UINT:
		case T_MODE:
			*FIELD(c, s, unsigned) = (unsigned)s->ndef;
			break;
		case T_LEVEL:
			(void)log_level_parse(s->sdef, &level);
			*FIELD(c, s, int) = (int)level;
			break;
		case T_FACILITY:
			(void)log_facility_parse(s->sdef, FIELD(c, s, int));
			break;
		case T_STRLIST:
		case T_CIDRLIST:
		case T_GROUPS:
		case T_RULES:
			break;		/* empty lists, no rule listed */
		case T_SCORES:
			for (j = 0; j < RULE_COUNT; j++)
				FIELD(c, s, int)[j] = rules_table[j].score;
			break;
		}
	}
	if (*c->authserv_id == '\0') {
		free(c->authserv_id);
		if ((c->authserv_id = host_name()) == NULL)
			goto fail;
	}
	return c;
fail:
	config_free(c);
	return NULL;
}

int
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	return confload_file(path, out, err, errlen);
}

int
config_load_text(const char *text, struct config **out, char *err,
    size_t errlen)
{
	return confload_text(text, out, err, errlen);
}

void
config_dump_string(FILE *fp, const char *v)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* [ "rule", ... ] for each rule flagged. */
static void
dump_rules(FILE *fp, const int *flags)
{
	size_t j, n = 0;

	fputc('[', fp);
	for (j = 0; j < RULE_COUNT; j++)
		if (flags[j]) {
			fputs(n++ ? ", " : " ", fp);
			config_dump_string(fp, rules_table[j].name);
		}
	fputs(n ? " ]" : "]", fp);
}

void
config_dump(const struct config *c, FILE *fp)
{
	const struct setting *s;
	const struct net_cidr *nets;
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i, j;

	fprintf(fp, "# relaywarden configuration%s%s\n",
	    c->path != NULL ? " loaded from " : " (defaults)",
	    c->path != NULL ? c->path : "");
	for (i = 0; i < config_nsettings; i++) {
		s = &config_settings[i];
		fprintf(fp, "%s = ", s->name);
		switch (s->type) {
		case T_STRING:
			config_dump_string(fp, *FIELD(c, s, char *const));
			break;
		case T_BOOL:
			fputs(*FIELD(c, s, const int) ? "true" : "false", fp);
			break;
		case T_UINT:
			fprintf(fp, "%u", *FIELD(c, s, const unsigned));
			break;
		case T_MODE:
			fprintf(fp, "\"%04o\"", *FIELD(c, s, const unsigned));
			break;
		case T_LEVEL:
			config_dump_string(fp, log_level_name((enum log_level)
			    *FIELD(c, s, const int)));
			break;
		case T_FACILITY:
			config_dump_string(fp, log_facility_name(
			    *FIELD(c, s, const int)));
			break;
		case T_STRLIST:
		case T_CIDRLIST:
			fputc('[', fp);
			for (j = 0; j < *COUNT(c, s); j++) {
				fputs(j ? ", " : " ", fp);
				if (s->type == T_STRLIST) {
					config_dump_string(fp,
					    (*FIELD(c, s, char **const))[j]);
					continue;
				}
				nets = *FIELD(c, s, struct net_cidr *const);
				net_cidr_format(&nets[j], buf, sizeof(buf));
				config_dump_string(fp, buf);
			}
			fputs(j ? " ]" : "]", fp);
			break;
		case T_SCORES:
			fputs("{\n", fp);
			for (j = 0; j < RULE_COUNT; j++)
				fprintf(fp, "\t%s = %d;\n", rules_table[j].name,
				    (FIELD(c, s, const int))[j]);
			fputs("}", fp);
			break;
		case T_RULES:
			dump_rules(fp, FIELD(c, s, const int));
			break;
		case T_GROUPS:
			confgroup_dump(c, s, fp);
			break;
		}
		fputs(";\n", fp);
	}
}
