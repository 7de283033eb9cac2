/*
 * tnef.c - attachments inside a TNEF stream, with libytnef (see tnef.h).
 *
 * Exports tnef_is and tnef_walk.  Owns, per walk, a copy of the stream
 * in memory (bounded by TNEF_MAX_INPUT and the byte cap), libytnef's
 * parse of it and one member spool, all released before it returns.
 * TNEF ([MS-OXTNEF] 2.1.3): a 4-byte signature 0x223E9F78, a 2-byte
 * key, then attributes: level (1 byte), id (4), length (4), data, and a
 * 2-byte checksum (the sum of the data bytes).  Attachment attributes
 * follow an attAttachRenddata that opens each attachment.
 * Why we walk the framing first: libytnef appends each attachment to a
 * list it walks to the end every time (quadratic in attachments), keeps
 * only the last attAttachData of an attachment (a first one nobody would
 * check) and leaks the others, ends quietly on a truncated attribute,
 * and prints its errors on stdout.  So the count is capped before it
 * parses, an attribute repeated where libytnef keeps one is "broken"
 * (not every byte was checked), and libytnef sees only framing we found
 * whole.
 * Thread rule: one walk, one thread; libytnef keeps no state of its own
 * between calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ytnef.h>

#include "attach/tnef.h"
#include "util/arena.h"
#include "util/deadline.h"
#include "attach/spool.h"

#define TNEF_SIGNATURE	0x223E9F78UL
#define HDR_LEN		9		/* level, id, length */
#define PATH_MAXLEN	1024
#define NAME_MAXLEN	1024

static unsigned long
le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 |
	    (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

int
tnef_is(const unsigned char *head, size_t len)
{
	return head != NULL && len >= 6 && le32(head) == TNEF_SIGNATURE;
}

/* Attributes whose libytnef handler allocates without freeing what an
 * earlier one left (a leak per repeat in a long-lived worker, and for
 * data, a first attachment nobody would check).  Those of an attachment
 * apply to the last one opened; the others to the message. */
static const struct once {
	unsigned long id;
	int attachment;
} once[] = {
	{ attAttachData, 1 }, { attAttachTitle, 1 }, { attAttachMetaFile, 1 },
	{ attAttachment, 1 }, { attFrom, 0 }, { attBody, 0 },
	{ attMAPIProps, 0 }, { attOemCodepage, 0 },
	{ attOriginalMessageClass, 0 },
};
#define NONCE	(sizeof(once) / sizeof(once[0]))

/* What the framing walk found. */
struct frames {
	size_t end;			/* bytes of whole attributes */
	unsigned attachments;
	int members_cut;		/* cut before one too many */
	const char *broken;		/* static text, or NULL */
};

/* 1 when attribute id was seen already in its scope (seen: one bit per
 * once[] entry). */
static int
repeated(unsigned long id, unsigned *seen)
{
	size_t i;

	for (i = 0; i < NONCE; i++)
		if (once[i].id == id) {
			if (*seen & 1U << i)
				return 1;
			*seen |= 1U << i;
			return 0;
		}
	return 0;
}

/* Walks the attributes of buf[0, len) (a TNEF signature checked) up to
 * the first one past budget attachments, or the first damage. */
static void
frames_walk(const unsigned char *buf, size_t len, unsigned budget,
    struct frames *f)
{
	size_t off = 6, i;
	unsigned long id, n, sum;
	unsigned seen = 0;

	memset(f, 0, sizeof(*f));
	f->end = off;
	while (off < len) {
		if (len - off < HDR_LEN + 2) {
			f->broken = "attribute header cut short";
			return;
		}
		id = le32(buf + off + 1);
		n = le32(buf + off + 5);
		if (n == 0 || n > len - off - HDR_LEN - 2) {
			f->broken = n == 0 ? "empty attribute" :
			    "attribute runs past the end";
			return;
		}
		for (sum = 0, i = 0; i < n; i++)
			sum += buf[off + HDR_LEN + i];
		if ((sum & 0xffff) != ((unsigned long)buf[off + HDR_LEN + n] |
		    (unsigned long)buf[off + HDR_LEN + n + 1] << 8)) {
			f->broken = "attribute checksum mismatch";
			return;
		}
		if (id == attTnefVersion && n < 4) {
			/* libytnef would read past it. */
			f->broken = "short version attribute";
			return;
		}
		if (id == attAttachRenddata) {
			if (f->attachments >= budget) {
				f->members_cut = 1;
				return;
			}
			f->attachments++;
			for (i = 0; i < NONCE; i++)
				if (once[i].attachment)
					seen &= ~(1U << i);
		} else if (repeated(id, &seen)) {
			f->broken = "an attribute repeated (libytnef keeps "
			    "the last one)";
			return;
		}
		off += HDR_LEN + n + 2;
		f->end = off;
	}
}

/* An 8-bit string of at most len bytes, up to its NUL. */
static char *
from_bytes(struct arena *ar, const unsigned char *p, size_t len)
{
	size_t n = 0;

	while (n < len && n < NAME_MAXLEN && p[n] != '\0')
		n++;
	return arena_strndup(ar, (const char *)p, n);
}

/* Property id's first value in props, as PT_STRING8 or PT_UNICODE
 * (libytnef turned UTF-16 into a NUL-terminated UTF-8 copy of up to 1.5
 * times its size); NULL when absent or empty (or out of memory). */
static char *
mapi_name(struct arena *ar, MAPIProps *props, unsigned id)
{
	variableLength *v;
	char *s = NULL;

	v = MAPIFindProperty(props, PROP_TAG(PT_UNICODE, id));
	if (v != MAPI_UNDEFINED && v != NULL && v->data != NULL &&
	    v->size > 0)
		s = from_bytes(ar, v->data, (size_t)v->size / 2 * 3);
	v = MAPIFindProperty(props, PROP_TAG(PT_STRING8, id));
	if ((s == NULL || *s == '\0') && v != MAPI_UNDEFINED && v != NULL &&
	    v->data != NULL && v->size > 0)
		s = from_bytes(ar, v->data, (size_t)v->size);
	return s != NULL && *s != '\0' ? s : NULL;
}

/* The name Outlook shows: the long file name, the short one, the
 * title. */
static const char *
attachment_name(struct arena *ar, Attachment *p, unsigned n)
{
	char *s;

	if ((s = mapi_name(ar, &p->MAPI, PR_ATTACH_LONG_FILENAME)) != NULL ||
	    (s = mapi_name(ar, &p->MAPI, PR_ATTACH_FILENAME)) != NULL)
		return s;
	if (p->Title.size > 0 && p->Title.data != NULL &&
	    (s = from_bytes(ar, p->Title.data, (size_t)p->Title.size)) !=
	    NULL && *s != '\0')
		return s;
	return arena_printf(ar, "attachment-%u", n);
}

/* One walk. */
struct walk {
	struct arch_state *st;
	const char *path;
	unsigned depth;
	arch_member_fn fn;
	void *arg;
	struct arch_info *info;
	struct spool *out;
	int stop;
};

static char *
join(struct arena *ar, const char *path, const char *name)
{
	if (strlen(path) + strlen(name) + 1 > PATH_MAXLEN)
		return arena_printf(ar, "%.*s...", PATH_MAXLEN / 2, path);
	return arena_printf(ar, "%s/%s", path, name);
}

/* One attachment's bytes under name: sniff, then maybe all of it.  -1
 * when out of memory or the callback failed. */
static int
member(struct walk *w, const char *name, const unsigned char *data,
    size_t len)
{
	struct arch_state *st = w->st;
	struct arch_member m;
	unsigned long long left;
	char err[128];
	size_t take;
	int want;

	if (deadline_passed(st->lim->dl)) {
		w->stop = 1;
		return 0;
	}
	if (st->members >= st->lim->max_members) {
		st->limits |= ARCH_LIMIT_MEMBERS;
		w->stop = 1;
		return 0;
	}
	st->members++;
	w->info->members++;
	memset(&m, 0, sizeof(m));
	m.kind = ARCH_REGULAR;
	m.depth = w->depth;
	m.size = len;
	if ((m.name = name) == NULL ||
	    (m.path = join(st->arena, w->path, name)) == NULL)
		return -1;
	left = st->bytes < st->lim->max_bytes ? st->lim->max_bytes -
	    st->bytes : 0;
	take = len;
	if ((unsigned long long)take > left) {
		take = (size_t)left;
		st->limits |= ARCH_LIMIT_BYTES;
		m.truncated = 1;
		w->stop = 1;
	}
	st->bytes += take;
	m.head = take > 0 ? data : NULL;
	m.headlen = take < ARCH_HEAD ? take : ARCH_HEAD;
	if ((want = w->fn(w->arg, &m)) == -1)
		return -1;
	if (want != ARCH_EXTRACT)
		return 0;
	if (w->out == NULL && (w->out = spool_new(st->arena,
	    st->lim->spool_mem, st->lim->tmpdir)) == NULL)
		return -1;
	spool_reset(w->out);
	if (spool_write(w->out, data, take, err, sizeof(err)) == -1)
		m.truncated = 1;
	m.content = w->out;
	if (w->fn(w->arg, &m) == -1)
		return -1;
	spool_reset(w->out);
	return 0;
}

/* Each attachment's file data and attached object.  -1 or 0. */
static int
attachments(struct walk *w, TNEFStruct *t)
{
	variableLength *v;
	Attachment *p;
	const char *name;
	unsigned n = 0;
	size_t skip;

	/* Data before any attAttachRenddata lands on the list head. */
	for (p = &t->starting_attach; p != NULL && !w->stop; p = p->next) {
		n++;
		name = NULL;
		if (p->FileData.size > 0 && p->FileData.data != NULL) {
			if ((name = attachment_name(w->st->arena, p, n)) ==
			    NULL || member(w, name, p->FileData.data,
			    (size_t)p->FileData.size) == -1)
				return -1;
		}
		/* An attached message or OLE object: PT_OBJECT starts with
		 * the 16-byte interface id. */
		skip = 0;
		v = MAPIFindProperty(&p->MAPI, PROP_TAG(PT_BINARY,
		    PR_ATTACH_DATA_OBJ));
		if (v == MAPI_UNDEFINED || v == NULL) {
			v = MAPIFindProperty(&p->MAPI, PROP_TAG(PT_OBJECT,
			    PR_ATTACH_DATA_OBJ));
			skip = 16;
		}
		if (w->stop || v == MAPI_UNDEFINED || v == NULL ||
		    v->data == NULL || v->size <= 0 ||
		    (size_t)v->size <= skip)
			continue;
		if (name == NULL && (name = attachment_name(w->st->arena, p,
		    n)) == NULL)
			return -1;
		if (member(w, name, v->data + skip, (size_t)v->size - skip)
		    == -1)
			return -1;
	}
	return 0;
}

/* The stream in sp, copied into memory (caller frees): NULL when it is
 * too big (*big: past TNEF_MAX_INPUT or the bytes left under the byte
 * cap), out of memory or unreadable. */
static unsigned char *
load(struct arch_state *st, struct spool *sp, size_t *len, int *big)
{
	unsigned long long size = spool_size(sp), left;
	unsigned char *buf;

	*big = 0;
	left = st->bytes < st->lim->max_bytes ? st->lim->max_bytes -
	    st->bytes : 0;
	if (size > TNEF_MAX_INPUT || size > left) {
		*big = 1;
		return NULL;
	}
	if ((buf = malloc(size > 0 ? (size_t)size : 1)) == NULL)
		return NULL;
	if (spool_pread(sp, buf, (size_t)size, 0) != (ssize_t)size) {
		free(buf);
		return NULL;
	}
	*len = (size_t)size;
	return buf;
}

int
tnef_walk(struct arch_state *st, struct spool *sp, const char *path,
    unsigned depth, arch_member_fn fn, void *arg, struct arch_info *info)
{
	struct walk w;
	struct frames f;
	TNEFStruct t;
	unsigned char *buf, sig[6];
	size_t len = 0;
	unsigned budget;
	int big, r, rc;

	memset(info, 0, sizeof(*info));
	if (depth > st->lim->max_depth) {
		st->limits |= ARCH_LIMIT_DEPTH;
		return 0;
	}
	if (spool_pread(sp, sig, sizeof(sig), 0) != (ssize_t)sizeof(sig) ||
	    !tnef_is(sig, sizeof(sig)))
		return 0;		/* not TNEF: not opened */
	info->format = "tnef";
	info->opened = 1;
	if ((buf = load(st, sp, &len, &big)) == NULL) {
		if (big) {
			st->limits |= ARCH_LIMIT_BYTES;
			return 0;
		}
		info->broken = "tnef: unreadable";
		st->limits |= ARCH_LIMIT_UNREAD;
		return 0;
	}
	budget = st->lim->max_members > st->members ?
	    st->lim->max_members - st->members : 0;
	frames_walk(buf, len, budget < TNEF_MAX_ATTACHMENTS ? budget :
	    TNEF_MAX_ATTACHMENTS, &f);
	if (f.members_cut)
		st->limits |= ARCH_LIMIT_MEMBERS;
	memset(&t, 0, sizeof(t));
	TNEFInitialize(&t);
	t.Debug = 0;
	r = TNEFParseMemory(buf, (long)f.end, &t);
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.path = path;
	w.depth = depth;
	w.fn = fn;
	w.arg = arg;
	w.info = info;
	rc = attachments(&w, &t);
	TNEFFree(&t);
	TNEFFreeAttachment(&t.starting_attach);	/* TNEFFree skips it */
	free(buf);
	spool_free(w.out);
	if (f.broken != NULL)
		info->broken = arena_printf(st->arena, "tnef: %s", f.broken);
	else if (r < 0)
		info->broken = arena_printf(st->arena, "tnef: libytnef "
		    "error %d", r);
	if (info->broken != NULL)
		st->limits |= ARCH_LIMIT_UNREAD;
	if (deadline_passed(st->lim->dl))
		st->limits |= ARCH_LIMIT_TIME;
	return rc;
}
