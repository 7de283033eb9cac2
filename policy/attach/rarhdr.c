/*
 * rarhdr.c - a RAR archive's signature and RAR 5 file encryption records
 * (see rarhdr.h).
 *
 * Exports rarhdr_version, rarhdr_encrypted.  Layout read (rarlab.com,
 * "RAR 5.0 archive format"): signature 52 61 72 21 1A 07 01 00, then
 * blocks: CRC32 (4 bytes), header size (vint: the bytes from header type
 * to the end of the extra area), header type (vint), header flags (vint;
 * 0x01: extra area size follows, 0x02: data size follows), [extra area
 * size], [data size], type-specific fields, extra area, then data.  A
 * vint is 7 bits a byte, low first, high bit = more.  Type 2 is a file
 * header, 4 the archive encryption header (then every header is
 * encrypted: libarchive says so itself).  An extra area is a list of
 * records: size (vint, from type on), type (vint), data; type 1 in a
 * file header is file encryption.  RAR 1.5-4.x: signature
 * 52 61 72 21 1A 07 00.  Every read is checked against the bytes read;
 * CRCs are left to libarchive.
 */
#include <stdlib.h>
#include <string.h>

#include "attach/rarhdr.h"
#include "attach/spool.h"

#define T_FILE		2
#define T_CRYPT		4
#define T_END		5
#define F_EXTRA		0x01
#define F_DATA		0x02
#define X_CRYPT		1

static const unsigned char sig4[7] = { 'R', 'a', 'r', '!', 0x1a, 7, 0 };
static const unsigned char sig5[8] = { 'R', 'a', 'r', '!', 0x1a, 7, 1, 0 };

int
rarhdr_version(struct spool *sp)
{
	unsigned char b[8];
	ssize_t n = spool_pread(sp, b, sizeof(b), 0);

	if (n >= 8 && memcmp(b, sig5, 8) == 0)
		return 5;
	if (n >= 7 && memcmp(b, sig4, 7) == 0)
		return 4;
	return 0;
}

/* One vint at p[*off] (below len); -1 when cut or over 63 bits. */
static int
vint(const unsigned char *p, size_t len, size_t *off, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*off < len && shift < 63) {
		*v |= (uint64_t)(p[*off] & 0x7f) << shift;
		if ((p[(*off)++] & 0x80) == 0)
			return 0;
		shift += 7;
	}
	return -1;
}

/* 1 when the extra area p[0..len) holds a file encryption record. */
static int
has_crypt(const unsigned char *p, size_t len)
{
	uint64_t size, type;
	size_t off = 0, start;

	while (off < len) {
		if (vint(p, len, &off, &size) == -1 || size == 0 ||
		    size > len - off)
			return 0;
		start = off;
		if (vint(p, len, &off, &type) == -1)
			return 0;
		if (type == X_CRYPT)
			return 1;
		off = start + (size_t)size;
	}
	return 0;
}

/* The block whose header is in b[0..n): its type, its size on disk
 * (header and data) in *next, and whether a file header is encrypted.
 * -1 when it does not parse. */
static int
block(const unsigned char *b, size_t n, uint64_t *type, uint64_t *next,
    int *crypt)
{
	uint64_t hsize, flags, xsize = 0, dsize = 0;
	size_t off = 4, body, end;

	*crypt = 0;
	if (vint(b, n, &off, &hsize) == -1 || hsize == 0 ||
	    hsize > RARHDR_MAXHDR)
		return -1;
	body = off;
	end = body + (size_t)hsize;
	if (vint(b, n, &off, type) == -1 || vint(b, n, &off, &flags) == -1 ||
	    ((flags & F_EXTRA) && vint(b, n, &off, &xsize) == -1) ||
	    ((flags & F_DATA) && vint(b, n, &off, &dsize) == -1) ||
	    end > n || off > end || xsize > end - off)
		return -1;
	if (dsize > ~0ULL / 2)
		return -1;
	*next = end + dsize;
	if (*type == T_FILE && xsize > 0)
		*crypt = has_crypt(b + end - xsize, (size_t)xsize);
	return 0;
}

unsigned
rarhdr_encrypted(struct spool *sp, unsigned max_files, uint64_t *mask)
{
	unsigned long long off = sizeof(sig5), total = spool_size(sp);
	unsigned char *b;
	unsigned files = 0, found = 0, blocks = 0;
	uint64_t type, next, hsize;
	size_t voff;
	ssize_t n;
	int crypt;

	*mask = 0;
	if (rarhdr_version(sp) != 5 ||
	    (b = malloc(RARHDR_MAXHDR + 16)) == NULL)
		return 0;
	/* Service headers count too, so a million of them end the loop. */
	while (off < total && files < max_files && blocks++ < 4 * max_files +
	    64) {
		voff = 4;
		n = spool_pread(sp, b, 16, off);
		if (n <= 0 || vint(b, (size_t)n, &voff, &hsize) == -1 ||
		    hsize > RARHDR_MAXHDR)
			break;
		n = spool_pread(sp, b, voff + (size_t)hsize, off);
		if (n <= 0 || block(b, (size_t)n, &type, &next, &crypt) == -1)
			break;
		if (type == T_CRYPT || type == T_END)
			break;
		if (type == T_FILE) {
			if (crypt) {
				found++;
				if (files < 64)
					*mask |= 1ULL << files;
			}
			files++;
		}
		if (next > total - off)
			break;
		off += next;
	}
	free(b);
	return found;
}
