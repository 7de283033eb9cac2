/*
 * fuzz_links.c - fuzz target for the link gatherers (issue 12):
 * htmllinks.c (libxml2's HTML parser in SAX mode, with our cleaning of
 * stray bytes, NUL and end tags), linktext.c (URLs and passwords in
 * text), url.c (every URL either reaches) and links.c (records).
 *
 * Input: any bytes, read once as an HTML page and once as plain text.
 *
 * Invariants: both succeed; at most LINKS_MAX records, each with a host
 * that is "" or a normalised name (lower-case letters, digits, '.', '-',
 * '_') or an address literal, a shown host of the same shape or NULL, a
 * kind in range, flags within LINK_FLAGS_ALL, a count of at least 1.
 */
#include "attach/attach.h"
#include "attach/htmllinks.h"
#include "attach/links.h"
#include "attach/linktext.h"
#include "attach/spool.h"
#include "attach/url.h"
#include "fuzz.h"
#include "util/arena.h"
#include "util/deadline.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	htmllinks_init();
	return 0;
}

static void
host_ok(const char *h)
{
	size_t n = strlen(h);

	FUZZ_CHECK(n <= URL_HOST_MAX + 2);
	if (n > 0 && h[0] == '[') {
		FUZZ_CHECK(h[n - 1] == ']');
		return;
	}
	for (; *h != '\0'; h++)
		FUZZ_CHECK((*h >= 'a' && *h <= 'z') || (*h >= '0' &&
		    *h <= '9') || *h == '.' || *h == '-' || *h == '_');
}

static void
results_ok(const struct attach_results *r)
{
	size_t i;

	FUZZ_CHECK(r->nlinks <= LINKS_MAX);
	for (i = 0; i < r->nlinks; i++) {
		const struct attach_link *l = &r->links[i];

		host_ok(l->host);
		if (l->shown != NULL)
			host_ok(l->shown);
		FUZZ_CHECK(l->kind >= LINK_HREF && l->kind <= LINK_CALENDAR);
		FUZZ_CHECK((l->flags & ~LINK_FLAGS_ALL) == 0);
		FUZZ_CHECK(l->count >= 1);
		FUZZ_CHECK(l->where != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct attach_results r;
	struct linktext *t;
	struct spool *sp;
	struct deadline dl;
	char err[256];

	FUZZ_CHECK(a != NULL);
	sp = spool_new(a, 1 << 20, NULL);
	FUZZ_CHECK(sp != NULL);
	FUZZ_CHECK(spool_write(sp, data, size, err, sizeof(err)) == 0);
	deadline_start(&dl, 10000);
	memset(&r, 0, sizeof(r));
	FUZZ_CHECK(htmllinks_scan(sp, &dl, a, &r, "page", 0, 1) == 0);
	results_ok(&r);

	memset(&r, 0, sizeof(r));
	t = malloc(sizeof(*t));
	FUZZ_CHECK(t != NULL);
	linktext_init(t, &r, a, "text", 0, 1);
	FUZZ_CHECK(linktext_feed(t, (const char *)data, size) == 0);
	FUZZ_CHECK(linktext_end(t) == 0);
	results_ok(&r);
	free(t);
	arena_free(a);
	return 0;
}
