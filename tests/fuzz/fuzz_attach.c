/*
 * fuzz_attach.c - fuzz target for the attachment scan: attach_evaluate
 * over a whole message, and so the MIME walk (GMime under mimescan's
 * bounds), uuencoded blocks, file names, libmagic, archives (libarchive,
 * nested), OLE2 and OOXML macros and HTML smuggling.
 *
 * Input: the message as the spool holds it (headers, blank line, body;
 * bytes as given).  An odd input length makes the From domain
 * example.com (DMARC aligned), which the allow-list below can exempt.
 * The config (written to a private temp dir at start) lowers the caps so
 * that one input stays fast - time 3 s, 16 MB decoded and extracted, 50
 * parts - and has action overrides and an allow-list entry.
 *
 * Invariants: evaluation succeeds; every item has a name, a lower-case
 * extension the rules could use and as many details as reasons; an item
 * asks no more than the message's hard action, which comes with the rule
 * behind it and is honoured by the verdict; reason details are printable.
 */
#include <unistd.h>

#include "util/arena.h"
#include "attach/attach.h"
#include "config/config.h"
#include "fuzz.h"
#include "util/log.h"
#include "attach/spool.h"
#include "verdict/verdict.h"

static const char config_text[] =
	"attach_max_time_ms = 3000;\n"
	"attach_max_decoded_bytes = 16777216;\n"
	"attach_archive_max_bytes = 16777216;\n"
	"attach_max_mime_parts = 50;\n"
	"attach_max_header_length = 4000;\n"
	"attach_max_line_length = 65536;\n"
	"attach_action_overrides = [\".pdf=accept\", \"application/x-tar=tag\",\n"
	"    \".iso=reject\"];\n"
	"attach_allow_senders = [\"example.com=.docm,application/zip\"];\n";

static struct config *cfg;
static struct attach_ctx *ctx;
static int verbose;			/* FUZZ_VERBOSE set: print items */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[64], path[96], err[512];
	FILE *fp;

	log_set_level(LOG_L_ERR);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	snprintf(dir, sizeof(dir), "%s/rwfuzz-attach-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/fuzz.conf", dir);
	if ((fp = fopen(path, "w")) == NULL ||
	    fputs(config_text, fp) == EOF || fclose(fp) != 0)
		abort();
	if (config_load(path, &cfg, err, sizeof(err)) == -1 ||
	    (ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_attach: %s\n", err);
		abort();
	}
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
check(const struct attach_results *r, const struct verdict *v)
{
	const char *p;
	size_t i, j;

	FUZZ_CHECK(r->nitems == 0 || r->items != NULL);
	if (r->hard_action != VERDICT_ACCEPT)
		FUZZ_CHECK(r->hard_rule != NULL);
	FUZZ_CHECK(v->hard >= r->hard_action);
	for (i = 0; i < r->nitems; i++) {
		const struct attach_item *it = &r->items[i];

		if (verbose) {
			fprintf(stderr, "item %zu: name=\"%s\" ext=%s "
			    "declared=%s detected=%s flags=%#x action=%s\n", i,
			    it->name ? it->name : "(null)",
			    it->ext ? it->ext : "(null)",
			    it->declared ? it->declared : "-",
			    it->detected ? it->detected : "-", it->flags,
			    verdict_action_name(it->action));
			for (j = 0; j < it->nreasons; j++)
				fprintf(stderr, "  %s: %s\n", it->reasons[j],
				    it->details[j] ? it->details[j] : "-");
		}
		FUZZ_CHECK(it->name != NULL && it->ext != NULL);
		FUZZ_CHECK(fuzz_utf8_valid(it->name));
		FUZZ_CHECK(strlen(it->ext) <= 15);
		for (p = it->ext; *p != '\0'; p++)
			FUZZ_CHECK((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9'));
		FUZZ_CHECK(it->parent < (long)i);
		if (!(it->flags & ATTACH_EXEMPT))
			FUZZ_CHECK(it->action <= r->hard_action);
		for (j = 0; j < it->nreasons; j++) {
			FUZZ_CHECK(it->reasons[j] != NULL);
			if (it->details[j] != NULL)
				FUZZ_CHECK(fuzz_no_controls(it->details[j], 0));
		}
	}
	for (i = 0; i < v->nreasons; i++)
		if (v->reasons[i].detail != NULL)
			FUZZ_CHECK(fuzz_no_controls(v->reasons[i].detail, 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attach_results r;
	struct verdict v;
	struct spool *sp;
	struct arena *a;
	char err[256];

	if ((a = arena_new()) == NULL)
		return 0;
	memset(&v, 0, sizeof(v));
	if ((sp = spool_new(a, cfg->attach_spool_memory, NULL)) != NULL &&
	    spool_write(sp, data, size, err, sizeof(err)) == 0) {
		FUZZ_CHECK(attach_evaluate(ctx, sp, size & 1 ? "example.com" :
		    NULL, a, &r, &v, err, sizeof(err)) == 0);
		check(&r, &v);
	}
	arena_free(a);
	return 0;
}
