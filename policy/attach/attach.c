/*
 * attach.c - the attachment policy (see attach.h for the rules).
 *
 * Exports attach_ctx_new, attach_ctx_free, attach_evaluate.  Owns, per
 * generation, the compiled lists and a pool of libmagic handles; per
 * message, everything in the message's arena (items, names, reasons) and
 * a 40 KB sniff buffer freed before returning.
 * Thread rule: see attach.h (mutex around the magic pool only).
 * Caps: those of mime.c and arch.c, fed from the config; a wall-clock
 * deadline (attach_max_time_ms) covers the whole evaluation, a CPU budget
 * (attach_max_cpu_ms) its expensive checks; either makes the scan
 * incomplete (attach.h).
 * The rules themselves are in attscan.c, the type tables in attype.c.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#include <magic.h>

#include "attach/arch.h"
#include "util/arena.h"
#include "attach/attach.h"
#include "attach/attlinks.h"
#include "attach/attscan.h"
#include "config/config.h"
#include "util/deadline.h"
#include "attach/mime.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static pthread_once_t prepare_once = PTHREAD_ONCE_INIT;
static magic_t prepared;	/* attach_prepare's handle, until taken */
static pthread_mutex_t prepared_mu = PTHREAD_MUTEX_INITIALIZER;

/* GMime is initialised once per process and never shut down: a reload
 * must not pull it from under a message in flight. */
static void
gmime_start(void)
{
	g_mime_init();
}

/* libmagic's bounds, attscan.h: a handle that cannot take them all is
 * not used. */
static const struct {
	int param;
	size_t value;
} magic_params[] = {
	{ MAGIC_PARAM_BYTES_MAX, ATTSCAN_MAGIC_BYTES },
	{ MAGIC_PARAM_INDIR_MAX, ATTSCAN_MAGIC_INDIR },
	{ MAGIC_PARAM_NAME_MAX, ATTSCAN_MAGIC_NAME },
	{ MAGIC_PARAM_ELF_PHNUM_MAX, ATTSCAN_MAGIC_ELF_PHNUM },
	{ MAGIC_PARAM_ELF_SHNUM_MAX, ATTSCAN_MAGIC_ELF_SHNUM },
	{ MAGIC_PARAM_ELF_NOTES_MAX, ATTSCAN_MAGIC_ELF_NOTES },
	{ MAGIC_PARAM_REGEX_MAX, ATTSCAN_MAGIC_REGEX },
	{ MAGIC_PARAM_ENCODING_MAX, ATTSCAN_MAGIC_ENCODING },
};

static magic_t
magic_make(void)
{
	size_t i;
	magic_t m;

	/* No decompression (libmagic could run external programs). */
	if ((m = magic_open(ATTSCAN_MAGIC_FLAGS)) == NULL)
		return NULL;
	if (magic_load(m, NULL) != 0) {
		magic_close(m);
		return NULL;
	}
	for (i = 0; i < sizeof(magic_params) / sizeof(magic_params[0]); i++)
		if (magic_setparam(m, magic_params[i].param,
		    &magic_params[i].value) != 0) {
			magic_close(m);
			return NULL;
		}
	return m;
}

static void
prepare(void)
{
	magic_t m;

	(void)pthread_once(&gmime_once, gmime_start);
	arch_prepare();		/* before a sandbox closes the locale files */
	attlinks_prepare();	/* libxml2 (and the QR decoder), likewise */
	m = magic_make();
	pthread_mutex_lock(&prepared_mu);
	prepared = m;
	pthread_mutex_unlock(&prepared_mu);
}

int
attach_prepare(void)
{
	(void)pthread_once(&prepare_once, prepare);
	return prepared != NULL ? 0 : -1;
}

/* attach_prepare's handle for the first context that asks; then NULL. */
static magic_t
take_prepared(void)
{
	magic_t m;

	pthread_mutex_lock(&prepared_mu);
	m = prepared;
	prepared = NULL;
	pthread_mutex_unlock(&prepared_mu);
	return m;
}

static magic_t
magic_get(struct attach_ctx *c)
{
	magic_t m = NULL;

	pthread_mutex_lock(&c->mu);
	if (c->npool > 0)
		m = c->pool[--c->npool];
	pthread_mutex_unlock(&c->mu);
	return m != NULL ? m : magic_make();
}

static void
magic_put(struct attach_ctx *c, magic_t m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->npool < MAGIC_POOL) {
		c->pool[c->npool++] = m;
		m = NULL;
	}
	pthread_mutex_unlock(&c->mu);
	if (m != NULL)
		magic_close(m);
}

int
attach_magic_limits(struct attach_ctx *c, struct attach_magic_limits *l)
{
	size_t *const out[] = { &l->bytes_max, &l->indir_max, &l->name_max,
	    &l->elf_phnum_max, &l->elf_shnum_max, &l->elf_notes_max,
	    &l->regex_max, &l->encoding_max };
	magic_t m = magic_get(c);
	size_t i;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if (m == NULL)
		return -1;
	l->prefix = ATTSCAN_MAGIC_BYTES;
	l->flags = magic_getflags(m);
	for (i = 0; i < sizeof(magic_params) / sizeof(magic_params[0]); i++)
		if (magic_getparam(m, magic_params[i].param, out[i]) != 0)
			rc = -1;
	magic_put(c, m);
	return rc;
}

enum verdict_action
attach_action_parse(const char *w)
{
	if (strcmp(w, "reject") == 0)
		return VERDICT_REJECT;
	if (strcmp(w, "quarantine") == 0)
		return VERDICT_QUARANTINE;
	if (strcmp(w, "tag") == 0)
		return VERDICT_TAG;
	if (strcmp(w, "tempfail") == 0)
		return VERDICT_TEMPFAIL;
	return VERDICT_ACCEPT;
}

/* Splits s at sep in place; the pieces go to *out (malloc). */
static int
split(char *s, char sep, char ***out, size_t *n)
{
	size_t cnt = 1, i;
	char *p;

	for (p = s; *p; p++)
		cnt += *p == sep;
	if ((*out = calloc(cnt, sizeof(**out))) == NULL)
		return -1;
	for (i = 0, p = s; i < cnt; i++) {
		(*out)[i] = p;
		if ((p = strchr(p, sep)) != NULL)
			*p++ = '\0';
	}
	*n = cnt;
	return 0;
}

/* The config checked the syntax of every list (config.c). */
static int
compile(struct attach_ctx *c, const struct config *cfg)
{
	char **words;
	size_t i;
	char *eq;

	c->incomplete = attach_action_parse(cfg->attach_incomplete_action);
	if ((c->words = strdup(cfg->attach_banned_extensions)) == NULL)
		return -1;
	if (c->words[0] != '\0') {
		if (split(c->words, ' ', &words, &c->nbanned) == -1)
			return -1;
		c->banned = (const char **)words;
	}
	if ((c->novr = cfg->attach_n_action_overrides) > 0 &&
	    (c->ovr = calloc(c->novr, sizeof(*c->ovr))) == NULL)
		return -1;
	for (i = 0; i < c->novr; i++) {
		if ((c->ovr[i].key = strdup(cfg->attach_action_overrides[i]))
		    == NULL)
			return -1;
		eq = strchr(c->ovr[i].key, '=');
		*eq = '\0';
		c->ovr[i].action = attach_action_parse(eq + 1);
	}
	if ((c->nallow = cfg->attach_n_allow_senders) > 0 &&
	    (c->allow = calloc(c->nallow, sizeof(*c->allow))) == NULL)
		return -1;
	for (i = 0; i < c->nallow; i++) {
		if ((c->allow[i].domain = strdup(cfg->attach_allow_senders[i]))
		    == NULL)
			return -1;
		eq = strchr(c->allow[i].domain, '=');
		*eq = '\0';
		if (split(eq + 1, ',', &c->allow[i].keys, &c->allow[i].nkeys)
		    == -1)
			return -1;
		if (c->allow[i].domain[0] == '.') {
			c->allow[i].subdomains = 1;
			memmove(c->allow[i].domain, c->allow[i].domain + 1,
			    strlen(c->allow[i].domain));
		}
	}
	return 0;
}

struct attach_ctx *
attach_ctx_new(const struct config *cfg, char *err, size_t errlen)
{
	struct attach_ctx *c;
	magic_t m;

	(void)pthread_once(&prepare_once, prepare);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "attachments: out of memory");
		return NULL;
	}
	c->cfg = cfg;
	pthread_mutex_init(&c->mu, NULL);
	if (compile(c, cfg) == -1) {
		snprintf(err, errlen, "attachments: out of memory");
		attach_ctx_free(c);
		return NULL;
	}
	/* Load one handle now: a missing magic database is a startup
	 * error, not a surprise at the first message. */
	if ((m = take_prepared()) == NULL && (m = magic_make()) == NULL) {
		snprintf(err, errlen, "attachments: cannot load the libmagic "
		    "database (install libmagic-mgc)");
		attach_ctx_free(c);
		return NULL;
	}
	magic_put(c, m);
	return c;
}

void
attach_ctx_free(struct attach_ctx *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npool; i++)
		magic_close(c->pool[i]);
	for (i = 0; i < c->novr; i++)
		free(c->ovr[i].key);
	for (i = 0; i < c->nallow; i++) {
		free(c->allow[i].domain);
		free(c->allow[i].keys);
	}
	free(c->ovr);
	free(c->allow);
	free(c->banned);
	free(c->words);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* "a,b" of the limits hit, or NULL; "archive_unread" only when unread
 * (its reason came with the archive's name, attscan.c). */
static const char *
limit_names(struct attscan *ev, const struct mime_stats *st, int unread)
{
	static const struct {
		unsigned bit;
		int arch;
		const char *name;
	} names[] = {
		{ MIME_LIMIT_DEPTH, 0, "mime_depth" },
		{ MIME_LIMIT_PARTS, 0, "mime_parts" },
		{ MIME_LIMIT_HEADER, 0, "header_length" },
		{ MIME_LIMIT_LINE, 0, "line_length" },
		{ MIME_LIMIT_DECODED, 0, "decoded_bytes" },
		{ MIME_LIMIT_TIME, 0, "time" },
		{ MIME_LIMIT_WORDS, 0, "encoded_words" },
		{ ARCH_LIMIT_DEPTH, 1, "archive_depth" },
		{ ARCH_LIMIT_MEMBERS, 1, "archive_members" },
		{ ARCH_LIMIT_BYTES, 1, "archive_bytes" },
		{ ARCH_LIMIT_TIME, 1, "time" },
		{ ARCH_LIMIT_UNREAD, 1, "archive_unread" },
	};
	char buf[256];
	size_t i, o = 0;
	unsigned mime = st->limits, arch = ev->ast.limits;

	if (!unread)
		arch &= ~(unsigned)ARCH_LIMIT_UNREAD;

	if (ev->dl.hit || ev->hard.hit)
		mime |= MIME_LIMIT_TIME;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!((names[i].arch ? arch : mime) & names[i].bit) ||
		    (names[i].arch && names[i].bit == ARCH_LIMIT_TIME &&
		    (mime & MIME_LIMIT_TIME)))
			continue;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    o ? "," : "", names[i].name);
	}
	if (ev->out->links_dropped > 0)		/* links.h: LINKS_MAX */
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%slinks",
		    o ? "," : "");
	return o ? arena_strdup(ev->a, buf) : NULL;
}

static const char *
bad_names(struct attscan *ev, const struct mime_stats *st)
{
	unsigned bad = st->bad;

	return arena_printf(ev->a, "%s%s%s%s%s%s%s%s",
	    bad & MIME_BAD_STRUCTURE ? "structure" : "",
	    (bad & MIME_BAD_STRUCTURE) && (bad & ~MIME_BAD_STRUCTURE) ?
	    "," : "", bad & MIME_BAD_ENCODING ? "encoding" : "",
	    (bad & MIME_BAD_ENCODING) && (bad & (MIME_BAD_HEADER |
	    MIME_BAD_DUPLICATE)) ? "," : "",
	    bad & MIME_BAD_HEADER ? "header" : "",
	    (bad & MIME_BAD_HEADER) && (bad & MIME_BAD_DUPLICATE) ? "," : "",
	    bad & MIME_BAD_DUPLICATE ? "duplicate " : "",
	    bad & MIME_BAD_DUPLICATE && st->duplicate != NULL ?
	    st->duplicate : "");
}

int
attach_evaluate(struct attach_ctx *ctx, struct spool *msg,
    const char *from_domain, struct arena *a, struct attach_results *out,
    struct verdict *v, char *err, size_t errlen)
{
	const struct config *cfg = ctx->cfg;
	struct mime_limits ml;
	struct mime_stats st;
	struct attscan ev;
	const char *lims;
	long long t0 = deadline_now_ms(), c0 = deadline_cpu_ms();
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&ev, 0, sizeof(ev));
	ev.ctx = ctx;
	ev.cfg = cfg;
	ev.a = a;
	ev.from = from_domain;
	ev.out = out;
	if (!cfg->attach_enable)
		return 0;
	/* The expensive checks stop at the CPU budget; the walk and the
	 * cheap checks only at the wall-clock limit or twice the budget (a
	 * tar.gz within the expansion ratio may still unpack 700 MB to
	 * list its names). */
	deadline_start(&ev.hard, cfg->attach_max_time_ms);
	deadline_cpu_budget(&ev.hard, cfg->attach_max_cpu_ms * 2);
	deadline_start(&ev.dl, cfg->attach_max_time_ms);
	deadline_cpu_budget(&ev.dl, cfg->attach_max_cpu_ms);
	ev.alim.max_depth = cfg->attach_archive_max_depth;
	ev.alim.max_members = cfg->attach_archive_max_members;
	ev.alim.max_ratio = cfg->attach_archive_max_ratio;
	ev.alim.max_bytes = cfg->attach_archive_max_bytes;
	ev.alim.spool_mem = cfg->attach_spool_memory;
	ev.alim.tmpdir = cfg->attach_tmpdir;
	ev.alim.dl = &ev.hard;
	ev.ast.lim = &ev.alim;
	ev.ast.arena = a;
	memset(&ml, 0, sizeof(ml));
	ml.max_depth = cfg->attach_max_mime_depth;
	ml.max_parts = cfg->attach_max_mime_parts;
	ml.max_header_length = cfg->attach_max_header_length;
	ml.max_line = cfg->attach_max_line_length;
	ml.max_decoded = cfg->attach_max_decoded_bytes;
	ml.spool_mem = cfg->attach_spool_memory;
	ml.tmpdir = cfg->attach_tmpdir;
	ml.dl = &ev.hard;
	if ((ev.sniff = malloc(ARCH_HEAD)) == NULL ||
	    (ev.magic = magic_get(ctx)) == NULL) {
		snprintf(err, errlen, "attachments: out of memory");
		goto done;
	}
	if (mime_walk(msg, &ml, a, attscan_part, &ev, &st, err, errlen) == -1)
		goto done;
	out->truncated = limit_names(&ev, &st, 1);
	if ((lims = limit_names(&ev, &st, 0)) != NULL)
		attscan_truncated(&ev, lims);
	if (st.bad)
		attscan_malformed(&ev, bad_names(&ev, &st));
	if (attscan_reasons(&ev, v) == -1) {
		snprintf(err, errlen, "attachments: out of memory");
		goto done;
	}
	/* What a limit kept us from seeing may be a program. */
	if ((out->truncated != NULL || (ev.ast.limits & ARCH_LIMIT_BOMB)) &&
	    verdict_action_strength(ctx->incomplete) >
	    verdict_action_strength(out->hard_action)) {
		out->hard_action = ctx->incomplete;
		out->hard_rule = rules_table[out->truncated != NULL ?
		    RULE_ATTACH_TRUNCATED : RULE_ATTACH_ARCHIVE_BOMB].name;
	}
	/* The items' hard rules were live ones (attscan.c); the action of
	 * an unfinished scan holds whatever is dry run: it is never
	 * milder than what the unseen part might have earned. */
	verdict_require(v, out->hard_action);
	rc = 0;
done:
	out->elapsed_ms = deadline_now_ms() - t0;
	out->cpu_ms = deadline_cpu_ms() - c0;
	magic_put(ctx, ev.magic);
	free(ev.sniff);
	return rc;
}
