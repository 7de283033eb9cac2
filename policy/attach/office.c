/*
 * office.c - VBA macro projects in OLE2 and OOXML/OpenDocument files (see
 * office.h).
 *
 * Exports office_*.  No shared state; reads the spool with spool_pread
 * only (little-endian fields decoded byte by byte, so alignment and host
 * order do not matter).
 * Caps: directory chain of at most OFFICE_MAX_DIR_SECTORS sectors and
 * never longer than the file has sectors (a FAT loop ends there); DIFAT
 * chain likewise; every sector number is checked against the file size
 * before it is read.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/deadline.h"
#include "attach/office.h"
#include "attach/spool.h"

#define OLE_HEADER	512
#define OLE_DIFAT_HDR	109
#define OLE_MAXREG	0xfffffffaU	/* above: special sector values */
#define OLE_ENTRY	128
#define OLE_MINI	64

static const unsigned char ole_magic[8] = {
	0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1
};

struct ole {
	struct spool *sp;
	unsigned long long size;
	unsigned shift;			/* sector size = 1 << shift */
	uint32_t nsect;			/* sectors the file can hold */
	unsigned char hdr[OLE_HEADER];
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

int
office_is_ole(const unsigned char *head, size_t len)
{
	return len >= sizeof(ole_magic) &&
	    memcmp(head, ole_magic, sizeof(ole_magic)) == 0;
}

/* Reads n bytes at offset off of sector sec; -1 when out of the file. */
static int
sector_read(struct ole *o, uint32_t sec, size_t off, void *buf, size_t n)
{
	unsigned long long at;

	if (sec >= o->nsect || off + n > (1U << o->shift))
		return -1;
	at = ((unsigned long long)sec + 1) << o->shift;
	at += off;
	return spool_pread(o->sp, buf, n, at) == (ssize_t)n ? 0 : -1;
}

/* The sector holding FAT sector number i (from the header's DIFAT, then
 * the DIFAT chain); OLE_MAXREG + 1 when there is none. */
static uint32_t
fat_sector(struct ole *o, uint32_t i)
{
	uint32_t per = (1U << o->shift) / 4 - 1, dif, steps;
	unsigned char b[4];

	if (i < OLE_DIFAT_HDR)
		return le32(o->hdr + 0x4c + 4 * i);
	i -= OLE_DIFAT_HDR;
	dif = le32(o->hdr + 0x44);
	for (steps = 0; i >= per; steps++) {
		if (steps >= o->nsect || sector_read(o, dif, per * 4, b, 4))
			return OLE_MAXREG + 1;
		dif = le32(b);
		i -= per;
	}
	if (sector_read(o, dif, i * 4, b, 4) == -1)
		return OLE_MAXREG + 1;
	return le32(b);
}

/* The sector after sec in its chain, or OLE_MAXREG + 1. */
static uint32_t
next_sector(struct ole *o, uint32_t sec)
{
	uint32_t per = (1U << o->shift) / 4, fs;
	unsigned char b[4];

	fs = fat_sector(o, sec / per);
	if (fs > OLE_MAXREG || sector_read(o, fs, (sec % per) * 4, b, 4))
		return OLE_MAXREG + 1;
	return le32(b);
}

/* 1 when the entry's UTF-16 name (len bytes with its NUL) is want. */
static int
name_is(const unsigned char *e, unsigned len, const char *want)
{
	unsigned i;

	if (len != 2 * (strlen(want) + 1))
		return 0;
	for (i = 0; want[i] != '\0'; i++)
		if (le16(e + 2 * i) > 0x7e || toupper(le16(e + 2 * i)) !=
		    toupper((unsigned char)want[i]))
			return 0;
	return 1;
}

/* 1 when a directory entry names a VBA project part. */
static int
vba_entry(const unsigned char *e)
{
	static const char *const names[] = { "VBA", "_VBA_PROJECT",
	    "_VBA_PROJECT_CUR", "Macros", NULL };
	char name[33];
	unsigned len = le16(e + 0x40), i, c;

	/* Name length in bytes, UTF-16 with its terminating NUL. */
	if (len < 2 || len > 64 || len % 2 || (e[0x42] != 1 && e[0x42] != 2))
		return 0;
	for (i = 0; i < len / 2 - 1; i++) {
		c = le16(e + 2 * i);
		if (c == 0 || c > 0x7e)
			return 0;	/* every name we look for is ASCII */
		name[i] = (char)c;
	}
	name[i] = '\0';
	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* Opens the OLE2 file in sp; -1 when it is not a readable one. */
static int
ole_open(struct ole *o, struct spool *sp)
{
	memset(o, 0, sizeof(*o));
	o->sp = sp;
	o->size = spool_size(sp);
	if (spool_pread(sp, o->hdr, OLE_HEADER, 0) != OLE_HEADER ||
	    !office_is_ole(o->hdr, OLE_HEADER))
		return -1;
	o->shift = le16(o->hdr + 0x1e);
	if (o->shift != 9 && o->shift != 12)
		return -1;
	o->nsect = (o->size >> o->shift) > OLE_MAXREG ? OLE_MAXREG :
	    (uint32_t)(o->size >> o->shift);
	if (o->nsect > 0)
		o->nsect--;		/* the header takes the first one */
	return 0;
}

/* Calls fn on each directory entry, in order, until it answers nonzero;
 * returns that answer, or 0 at the end of the directory (*damaged set
 * when the chain was broken or the walk stopped early). */
static int
dir_walk(struct ole *o, struct deadline *dl, int *damaged,
    int (*fn)(void *, const unsigned char *), void *arg)
{
	unsigned char ent[OLE_ENTRY];
	uint32_t sec, steps, i, per;
	int r;

	per = (1U << o->shift) / OLE_ENTRY;
	sec = le32(o->hdr + 0x30);
	for (steps = 0; sec <= OLE_MAXREG; steps++) {
		if (steps >= o->nsect || steps >= OFFICE_MAX_DIR_SECTORS ||
		    deadline_passed(dl)) {
			*damaged = steps >= o->nsect;
			return 0;
		}
		for (i = 0; i < per; i++) {
			if (sector_read(o, sec, i * OLE_ENTRY, ent,
			    OLE_ENTRY) == -1) {
				*damaged = 1;
				return 0;
			}
			if ((r = fn(arg, ent)) != 0)
				return r;
		}
		sec = next_sector(o, sec);
	}
	if (sec != 0xfffffffeU)		/* ENDOFCHAIN */
		*damaged = 1;
	return 0;
}

static int
vba_cb(void *arg, const unsigned char *e)
{
	(void)arg;
	return vba_entry(e);
}

int
office_ole_has_vba(struct spool *sp, struct deadline *dl, int *damaged)
{
	struct ole o;

	*damaged = 0;
	if (ole_open(&o, sp) == -1) {
		*damaged = 1;
		return 0;
	}
	return dir_walk(&o, dl, damaged, vba_cb, NULL);
}

/* What the workbook globals say about Excel 4.0 macro sheets. */
struct office_xlm {
	unsigned sheets;		/* macro sheets listed */
	unsigned hidden;		/* most hidden: 0 visible, 1 hidden,
					   2 very hidden */
	int encrypted;			/* FILEPASS: the sheet list is
					   encrypted, not seen */
	int incomplete;			/* caps, deadline or damage stopped
					   the read before the list ended */
};

/* A stream of the file, read front to back: regular sectors, or 64-byte
 * mini sectors kept in the root entry's chain (the mini stream). */
struct ostream {
	struct ole *o;
	struct deadline *dl;
	int mini;
	uint32_t sec;			/* (mini) sector in hand */
	uint32_t off;			/* offset in it */
	unsigned long long left;	/* bytes of the stream not read */
	uint32_t steps;			/* sectors gone through */
	uint32_t root;			/* first sector of the mini stream */
	uint32_t rk, rat;		/* mini stream: rk-th sector is rat */
	uint32_t fk, fat;		/* mini FAT: fk-th sector is fat */
};

/* The n-th sector of the chain starting at first, walking on from the
 * k-th (*at) when n is not behind it; OLE_MAXREG + 1 when none. */
static uint32_t
chain_nth(struct ostream *st, uint32_t first, uint32_t n, uint32_t *k,
    uint32_t *at)
{
	uint32_t steps = 0;

	if (*k > n || *at > OLE_MAXREG) {
		*k = 0;
		*at = first;
	}
	while (*k < n && *at <= OLE_MAXREG) {
		if (++steps > st->o->nsect || deadline_passed(st->dl))
			return OLE_MAXREG + 1;
		*at = next_sector(st->o, *at);
		(*k)++;
	}
	return *at;
}

/* Reads n bytes at offset off of the stream's sector in hand. */
static int
os_sector_read(struct ostream *st, void *buf, size_t n)
{
	unsigned long long at;
	uint32_t sec, ssz = 1U << st->o->shift;

	if (!st->mini)
		return sector_read(st->o, st->sec, st->off, buf, n);
	at = (unsigned long long)st->sec * OLE_MINI + st->off;
	if ((at >> st->o->shift) > OLE_MAXREG)
		return -1;
	sec = chain_nth(st, st->root, (uint32_t)(at >> st->o->shift),
	    &st->rk, &st->rat);
	if (sec > OLE_MAXREG)
		return -1;
	return sector_read(st->o, sec, (size_t)(at & (ssz - 1)), buf, n);
}

/* Moves to the next sector of the stream; -1 when the chain breaks. */
static int
os_next(struct ostream *st)
{
	uint32_t per = (1U << st->o->shift) / 4, fs;
	unsigned char b[4];

	if (++st->steps > (unsigned long long)st->o->nsect *
	    (st->mini ? 64U : 1U) ||
	    deadline_passed(st->dl))
		return -1;
	st->off = 0;
	if (!st->mini) {
		st->sec = next_sector(st->o, st->sec);
		return st->sec > OLE_MAXREG ? -1 : 0;
	}
	fs = chain_nth(st, le32(st->o->hdr + 0x3c), st->sec / per, &st->fk,
	    &st->fat);
	if (fs > OLE_MAXREG ||
	    sector_read(st->o, fs, (st->sec % per) * 4, b, 4) == -1)
		return -1;
	st->sec = le32(b);
	return st->sec > OLE_MAXREG ? -1 : 0;
}

/* Reads n bytes (buf NULL: skips them); -1 past the end or on damage. */
static int
os_read(struct ostream *st, unsigned char *buf, unsigned long long n)
{
	uint32_t ssz = st->mini ? OLE_MINI : 1U << st->o->shift;
	unsigned long long c;

	if (n > st->left)
		return -1;
	while (n > 0) {
		if (st->off == ssz && os_next(st) == -1)
			return -1;
		c = ssz - st->off < n ? ssz - st->off : n;
		if (buf != NULL) {
			if (os_sector_read(st, buf, (size_t)c) == -1)
				return -1;
			buf += c;
		}
		st->off += (uint32_t)c;
		st->left -= c;
		n -= c;
	}
	return 0;
}

/* Directory walk state while looking for the workbook stream. */
struct wbfind {
	int seen_root;
	uint32_t root;
	unsigned char ent[OLE_ENTRY];
	int found;
};

/* 1 when the entry is the stream "Workbook" (BIFF8) or "Book" (BIFF5). */
static int
wb_cb(void *arg, const unsigned char *e)
{
	struct wbfind *w = arg;
	unsigned len = le16(e + 0x40);

	if (!w->seen_root) {
		w->seen_root = 1;
		w->root = le32(e + 0x74);
		return 0;
	}
	if (e[0x42] != 2 || (len != 18 && len != 10))
		return 0;
	if (!name_is(e, len, "Workbook") && !name_is(e, len, "Book"))
		return 0;
	memcpy(w->ent, e, OLE_ENTRY);
	w->found = 1;
	return 1;
}

/* Walks the workbook globals substream's records up to its EOF. */
static int
globals_walk(struct ostream *st, struct office_xlm *x)
{
	unsigned char h[4], b[8];
	unsigned type, len, n;

	if (os_read(st, h, 4) == -1)
		return -1;
	if (le16(h + 2) < 4 || (le16(h) != 0x0809 && le16(h) != 0x0409 &&
	    le16(h) != 0x0209))
		return 0;			/* not a BIFF workbook */
	if (os_read(st, NULL, le16(h + 2)) == -1)
		return -1;
	for (n = 0; n < OFFICE_MAX_XLM_RECORDS; n++) {
		if (os_read(st, h, 4) == -1)
			return -1;
		type = le16(h);
		len = le16(h + 2);
		if (type == 0x000a)		/* EOF of the globals */
			return 0;
		if (type == 0x002f) {		/* FILEPASS */
			x->encrypted = 1;
			return 0;
		}
		if (type == 0x0085 && len >= 6) {	/* BOUNDSHEET */
			if (os_read(st, b, 6) == -1)
				return -1;
			len -= 6;
			/* b[4]: hsState 0 visible, 1 hidden, 2 very
			 * hidden; b[5]: dt 1 = Excel 4.0 macro sheet */
			if (b[5] == 1) {
				x->sheets++;
				if ((b[4] & 3) > x->hidden)
					x->hidden = b[4] & 3;
			}
		}
		if (os_read(st, NULL, len) == -1)
			return -1;
	}
	return -1;
}

/* 1 when the OLE2 file in sp is a workbook listing an Excel 4.0 macro
 * sheet, 0 when not (x says whether the list was read to its end). */
static int
ole_xlm(struct spool *sp, struct deadline *dl, struct office_xlm *x)
{
	struct ole o;
	struct wbfind w;
	struct ostream st;
	int damaged = 0;

	memset(x, 0, sizeof(*x));
	memset(&w, 0, sizeof(w));
	if (ole_open(&o, sp) == -1)
		return 0;			/* not OLE2: nothing to see */
	if (dir_walk(&o, dl, &damaged, wb_cb, &w) == 0) {
		x->incomplete = damaged && deadline_passed(dl);
		return 0;			/* no workbook */
	}
	memset(&st, 0, sizeof(st));
	st.o = &o;
	st.dl = dl;
	st.root = w.root;
	st.rat = OLE_MAXREG + 1;
	st.fat = OLE_MAXREG + 1;
	st.sec = le32(w.ent + 0x74);
	st.left = le32(w.ent + 0x78);
	if (le16(o.hdr + 0x1a) >= 4)
		st.left |= (unsigned long long)le32(w.ent + 0x7c) << 32;
	st.mini = st.left < le32(o.hdr + 0x38);
	if (st.mini && le16(o.hdr + 0x20) != 6) {
		x->incomplete = 1;		/* 64-byte mini sectors only */
		return 0;
	}
	if (globals_walk(&st, x) == -1)
		x->incomplete = 1;
	return x->sheets > 0;
}

int
office_member_is_macro(const char *path, int odf)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strcasecmp(base, "vbaProject.bin") == 0)
		return 1;
	/* Excel 4.0 macro sheets (XLM), where Excel writes them */
	if (!odf && strncasecmp(path, "xl/macrosheets/", 15) == 0)
		return 1;
	/* OpenDocument Basic libraries: Basic/<library>/<module>.xml */
	return odf && strncmp(path, "Basic/", 6) == 0 &&
	    strchr(path + 6, '/') != NULL;
}

int
office_member_lists_types(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	return strcasecmp(base, "[Content_Types].xml") == 0 ||
	    (n >= 5 && strcasecmp(base + n - 5, ".rels") == 0);
}

/* 1 when the types or relationships part in sp names a macro sheet
 * ("macrosheet", any case), 0 when not, -1 when not read to its end. */
static int
types_name_xlm(struct spool *sp, struct deadline *dl)
{
	static const char word[] = "macrosheet";
	const size_t wl = sizeof(word) - 1;
	unsigned char buf[4096 + sizeof(word)];
	unsigned long long at = 0, size = spool_size(sp);
	size_t keep = 0, i, j;
	ssize_t n;

	while (at < size && at < OFFICE_MAX_TYPES_BYTES) {
		if (deadline_passed(dl))
			return -1;
		n = spool_pread(sp, buf + keep, sizeof(buf) - keep, at);
		if (n <= 0)
			return -1;
		at += (unsigned long long)n;
		n += (ssize_t)keep;
		for (i = 0; i + wl <= (size_t)n; i++) {
			for (j = 0; j < wl && tolower(buf[i + j]) ==
			    word[j]; j++)
				;
			if (j == wl)
				return 1;
		}
		keep = (size_t)n < wl - 1 ? (size_t)n : wl - 1;
		memmove(buf, buf + (size_t)n - keep, keep);
	}
	return at < size ? -1 : 0;
}

enum office_xlm_seen
office_xlm(struct spool *sp, int types, struct deadline *dl,
    const char **what)
{
	static const char *const how[] = {
	    "Excel 4.0 (XLM) macro sheet",
	    "Excel 4.0 (XLM) macro sheet (hidden)",
	    "Excel 4.0 (XLM) macro sheet (very hidden)",
	    "Excel 4.0 (XLM) macro sheet (very hidden)" };
	struct office_xlm x;
	int r;

	*what = NULL;
	if (types) {
		if ((r = types_name_xlm(sp, dl)) == 0)
			return OFFICE_XLM_NONE;
		*what = r == 1 ? "Excel 4.0 (XLM) macro sheet part type" :
		    "types part not read to its end";
		return r == 1 ? OFFICE_XLM_FOUND : OFFICE_XLM_UNSEEN;
	}
	if (ole_xlm(sp, dl, &x)) {
		*what = how[x.hidden & 3];
		return OFFICE_XLM_FOUND;
	}
	if (x.encrypted) {
		*what = "encrypted workbook: its sheets are not seen";
		return OFFICE_XLM_ENCRYPTED;
	}
	if (x.incomplete) {
		*what = "workbook sheet list not read to its end";
		return OFFICE_XLM_UNSEEN;
	}
	return OFFICE_XLM_NONE;
}
