/*
 * qrimage.h - a PNG or JPEG image decoded into 8-bit grey (zbar's Y800)
 * for the QR code search (qrscan.c, issue 12).  zbar reads no file
 * format: libpng and libjpeg-turbo decode, row by row, with every bound
 * checked before the step it bounds:
 *   - the header is read first; an image over max_pixels pixels is read
 *     shrunk 2, 4 or 8 times per side (libjpeg in its DCT, a PNG by
 *     averaging blocks row by row; an interlaced PNG is not shrunk),
 *     and one still over it, or over QRIMAGE_DIM_MAX on a side, is
 *     refused before any pixel is decoded;
 *   - one allocation per image: pixels x channels bytes (1, or 2 for a
 *     PNG with transparency, composed onto white in place afterwards, as
 *     a mail client shows it on a white page); libjpeg's own memory is
 *     capped (max_memory_to_use);
 *   - the deadline is checked between rows and, for libjpeg, in its
 *     progress monitor (a progressive JPEG is read whole before its
 *     first row; its scans are capped at QRIMAGE_SCANS_MAX);
 *   - ancillary PNG chunks are capped in number and size.
 * Errors: libpng's longjmp and a libjpeg error_exit that longjmps; their
 * messages go nowhere (never stdout/stderr).  Like a lenient viewer, bad
 * CRCs and Adler-32 sums are ignored, and rows decoded before an error
 * or the end of a cut file are kept (the rest is white or grey): the
 * result says the image was not read whole.
 * Thread rule: none shared; any thread.
 */
#ifndef RW_QRIMAGE_H
#define RW_QRIMAGE_H

#include <stddef.h>

struct deadline;
struct spool;

#define QRIMAGE_DIM_MAX		16384	/* pixels on one side */
#define QRIMAGE_SCANS_MAX	64	/* scans of a progressive JPEG */

enum qrimage_kind {
	QRIMAGE_NONE = 0,
	QRIMAGE_PNG,
	QRIMAGE_JPEG,
	QRIMAGE_GIF,			/* qrformats.c: giflib */
	QRIMAGE_WEBP,			/* qrformats.c: libwebp */
};

/* Bytes qrimage_kind needs to tell every format ("RIFF....WEBP"). */
#define QRIMAGE_HEAD	12

enum qrimage_status {
	QRIMAGE_OK = 0,			/* read whole */
	QRIMAGE_PARTIAL,		/* an error or a cut file after some
					   rows: pixels holds what was read */
	QRIMAGE_TOO_BIG,		/* over a pixel or side cap: nothing
					   decoded */
	QRIMAGE_TIME,			/* the deadline passed */
	QRIMAGE_BAD,			/* unreadable before any row, or a
					   colour model we do not convert */
	QRIMAGE_NOMEM,
};

struct qrimage {
	unsigned char *pixels;		/* width x height grey bytes;
					   caller frees with free() */
	unsigned width, height;
};

/* The format the first bytes head[0..len) announce. */
enum qrimage_kind qrimage_kind(const unsigned char *head, size_t len);

/* The size an image of w x h pixels is read at under max_pixels:
 * shrunk 1, 2, 4 or 8 times per side (*scale), *ow x *oh.  QRIMAGE_OK,
 * QRIMAGE_TOO_BIG past 8 or over QRIMAGE_DIM_MAX a side, QRIMAGE_BAD for
 * an empty image. */
enum qrimage_status qrimage_fit(unsigned long w, unsigned long h,
    unsigned long max_pixels, unsigned *scale, unsigned *ow, unsigned *oh);

/* qrformats.c: GIF (the first frame; PARTIAL when more frames follow:
 * an animation may show the code later) and WebP (still images; an
 * animation is BAD), same contract as qrimage_decode. */
enum qrimage_status qrformat_gif(struct spool *, unsigned long max_pixels,
    struct deadline *, struct qrimage *);
enum qrimage_status qrformat_webp(struct spool *, unsigned long max_pixels,
    struct deadline *, struct qrimage *);

/* Decodes the image in sp (a kind qrimage_kind recognised) into *img.
 * On QRIMAGE_OK and QRIMAGE_PARTIAL img->pixels is set; else NULL. */
enum qrimage_status qrimage_decode(struct spool *sp, enum qrimage_kind,
    unsigned long max_pixels, struct deadline *dl, struct qrimage *img);

#endif
