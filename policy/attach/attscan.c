/*
 * attscan.c - the attachment rules applied to one message (see attach.h
 * for the list): names, real types, archive members, macros, smuggling,
 * then the policy (allow-list, overrides, hard rule) per item and the
 * reasons per message.
 *
 * Exports attscan_* to attach.c only (attscan.h).  Everything it makes
 * is arena memory of the message.  Thread rule: one scan, one thread.
 * Recursion: a part's archive is walked by arch_walk, whose members may
 * be archives walked again, at most attach_archive_max_depth deep.
 * Budget: every part and member gets the cheap checks (names, declared
 * type, attype_sniff on its first bytes; an attachment's own archive is
 * listed); the expensive ones (libmagic, OLE2 macros, HTML, extracting a
 * member to look inside it) run only while ev->dl, the CPU budget, lasts
 * (budget()).  Walks and reads stop at ev->hard (attach.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attach/arch.h"
#include "util/arena.h"
#include "attach/attlinks.h"
#include "attach/qrimage.h"
#include "attach/ics.h"
#include "attach/attscan.h"
#include "attach/attype.h"
#include "config/config.h"
#include "util/deadline.h"
#include "attach/fname.h"
#include "mail/hdrout.h"
#include "attach/html.h"
#include "attach/mime.h"
#include "attach/namecheck.h"
#include "attach/office.h"
#include "attach/pdfscan.h"
#include "attach/spool.h"
#include "attach/tnef.h"

#define DETAIL_MAX	120

/* The attachment rules are rules.h's RULE_ATTACH_*; an item's reasons
 * are their names in rules_table, compared by identity. */
#define R_BANNED_EXT	RULE_ATTACH_BANNED_EXTENSION
#define R_DOUBLE_EXT	RULE_ATTACH_DOUBLE_EXTENSION
#define R_NAME_TRICK	RULE_ATTACH_NAME_TRICK
#define R_TYPE_MISMATCH	RULE_ATTACH_TYPE_MISMATCH
#define R_EXECUTABLE	RULE_ATTACH_EXECUTABLE
#define R_BANNED_MEMBER	RULE_ATTACH_BANNED_MEMBER
#define R_ENCRYPTED	RULE_ATTACH_ENCRYPTED_ARCHIVE
#define R_MACRO		RULE_ATTACH_OFFICE_MACRO
#define R_SMUGGLING	RULE_ATTACH_HTML_SMUGGLING
#define R_BOMB		RULE_ATTACH_ARCHIVE_BOMB
#define R_TRUNCATED	RULE_ATTACH_TRUNCATED
#define R_MALFORMED	RULE_ATTACH_MALFORMED
#define R_OVERRIDE	RULE_ATTACH_OVERRIDE
#define R_HOSTILE_NAME	RULE_ATTACH_HOSTILE_NAME
#define R_SPECIAL	RULE_ATTACH_SPECIAL_MEMBER

/* One archive being walked. */
struct frame {
	struct attscan *ev;
	int office, odf;		/* an OOXML / OpenDocument container */
	size_t owner;			/* the container's item */
	size_t cur;			/* item of the member in hand */
};

static struct attach_item *
item_at(struct attscan *ev, size_t idx)
{
	return &ev->out->items[idx];
}

/* A new, empty item; its index in *idx.  -1 when out of memory. */
static int
item_new(struct attscan *ev, size_t *idx)
{
	struct attach_results *r = ev->out;
	struct attach_item *n;
	size_t ncap;

	if (r->nitems == r->cap) {
		ncap = r->cap ? r->cap * 2 : 8;
		if ((n = arena_calloc(ev->a, ncap, sizeof(*n))) == NULL)
			return -1;
		if (r->nitems)
			memcpy(n, r->items, r->nitems * sizeof(*n));
		r->items = n;
		r->cap = ncap;
	}
	memset(&r->items[r->nitems], 0, sizeof(*n));
	*idx = r->nitems++;
	return 0;
}

/* How an item is named in a reason: its archive path or its name. */
static const char *
label(struct attscan *ev, const struct attach_item *it)
{
	const char *s = it->path != NULL ? it->path : it->name;

	return fname_escape(ev->a, *s != '\0' ? s : "(no name)",
	    DETAIL_MAX);
}

/* Records that item idx raised rule r (once), with the detail the
 * verdict shows if it is the first. */
static void
raise_rule(struct attscan *ev, size_t idx, enum rule r, const char *detail)
{
	struct attach_item *it = item_at(ev, idx);
	const char **n, **d;
	size_t i, ncap;

	for (i = 0; i < it->nreasons; i++)
		if (it->reasons[i] == rules_table[r].name)
			return;
	if (it->nreasons == it->rcap) {
		ncap = it->rcap ? it->rcap * 2 : 4;
		if ((n = arena_calloc(ev->a, ncap, sizeof(*n))) == NULL ||
		    (d = arena_calloc(ev->a, ncap, sizeof(*d))) == NULL) {
			ev->failed = 1;
			return;
		}
		if (it->nreasons) {
			memcpy(n, it->reasons, it->nreasons * sizeof(*n));
			memcpy(d, it->details, it->nreasons * sizeof(*d));
		}
		it->reasons = n;
		it->details = d;
		it->rcap = ncap;
	}
	if (detail == NULL && (detail = label(ev, it)) == NULL)
		ev->failed = 1;
	it->details[it->nreasons] = detail;
	it->reasons[it->nreasons++] = rules_table[r].name;
}

static int
has(const struct attach_item *it, enum rule r)
{
	size_t i;

	for (i = 0; i < it->nreasons; i++)
		if (it->reasons[i] == rules_table[r].name)
			return 1;
	return 0;
}

static int
banned(const struct attscan *ev, const char *ext)
{
	size_t i;

	for (i = 0; ext[0] != '\0' && i < ev->ctx->nbanned; i++)
		if (strcmp(ext, ev->ctx->banned[i]) == 0)
			return 1;
	return 0;
}

/* A name built to attack the tools that handle it (namecheck.c): for a
 * member its path in the archive, for a part the name as sent, paths
 * and all.  Detail: "where: kind: what[; also kinds][, lookalike]". */
static void
check_hostile(struct attscan *ev, size_t idx, const struct fname *fn,
    int member)
{
	const struct namecheck *nc = &fn->check;
	const char *where;
	char also[64];
	unsigned k;
	size_t o = 0;

	if (nc->kinds == 0)
		return;
	where = member ? label(ev, item_at(ev, idx)) :
	    fname_escape(ev->a, fn->raw, DETAIL_MAX);
	also[0] = '\0';
	for (k = NAMECHECK_SHELL; k <= NAMECHECK_CONTROL; k <<= 1)
		if ((nc->kinds & k) && k != nc->first)
			o += (size_t)snprintf(also + o, sizeof(also) - o,
			    "%s%s", o ? "," : "; also ",
			    namecheck_kind_name(k));
	raise_rule(ev, idx, R_HOSTILE_NAME, where == NULL ? NULL :
	    arena_printf(ev->a, "%s: %s%s%s", where, nc->why, also,
	    nc->lookalike ? ", lookalike" : ""));
}

/* Name rules for one name of item idx.  Control characters are
 * attach_hostile_name's, direction and invisible ones attach_name_trick's
 * (what they make a reader see). */
static void
check_name(struct attscan *ev, size_t idx, const struct fname *fn, int member)
{
	if (fn->name == NULL)
		return;
	check_hostile(ev, idx, fn, member);
	if (fn->flags & (FNAME_BIDI | FNAME_INVISIBLE))
		raise_rule(ev, idx, R_NAME_TRICK, fname_escape(ev->a, fn->raw,
		    DETAIL_MAX));
	if (banned(ev, fn->ext))
		raise_rule(ev, idx, member ? R_BANNED_MEMBER : R_BANNED_EXT,
		    NULL);
	if (fn->ext2[0] != '\0' && attype_decoy_ext(fn->ext2) &&
	    (banned(ev, fn->ext) || attype_exe_ext(fn->ext)))
		raise_rule(ev, idx, R_DOUBLE_EXT, NULL);
}

/* Executable content, and whether its declared type or name lies. */
static void
check_type(struct attscan *ev, size_t idx, const struct fname *fn,
    const struct fname *alt)
{
	struct attach_item *it = item_at(ev, idx);
	const char *ext = fn != NULL && fn->name != NULL ? fn->ext : "";
	const char *aext = alt != NULL && alt->name != NULL ? alt->ext : "";
	int lie;

	if (!attype_is_executable(it->detected))
		return;
	raise_rule(ev, idx, R_EXECUTABLE, NULL);
	lie = (it->declared != NULL && !attype_declared_binary(it->declared));
	lie |= ext[0] != '\0' && !attype_exe_ext(ext) && !banned(ev, ext);
	lie |= aext[0] != '\0' && !attype_exe_ext(aext) && !banned(ev, aext);
	if (lie)
		raise_rule(ev, idx, R_TYPE_MISMATCH, arena_printf(ev->a,
		    "%s: declared %s, is %s", label(ev, it), it->declared ?
		    it->declared : ext, it->detected));
}

/* 1 while the expensive checks (libmagic, macros, HTML, archives inside
 * archives) may run.  Past the budget, items get the cheap checks only
 * and the scan is incomplete: its "time" limit makes the verdict at
 * least attach_incomplete_action (attach.c). */
static int
budget(struct attscan *ev)
{
	return !deadline_passed(&ev->dl);
}

/* The type of content starting with head: the signature table first
 * (every item, whatever the budget), then libmagic on at most
 * ATTSCAN_MAGIC_BYTES while the budget lasts.  A program the table saw
 * stays a program whatever libmagic says. */
static const char *
sniff(struct attscan *ev, const unsigned char *head, size_t len,
    unsigned long long size)
{
	const char *cheap, *t;

	if (len == 0)
		return NULL;
	cheap = attype_sniff(head, len, size);
	if ((cheap != NULL && strcmp(cheap, ATTYPE_EICAR) == 0) ||
	    ev->magic == NULL || !budget(ev))
		return cheap;
	/* libmagic's answer without libmagic where the first bytes decide
	 * it (attype_known); the same string, so the same rules follow. */
	if ((t = attype_known(head, len)) == NULL)
		t = magic_buffer(ev->magic, head, len < ATTSCAN_MAGIC_BYTES ?
		    len : ATTSCAN_MAGIC_BYTES);
	if (attype_generic(t) || (attype_is_executable(cheap) &&
	    !attype_is_executable(t)))
		return cheap != NULL ? cheap : t != NULL ?
		    arena_strdup(ev->a, t) : NULL;
	return arena_strdup(ev->a, t);
}

/* The hard rule (attach_executable_quarantine) item it trips: its first
 * live rule of executable, banned extension, banned member, hostile name,
 * special member, or RULE_COUNT.  A dry-run rule holds nothing.  A name
 * or an entry built to attack the tools that unpack it is no more
 * legitimate than a program, and its score must not depend on how high
 * a recipient set the thresholds. */
static enum rule
hard_rule(const struct attscan *ev, const struct attach_item *it)
{
	static const enum rule order[] = { R_EXECUTABLE, R_BANNED_EXT,
	    R_BANNED_MEMBER, R_HOSTILE_NAME, R_SPECIAL };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (has(it, order[i]) && verdict_rule_live(ev->cfg, order[i]))
			return order[i];
	return RULE_COUNT;
}

static void
tally(struct attscan *ev, enum rule r, const char *detail)
{
	if (ev->tally[r].count++ == 0)
		ev->tally[r].detail = detail;
}

/* The policy for one finished item: allow-list, overrides, hard rule;
 * then its reasons count for the message. */
static void
finalize(struct attscan *ev, size_t idx, const struct fname *fn,
    const struct fname *alt)
{
	struct attach_item *it = item_at(ev, idx);
	struct attach_results *r = ev->out;
	const struct override *o = NULL;
	const char *ext = fn != NULL && fn->name != NULL ? fn->ext : "";
	const char *aext = alt != NULL && alt->name != NULL ? alt->ext : "";
	const char *why = NULL;
	enum rule hard, k;
	size_t i;
	int live;

	/* The extension of a hostile name is the attacker's choice: an
	 * ".ext" key neither exempts it nor sets its action. */
	if (has(it, R_HOSTILE_NAME))
		ext = aext = "";
	for (i = 0; i < ev->ctx->novr && o == NULL; i++)
		if (attscan_key_match(ev->ctx->ovr[i].key, it, ext, aext))
			o = &ev->ctx->ovr[i];
	/* A dry-run override is listed as what-if and changes nothing. */
	live = o != NULL && verdict_rule_live(ev->cfg, R_OVERRIDE);
	if ((it->nreasons > 0 || o != NULL) && (attscan_allowed(ev, it, ext, aext) ||
	    (live && o->action == VERDICT_ACCEPT))) {
		it->flags |= ATTACH_EXEMPT;
		return;
	}
	if (o != NULL) {
		raise_rule(ev, idx, R_OVERRIDE, arena_printf(ev->a, "%s: %s",
		    label(ev, it), o->key));
		it = item_at(ev, idx);
	}
	if (live) {
		it->action = o->action;
		why = rules_table[R_OVERRIDE].name;
	} else if (ev->cfg->attach_executable_quarantine &&
	    (hard = hard_rule(ev, it)) != RULE_COUNT) {
		it->action = VERDICT_QUARANTINE;
		why = rules_table[hard].name;
	}
	if (it->action > r->hard_action) {
		r->hard_action = it->action;
		r->hard_rule = why;
	}
	for (i = 0; i < it->nreasons; i++)
		for (k = 0; k < RULE_COUNT; k++)
			if (it->reasons[i] == rules_table[k].name)
				tally(ev, k, it->details[i]);
}

static int member_cb(void *, const struct arch_member *);

/* Excel 4.0 macro sheets in an OLE2 workbook, or named by an OOXML
 * types or relationships part (types set; office.h). */
static void
xlm_check(struct attscan *ev, size_t idx, struct spool *sp, int types)
{
	static const enum rule r[] = { RULE_COUNT, R_MACRO, R_ENCRYPTED,
	    R_TRUNCATED };
	const char *what;
	enum office_xlm_seen s = office_xlm(sp, types, &ev->dl, &what);

	if (s == OFFICE_XLM_UNSEEN)
		item_at(ev, idx)->flags |= ATTACH_TRUNCATED;
	if (s != OFFICE_XLM_NONE)
		raise_rule(ev, idx, r[s], arena_printf(ev->a, "%s: %s",
		    label(ev, item_at(ev, idx)), what));
}

/* What a PDF does when opened (pdfscan.h); an unfinished scan is an
 * incomplete one. */
static int
check_pdf(struct attscan *ev, size_t idx, struct spool *content)
{
	static const struct { unsigned f; enum rule r; } map[] = {
	    { PDF_LAUNCH, RULE_ATTACH_PDF_LAUNCH },
	    { PDF_JAVASCRIPT, RULE_ATTACH_PDF_JAVASCRIPT },
	    { PDF_EMBEDDED, RULE_ATTACH_PDF_EMBEDDED },
	    { PDF_EXECUTABLE, R_EXECUTABLE } };
	const char *l = label(ev, item_at(ev, idx));
	int f = pdfscan_spool(content, &ev->dl);
	size_t i;

	if (f == -1 || l == NULL)
		return -1;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if ((unsigned)f & map[i].f)
			raise_rule(ev, idx, map[i].r, (unsigned)f & PDF_ESCAPED ?
			    arena_printf(ev->a, "%s (escaped names)", l) : l);
	if ((unsigned)f & PDF_TRUNCATED) {
		item_at(ev, idx)->flags |= ATTACH_TRUNCATED;
		raise_rule(ev, idx, R_TRUNCATED, arena_printf(ev->a,
		    "%s: PDF not read to its end", l));
	}
	return 0;
}

/* Looks inside content: archive members, OLE2 macros, HTML smuggling.
 * path names the content for its members; adepth is their depth. */
static int
inspect(struct attscan *ev, size_t idx, struct spool *content,
    const unsigned char *head, size_t headlen, const char *path,
    unsigned adepth, const struct fname *fn, int html)
{
	struct attach_item *it = item_at(ev, idx);
	const char *ext = fn != NULL && fn->name != NULL ? fn->ext : "";
	const char *why;
	struct arch_info info;
	struct frame fr;
	unsigned before = ev->ast.limits;
	int damaged, r, tnef;

	memset(&fr, 0, sizeof(fr));
	tnef = tnef_is(head, headlen);	/* winmail.dat: walked as one */
	if (tnef || attype_is_archive(it->detected, ext)) {
		fr.ev = ev;
		fr.owner = idx;
		fr.office = !tnef && attype_is_office_zip(it->detected, ext,
		    &fr.odf);
		if ((tnef ? tnef_walk : arch_walk)(&ev->ast, content, path,
		    adepth, member_cb, &fr, &info) == -1)
			return -1;
		if (info.encrypted) {
			item_at(ev, idx)->flags |= ATTACH_ENCRYPTED;
			raise_rule(ev, idx, R_ENCRYPTED, NULL);
		}
		/* Members nobody read may hold the program (an attacker
		 * damages one member and puts the executable after it):
		 * the scan is incomplete (attach.c).  A bad CRC once the
		 * bytes were read is only damage. */
		if (info.broken != NULL) {
			item_at(ev, idx)->flags |= ATTACH_TRUNCATED;
			raise_rule(ev, idx, R_TRUNCATED, arena_printf(ev->a,
			    "%s: archive not read to its end: %s",
			    label(ev, item_at(ev, idx)),
			    hdrout_printable(ev->a, info.broken, 120)));
		}
		if (info.damaged != NULL)
			raise_rule(ev, idx, R_MALFORMED, arena_printf(ev->a,
			    "%s: archive damaged: %s",
			    label(ev, item_at(ev, idx)),
			    hdrout_printable(ev->a, info.damaged, 120)));
		if ((ev->ast.limits & ARCH_LIMIT_BOMB) &&
		    !(before & ARCH_LIMIT_BOMB))
			raise_rule(ev, idx, R_BOMB, NULL);
		it = item_at(ev, idx);
	}
	if (office_is_ole(head, headlen) && !attype_is_executable(it->detected)
	    && budget(ev))
		xlm_check(ev, idx, content, 0);
	if (office_is_ole(head, headlen) && !attype_is_executable(it->detected)
	    && budget(ev) && office_ole_has_vba(content, &ev->dl, &damaged))
		raise_rule(ev, idx, R_MACRO, NULL);
	if (pdfscan_is_pdf(head, headlen) && budget(ev) &&
	    check_pdf(ev, idx, content) == -1)
		return -1;
	if (html && attype_is_html(it->detected, ext) && budget(ev)) {
		if ((r = html_smuggling(content, &ev->dl, &why)) == -1)
			return -1;
		if (r == 1)
			raise_rule(ev, idx, R_SMUGGLING, arena_printf(ev->a,
			    "%s: %s", label(ev, it), why));
	}
	if (budget(ev) && attlinks_item(ev, idx, content, !html) == -1)
		return -1;
	return ev->failed ? -1 : 0;
}

/* Worth extracting a member to look inside it. */
static int
wants_inside(const struct attach_item *it, const struct arch_member *m,
    const struct fname *fn)
{
	return attype_is_archive(it->detected, fn->ext) ||
	    office_is_ole(m->head, m->headlen) ||
	    tnef_is(m->head, m->headlen) ||
	    pdfscan_is_pdf(m->head, m->headlen) ||
	    attype_is_html(it->detected, fn->ext) ||
	    qrimage_kind(m->head, m->headlen) != QRIMAGE_NONE ||
	    ics_is_calendar(NULL, it->detected, fn->ext);
}

/* Office containers list only the members that raised something. */
static void
member_done(struct frame *fr, size_t idx, const struct fname *fn)
{
	struct attscan *ev = fr->ev;

	finalize(ev, idx, fn, NULL);
	if (fr->office && item_at(ev, idx)->nreasons == 0 &&
	    idx == ev->out->nitems - 1)
		ev->out->nitems--;
}

/* A new item for member m; its index in *idx.  -1 when out of memory. */
static int
member_item(struct frame *fr, const struct arch_member *m,
    const struct fname *fn, size_t *idx)
{
	struct attscan *ev = fr->ev;
	struct attach_item *it;

	if (item_new(ev, idx) == -1)
		return -1;
	it = item_at(ev, *idx);
	it->name = fn->name;
	it->shown = fn->shown;
	it->parent = (long)fr->owner;
	if ((it->ext = arena_strdup(ev->a, fn->ext)) == NULL)
		return -1;
	it->path = m->path;
	it->size = m->size;
	it->depth = m->depth;
	it->flags = ATTACH_MEMBER | (m->encrypted ? ATTACH_ENCRYPTED : 0) |
	    (m->truncated ? ATTACH_TRUNCATED : 0);
	return 0;
}

/* An entry extracting writes as something other than a file of its own:
 * a symlink (the next member written "through" it lands outside the
 * target directory), a hardlink (to another entry, or to /etc/shadow on
 * a careless extractor), a device, FIFO or socket. */
static void
check_special(struct attscan *ev, size_t idx, const struct arch_member *m)
{
	static const char *const what[] = { [ARCH_SYMLINK] = "symlink",
	    [ARCH_HARDLINK] = "hardlink", [ARCH_DEVICE] = "device",
	    [ARCH_FIFO] = "fifo", [ARCH_SOCKET] = "socket" };
	const char *where;

	if (m->kind == ARCH_REGULAR || m->kind == ARCH_DIRECTORY ||
	    (where = label(ev, item_at(ev, idx))) == NULL)
		return;
	raise_rule(ev, idx, R_SPECIAL, m->link != NULL ?
	    arena_printf(ev->a, "%s: %s -> %s", where, what[m->kind],
	    fname_escape(ev->a, m->link, DETAIL_MAX / 2)) :
	    arena_printf(ev->a, "%s: %s", where, what[m->kind]));
}

/* An entry with no bytes: its name and kind; listed only when it raised
 * something (directories seldom do). */
static int
entry_cb(struct frame *fr, const struct arch_member *m,
    const struct fname *fn)
{
	struct attscan *ev = fr->ev;
	size_t idx;

	if (member_item(fr, m, fn, &idx) == -1)
		return -1;
	check_name(ev, idx, fn, 1);
	check_special(ev, idx, m);
	finalize(ev, idx, fn, NULL);
	if (item_at(ev, idx)->nreasons == 0 && idx == ev->out->nitems - 1)
		ev->out->nitems--;
	return ev->failed ? -1 : ARCH_SKIP;
}

static int
member_cb(void *arg, const struct arch_member *m)
{
	struct frame *fr = arg;
	struct attscan *ev = fr->ev;
	struct attach_item *it;
	struct fname fn;
	size_t idx;

	if (fname_parse(ev->a, m->name, &fn) == -1)
		return -1;
	if (m->kind != ARCH_REGULAR && m->kind != ARCH_HARDLINK)
		return entry_cb(fr, m, &fn);
	if (m->content != NULL) {
		idx = fr->cur;
		it = item_at(ev, idx);
		it->size = m->size;
		if (m->truncated)
			it->flags |= ATTACH_TRUNCATED;
		if (fr->office && office_member_lists_types(m->name))
			xlm_check(ev, fr->owner, m->content, 1);
		if (inspect(ev, idx, m->content, m->head, m->headlen, m->path,
		    m->depth + 1, &fn, 1) == -1)
			return -1;
		member_done(fr, idx, &fn);
		return ev->failed ? -1 : 0;
	}
	/* A document's macros are the document's: an allow-list entry or
	 * override for ".xlsm" must find them on the .xlsm. */
	if (fr->office && office_member_is_macro(m->name, fr->odf)) {
		raise_rule(ev, fr->owner, R_MACRO, fname_escape(ev->a, m->path,
		    DETAIL_MAX));
		return ev->failed ? -1 : ARCH_SKIP;
	}
	if (member_item(fr, m, &fn, &idx) == -1)
		return -1;
	it = item_at(ev, idx);
	it->detected = sniff(ev, m->head, m->headlen, m->size);
	check_name(ev, idx, &fn, 1);
	check_special(ev, idx, m);
	check_type(ev, idx, &fn, NULL);
	if (office_member_is_macro(m->name, 0))
		raise_rule(ev, idx, R_MACRO, NULL);
	if (ev->failed)
		return -1;
	/* Looking inside a member is expensive work: past the budget the
	 * member keeps its cheap verdict and the scan is incomplete. */
	if (!m->encrypted && !has(item_at(ev, idx), R_MACRO) &&
	    (wants_inside(item_at(ev, idx), m, &fn) || (fr->office &&
	    office_member_lists_types(m->name)))) {
		if (budget(ev)) {
			fr->cur = idx;
			return ARCH_EXTRACT;
		}
		item_at(ev, idx)->flags |= ATTACH_TRUNCATED;
	}
	member_done(fr, idx, &fn);
	return ev->failed ? -1 : ARCH_SKIP;
}

int
attscan_part(void *arg, const struct mime_part *p)
{
	struct attscan *ev = arg;
	struct attach_item *it;
	const char *path;
	size_t idx;
	ssize_t n;
	int body;

	if (item_new(ev, &idx) == -1)
		return -1;
	it = item_at(ev, idx);
	it->name = p->name.name != NULL ? p->name.name : "";
	it->shown = p->name.shown;
	it->parent = -1;
	if ((it->ext = arena_strdup(ev->a, p->name.ext)) == NULL)
		return -1;
	it->declared = p->declared;
	it->size = p->size;
	it->depth = p->depth;
	it->flags = (p->uuencoded ? ATTACH_UUENCODED : 0) |
	    (p->truncated ? ATTACH_TRUNCATED : 0);
	if ((n = spool_pread(p->content, ev->sniff, ARCH_HEAD, 0)) < 0)
		n = 0;
	/* A text body is not offered as a file: no smuggling check.  When
	 * it is text indeed, libmagic (~0.25 ms of regular expressions per
	 * text) has nothing to add. */
	body = !p->attachment && strncmp(p->declared, "text/", 5) == 0;
	if (!body || !attype_is_texty(ev->sniff, (size_t)n) ||
	    attype_is_eicar(ev->sniff, (size_t)n, p->size))
		it->detected = sniff(ev, ev->sniff, (size_t)n, p->size);
	if (p->sniffed != NULL)		/* a message is walked too (mime.c) */
		*p->sniffed = it->detected;
	check_name(ev, idx, &p->name, 0);
	check_name(ev, idx, &p->alt, 0);
	check_type(ev, idx, &p->name, &p->alt);
	path = *it->name != '\0' ? it->name :
	    arena_printf(ev->a, "part-%u", p->index);
	if (path == NULL || inspect(ev, idx, p->content, ev->sniff, (size_t)n,
	    path, 1, &p->name, !body) == -1)
		return -1;
	finalize(ev, idx, &p->name, &p->alt);
	it = item_at(ev, idx);
	if (body && it->nreasons == 0 && idx == ev->out->nitems - 1)
		ev->out->nitems--;
	ev->out->parts++;
	return ev->failed ? -1 : 0;
}

void
attscan_truncated(struct attscan *ev, const char *limits)
{
	tally(ev, R_TRUNCATED, limits);
}

void
attscan_malformed(struct attscan *ev, const char *what)
{
	tally(ev, R_MALFORMED, what);
}

