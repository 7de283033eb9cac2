/*
 * fuzz_config.c - fuzz target for policy/config/config.c: libconfig's parser and
 * our table of checks, through config_load on a file holding the input.
 *
 * The file lives in a private mkdtemp directory that also holds inc.conf
 * (one valid setting) for @include.  An input whose @include line names a
 * path outside that directory ('/' or '\' in it) is skipped: the config
 * is trusted to name any file, and /dev/zero is not a finding.
 *
 * Invariants: a failed load says why, as "FILE:LINE: ..." or "FILE: ...";
 * a loaded config has every number inside its table range; config_dump
 * writes a file that loads again and dumps to the same text (dump and
 * load agree on every setting, quoting included).
 */
#include <unistd.h>

#include "config/config.h"
#include "fuzz.h"
#include "rules/rules.h"

#define DUMP_MAX	(256 * 1024)

static char dir[64], path[96], incl[96];

/* LeakSanitizer hook (ASan builds: libFuzzer and --enable-sanitizers).
 * Debian's libconfig 1.5 leaks a string token dropped by a syntax error
 * (libconfig issue 142, fixed upstream in 1.7 by a bison %destructor),
 * and the buffer of a string left unterminated at a syntax error
 * (strbuf_append): bytes per failed parse, i.e. per rejected reload -
 * not ours. */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\nleak:strbuf_append\n";
}

static void
dir_remove(void)
{
	if (path[0] != '\0')
		unlink(path);
	if (incl[0] != '\0')
		unlink(incl);
	if (dir[0] != '\0')
		rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/rwfuzz-config-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_config: mkdtemp");
		abort();
	}
	snprintf(path, sizeof(path), "%s/fuzz.conf", dir);
	snprintf(incl, sizeof(incl), "%s/inc.conf", dir);
	atexit(dir_remove);
	if ((fp = fopen(incl, "w")) == NULL ||
	    fputs("log_level = \"debug\";\n", fp) == EOF || fclose(fp) != 0) {
		perror("fuzz_config: inc.conf");
		abort();
	}
	return 0;
}

/* 1 when some line with "@include" also holds '/' or '\'. */
static int
include_escapes(const char *s)
{
	const char *p, *bol, *eol;

	for (p = s; (p = strstr(p, "@include")) != NULL; p++) {
		for (bol = p; bol > s && bol[-1] != '\n'; bol--)
			;
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		if (memchr(bol, '/', (size_t)(eol - bol)) != NULL ||
		    memchr(bol, '\\', (size_t)(eol - bol)) != NULL)
			return 1;
	}
	return 0;
}

static int
write_file(const char *p, const void *data, size_t size)
{
	FILE *fp;

	if ((fp = fopen(p, "w")) == NULL)
		return -1;
	if (fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

/* config_dump into malloc memory (NULL on failure). */
static char *
dump(const struct config *c, size_t *len)
{
	char *buf = NULL;
	FILE *fp;

	if ((fp = open_memstream(&buf, len)) == NULL)
		return NULL;
	config_dump(c, fp);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
check_ranges(const struct config *c)
{
	const char *p;
	size_t i, n;

	FUZZ_CHECK(c->socket_mode <= 0777);
	FUZZ_CHECK(c->dns_timeout_ms >= 100 && c->dns_timeout_ms <= 60000);
	FUZZ_CHECK(c->spf_max_dns_terms >= 1 && c->spf_max_dns_terms <= 50);
	FUZZ_CHECK(c->spf_max_void_lookups <= 50);
	FUZZ_CHECK(c->dkim_max_signatures >= 1 &&
	    c->dkim_max_signatures <= 100);
	FUZZ_CHECK(c->max_headers >= 10 && c->max_headers <= 100000);
	FUZZ_CHECK(c->max_header_length >= 1000 &&
	    c->max_header_length <= 1048576);
	FUZZ_CHECK(c->max_received_walk >= 1 && c->max_received_walk <= 100);
	FUZZ_CHECK(c->authserv_id != NULL && *c->authserv_id != '\0');
	FUZZ_CHECK(c->dns_local_data[0] == '\0' || c->dns_local_data[0] == '/');
	FUZZ_CHECK(c->pidfile[0] == '\0' || c->pidfile[0] == '/');
	FUZZ_CHECK(c->add_authres == 0 || c->add_authres == 1);
	FUZZ_CHECK(c->dns_nforwarders == 0 || c->dns_forwarders != NULL);
	FUZZ_CHECK(c->n_internal_relays == 0 || c->internal_relays != NULL);
	for (i = 0; i < RULE_COUNT; i++)
		FUZZ_CHECK(c->scores[i] >= -1000 && c->scores[i] <= 1000);
	FUZZ_CHECK(c->tag_score <= 100000 && c->quarantine_score <= 100000 &&
	    c->reject_score <= 100000);
	FUZZ_CHECK(c->dry_run == 0 || c->dry_run == 1);
	n = strlen(c->reject_text);
	FUZZ_CHECK(n >= 1 && n <= 400 && strchr(c->reject_text, '%') == NULL);
	for (p = c->reject_text; *p != '\0'; p++)
		FUZZ_CHECK(*p >= 0x20 && *p <= 0x7e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c, *c2;
	char err[1024], *text, *d1, *d2;
	size_t len1, len2;

	if ((text = fuzz_cstr(data, size)) == NULL)
		return 0;
	if (include_escapes(text) || write_file(path, data, size) == -1) {
		free(text);
		return 0;
	}
	free(text);
	err[0] = '\0';
	if (config_load(path, &c, err, sizeof(err)) == -1) {
		FUZZ_CHECK(c == NULL);
		FUZZ_CHECK(strncmp(err, dir, strlen(dir)) == 0 &&
		    strchr(err, ':') != NULL);
		return 0;
	}
	check_ranges(c);
	if ((d1 = dump(c, &len1)) != NULL && len1 < DUMP_MAX) {
		FUZZ_CHECK(write_file(path, d1, len1) == 0);
		if (config_load(path, &c2, err, sizeof(err)) == -1) {
			fprintf(stderr, "dump does not load: %s\n%s", err, d1);
			FUZZ_CHECK(!"the dump of a loaded config loads");
		}
		d2 = dump(c2, &len2);
		FUZZ_CHECK(d2 != NULL);
		if (len1 != len2 || memcmp(d1, d2, len1) != 0) {
			fprintf(stderr, "first dump:\n%s\nsecond:\n%s", d1, d2);
			FUZZ_CHECK(!"dump, load, dump gives the same text");
		}
		free(d2);
		config_free(c2);
	}
	free(d1);
	config_free(c);
	return 0;
}
