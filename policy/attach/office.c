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

int
office_ole_has_vba(struct spool *sp, struct deadline *dl, int *damaged)
{
	struct ole o;
	unsigned char ent[OLE_ENTRY];
	uint32_t sec, steps, i, per;

	*damaged = 0;
	memset(&o, 0, sizeof(o));
	o.sp = sp;
	o.size = spool_size(sp);
	if (spool_pread(sp, o.hdr, OLE_HEADER, 0) != OLE_HEADER ||
	    !office_is_ole(o.hdr, OLE_HEADER)) {
		*damaged = 1;
		return 0;
	}
	o.shift = le16(o.hdr + 0x1e);
	if (o.shift != 9 && o.shift != 12) {
		*damaged = 1;
		return 0;
	}
	o.nsect = (o.size >> o.shift) > OLE_MAXREG ? OLE_MAXREG :
	    (uint32_t)(o.size >> o.shift);
	if (o.nsect > 0)
		o.nsect--;		/* the header takes the first one */
	per = (1U << o.shift) / OLE_ENTRY;
	sec = le32(o.hdr + 0x30);
	for (steps = 0; sec <= OLE_MAXREG; steps++) {
		if (steps >= o.nsect || steps >= OFFICE_MAX_DIR_SECTORS ||
		    deadline_passed(dl)) {
			*damaged = steps >= o.nsect;
			return 0;
		}
		for (i = 0; i < per; i++) {
			if (sector_read(&o, sec, i * OLE_ENTRY, ent,
			    OLE_ENTRY) == -1) {
				*damaged = 1;
				return 0;
			}
			if (vba_entry(ent))
				return 1;
		}
		sec = next_sector(&o, sec);
	}
	if (sec != 0xfffffffeU)		/* ENDOFCHAIN */
		*damaged = 1;
	return 0;
}

int
office_member_is_macro(const char *path, int odf)
{
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strcasecmp(base, "vbaProject.bin") == 0)
		return 1;
	/* OpenDocument Basic libraries: Basic/<library>/<module>.xml */
	return odf && strncmp(path, "Basic/", 6) == 0 &&
	    strchr(path + 6, '/') != NULL;
}
