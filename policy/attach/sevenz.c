/*
 * sevenz.c - a 7z's header size before it is unpacked (see sevenz.h).
 *
 * Exports sevenz_header_size.  Layout read (7-Zip's 7zFormat.txt):
 * SignatureHeader = '7z\xBC\xAF\x27\x1C', version (2), StartHeaderCRC (4),
 * NextHeaderOffset (8), NextHeaderSize (8), NextHeaderCRC (4), all
 * little endian; the next header at 32 + NextHeaderOffset starts with
 * kHeader (0x01) or kEncodedHeader (0x17).  An encoded header is a
 * StreamsInfo: [PackInfo] [CodersInfo] [SubStreamsInfo] kEnd, and the
 * CodersInfo holds, after the folders, one UnpackSize per coder output
 * stream of each folder.  Every read checks its length against the
 * buffer; a count is checked against what the bytes left could hold
 * before a loop runs over it.
 */
#include <stdlib.h>
#include <string.h>

#include "attach/sevenz.h"
#include "attach/spool.h"

#define K_END		0x00
#define K_HEADER	0x01
#define K_PACK_INFO	0x06
#define K_UNPACK_INFO	0x07
#define K_SIZE		0x09
#define K_CRC		0x0a
#define K_FOLDER	0x0b
#define K_UNPACK_SIZE	0x0c
#define K_ENCODED	0x17

#define UNKNOWN		(~0ULL)		/* a size we could not read */

struct rd {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

static unsigned
byte(struct rd *r)
{
	if (r->off >= r->len) {
		r->bad = 1;
		return 0;
	}
	return r->p[r->off++];
}

/* A 7z NUMBER: the leading one bits of the first byte count the bytes
 * that follow (little endian); its other bits are the high part. */
static unsigned long long
number(struct rd *r)
{
	unsigned first = byte(r), mask = 0x80;
	unsigned long long v = 0;
	int i;

	for (i = 0; i < 8 && !r->bad; i++) {
		if ((first & mask) == 0)
			return v | (unsigned long long)(first & (mask - 1))
			    << (8 * i);
		v |= (unsigned long long)byte(r) << (8 * i);
		mask >>= 1;
	}
	return v;
}

static void
skip(struct rd *r, unsigned long long n)
{
	if (n > r->len - r->off) {
		r->bad = 1;
		r->off = r->len;
	} else
		r->off += (size_t)n;
}

/* A count a loop will run over: at least one byte each must be left. */
static unsigned long long
count(struct rd *r)
{
	unsigned long long n = number(r);

	if (n > r->len - r->off)
		r->bad = 1;
	return r->bad ? 0 : n;
}

/* Digests: an all-defined byte or a bit vector, then 4 bytes each. */
static void
digests(struct rd *r, unsigned long long n)
{
	unsigned long long defined = n, nbytes = (n + 7) / 8, i;

	if (byte(r) == 0) {
		if (nbytes > r->len - r->off) {
			r->bad = 1;
			return;
		}
		for (i = 0, defined = 0; i < n; i++)
			defined += (r->p[r->off + i / 8] >> (7 - i % 8)) & 1;
		skip(r, nbytes);
	}
	skip(r, defined * 4);
}

/* One folder: its coders and bind pairs.  Returns its output streams. */
static unsigned long long
folder(struct rd *r)
{
	unsigned long long ncoders, in = 0, out = 0, i, bind, packed;
	unsigned flags;

	ncoders = count(r);
	for (i = 0; i < ncoders && !r->bad; i++) {
		flags = byte(r);
		skip(r, flags & 0x0f);			/* codec id */
		if (flags & 0x10) {
			in += count(r);
			out += count(r);
		} else {
			in++;
			out++;
		}
		if (flags & 0x20)
			skip(r, number(r));		/* properties */
		if (in > r->len || out > r->len)
			r->bad = 1;
	}
	if (r->bad || out == 0)
		return r->bad = 1, 0;
	bind = out - 1;
	for (i = 0; i < bind && !r->bad; i++) {
		(void)number(r);
		(void)number(r);
	}
	packed = in > bind ? in - bind : 0;
	for (i = 0; packed > 1 && i < packed && !r->bad; i++)
		(void)number(r);
	return out;
}

static unsigned long long
add(unsigned long long a, unsigned long long b)
{
	return a > UNKNOWN - b ? UNKNOWN : a + b;
}

/* The encoded header's streams info, after its kEncodedHeader byte. */
static unsigned long long
encoded(struct rd *r)
{
	unsigned long long npack, nfolders, outs[64], total = 0, i, j, v,
	    big;
	unsigned id = byte(r);

	if (id == K_PACK_INFO) {
		(void)number(r);			/* pack position */
		npack = count(r);
		while (!r->bad && (id = byte(r)) != K_END) {
			if (id == K_SIZE)
				for (i = 0; i < npack && !r->bad; i++)
					(void)number(r);
			else if (id == K_CRC)
				digests(r, npack);
			else
				r->bad = 1;
		}
		id = byte(r);
	}
	if (r->bad || id != K_UNPACK_INFO || byte(r) != K_FOLDER)
		return UNKNOWN;
	nfolders = count(r);
	if (r->bad || byte(r) != 0 || nfolders == 0 ||
	    nfolders > sizeof(outs) / sizeof(outs[0]))
		return UNKNOWN;		/* external folders: not in a header */
	for (i = 0; i < nfolders && !r->bad; i++)
		outs[i] = folder(r);
	if (r->bad || byte(r) != K_UNPACK_SIZE)
		return UNKNOWN;
	for (i = 0; i < nfolders; i++) {
		big = 0;
		for (j = 0; j < outs[i]; j++) {
			v = number(r);
			if (r->bad)
				return UNKNOWN;
			big = v > big ? v : big;
		}
		total = add(total, big);
	}
	return total;
}

unsigned long long
sevenz_header_size(struct spool *sp)
{
	static const unsigned char sig[6] = { '7', 'z', 0xbc, 0xaf, 0x27,
	    0x1c };
	unsigned char sh[32], *buf;
	unsigned long long off = 0, size = 0, total = spool_size(sp), v;
	struct rd r;
	ssize_t n;
	int i;

	if (total < sizeof(sh) || spool_pread(sp, sh, sizeof(sh), 0) !=
	    (ssize_t)sizeof(sh) || memcmp(sh, sig, sizeof(sig)) != 0)
		return 0;
	for (i = 7; i >= 0; i--) {
		off = off << 8 | sh[12 + i];
		size = size << 8 | sh[20 + i];
	}
	if (off > total - sizeof(sh) || size == 0)
		return size;		/* cut or empty: libarchive decides */
	if ((buf = malloc(SEVENZ_READ)) == NULL)
		return UNKNOWN;
	n = spool_pread(sp, buf, size < SEVENZ_READ ? (size_t)size :
	    SEVENZ_READ, sizeof(sh) + off);
	if (n <= 0 || buf[0] != K_ENCODED) {
		free(buf);
		return size;
	}
	r.p = buf;
	r.len = (size_t)n;
	r.off = 1;
	r.bad = 0;
	v = encoded(&r);
	free(buf);
	return v > size ? v : size;
}
