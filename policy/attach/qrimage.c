/*
 * qrimage.c - PNG and JPEG into 8-bit grey for the QR search (see
 * qrimage.h).
 *
 * Exports qrimage_kind and qrimage_decode.  Owns nothing past a call:
 * the decoders' state lives in a heap block (so nothing libpng's or
 * libjpeg's longjmp skips over is an automatic variable we change).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "util/deadline.h"
#include "attach/qrimage.h"
#include "attach/spool.h"

#define BLOCK		65536
#define CHUNKS_MAX	128		/* ancillary PNG chunks kept */
#define CHUNK_BYTES	(1 << 20)	/* one ancillary chunk, inflated */
#define JPEG_MEM_EXTRA	(16UL << 20)	/* libjpeg beyond 8 per pixel */

enum qrimage_kind
qrimage_kind(const unsigned char *head, size_t len)
{
	static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r',
	    '\n', 0x1a, '\n' };

	if (len >= 8 && memcmp(head, png_sig, 8) == 0)
		return QRIMAGE_PNG;
	if (len >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
		return QRIMAGE_JPEG;
	if (len >= 6 && (memcmp(head, "GIF87a", 6) == 0 ||
	    memcmp(head, "GIF89a", 6) == 0))
		return QRIMAGE_GIF;
	if (len >= 12 && memcmp(head, "RIFF", 4) == 0 &&
	    memcmp(head + 8, "WEBP", 4) == 0)
		return QRIMAGE_WEBP;
	return QRIMAGE_NONE;
}

/* One decode: the input, the output and how far it got. */
struct job {
	struct spool *sp;
	unsigned long long off;		/* next byte of sp */
	struct deadline *dl;
	unsigned long max_pixels;
	unsigned char *buf;		/* BLOCK bytes of input (JPEG) */
	unsigned char *row;		/* one source row (PNG, shrunk) */
	unsigned *sum;			/* per output column (PNG, shrunk) */
	unsigned char *pixels;
	unsigned width, height;		/* of the grey image made */
	unsigned src_w, src_h;		/* of the file */
	unsigned scale;			/* 1, 2, 4 or 8: src / made, per
					   side */
	unsigned rows;			/* rows read, in any pass */
	size_t chan;			/* PNG bytes per pixel, 1 or 2 */
	enum qrimage_status why;	/* set before a longjmp of ours */
	jmp_buf jb;
	/* libjpeg */
	struct jpeg_decompress_struct ci;
	struct jpeg_error_mgr jerr;
	struct jpeg_source_mgr src;
	struct jpeg_progress_mgr prog;
	int eof;			/* a fake EOI was inserted */
};

/* The image fits the caps as it is, or shrunk 2, 4 or 8 times per side
 * (a phone photo of 12 MP is read at 3 MP: a QR code in it stays
 * readable); past that it is refused. */
enum qrimage_status
qrimage_fit(unsigned long w, unsigned long h, unsigned long max_pixels,
    unsigned *scale, unsigned *ow, unsigned *oh)
{
	unsigned long sw = 0, sh = 0;
	unsigned d;

	if (w == 0 || h == 0)
		return QRIMAGE_BAD;
	if (w > QRIMAGE_DIM_MAX || h > QRIMAGE_DIM_MAX)
		return QRIMAGE_TOO_BIG;
	for (d = 1; d <= 8; d *= 2) {
		sw = (w + d - 1) / d;
		sh = (h + d - 1) / d;
		if (sw * sh <= max_pixels)
			break;
	}
	if (d > 8)
		return QRIMAGE_TOO_BIG;
	*scale = d;
	*ow = (unsigned)sw;
	*oh = (unsigned)sh;
	return QRIMAGE_OK;
}

/* The image fits the caps as it is, or shrunk 2, 4 or 8 times per side
 * (a phone photo of 12 MP is read at 3 MP: a QR code in it stays
 * readable); past that it is refused. */
static enum qrimage_status
size_ok(struct job *j, unsigned long w, unsigned long h)
{
	enum qrimage_status st;

	if ((st = qrimage_fit(w, h, j->max_pixels, &j->scale, &j->width,
	    &j->height)) != QRIMAGE_OK)
		return st;
	j->src_w = (unsigned)w;
	j->src_h = (unsigned)h;
	return QRIMAGE_OK;
}

/* Adds one decoded source row (chan bytes per pixel, the first the grey
 * value, the second alpha) into the sums of output row y / scale; the
 * last source row of an output row (or of the image) writes it. */
static void
shrink_row(struct job *j, const unsigned char *src, unsigned y,
    unsigned *sum)
{
	unsigned x, d = j->scale, oy = y / d, ox, n;
	unsigned char *out = j->pixels + (size_t)oy * j->width;

	for (x = 0; x < j->src_w; x++) {
		unsigned g = src[x * j->chan];

		if (j->chan == 2)	/* onto white, as a mail client */
			g = (g * src[x * 2 + 1] + 255 * (255u -
			    src[x * 2 + 1])) / 255;
		sum[x / d] += g;
	}
	if ((y + 1) % d != 0 && y + 1 != j->src_h)
		return;
	n = (y % d + 1) * d;
	for (ox = 0; ox < j->width; ox++) {
		unsigned cols = ox + 1 == j->width && j->src_w % d ?
		    j->src_w % d : d;

		out[ox] = (unsigned char)(sum[ox] / (n / d * cols));
		sum[ox] = 0;
	}
}

/* --- PNG --- */

static void
png_read_cb(png_structp png, png_bytep out, size_t len)
{
	struct job *j = png_get_io_ptr(png);
	ssize_t r;

	while (len > 0) {
		if ((r = spool_pread(j->sp, out, len, j->off)) <= 0)
			png_error(png, "cut");
		j->off += (unsigned long long)r;
		out += r;
		len -= (size_t)r;
	}
}

static void
png_quiet_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void
png_quiet_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Gray + alpha composed onto white, packed to one byte per pixel. */
static void
compose_white(unsigned char *p, size_t n)
{
	size_t i;
	unsigned g, a;

	for (i = 0; i < n; i++) {
		g = p[2 * i];
		a = p[2 * i + 1];
		p[i] = (unsigned char)((g * a + 255 * (255 - a) + 127) / 255);
	}
}

/* A PNG over the pixel cap, read one row at a time into its shrunk
 * image.  Its row and sums live in j (freed by qrimage_decode), so a
 * longjmp out of libpng loses nothing. */
static enum qrimage_status
png_shrink(struct job *j, png_structp png, png_infop info)
{
	unsigned y;

	j->row = malloc((size_t)j->src_w * j->chan);
	j->sum = calloc(j->width, sizeof(*j->sum));
	j->pixels = malloc((size_t)j->width * j->height);
	if (j->row == NULL || j->sum == NULL || j->pixels == NULL) {
		j->why = QRIMAGE_NOMEM;
		png_error(png, "memory");
	}
	memset(j->pixels, 0xff, (size_t)j->width * j->height);
	for (y = 0; y < j->src_h; y++) {
		if (deadline_passed(j->dl)) {
			j->why = QRIMAGE_TIME;
			png_error(png, "deadline");
		}
		png_read_row(png, j->row, NULL);
		shrink_row(j, j->row, y, j->sum);
		j->rows++;
	}
	j->chan = 1;			/* composed while shrinking */
	png_destroy_read_struct(&png, &info, NULL);
	return QRIMAGE_OK;
}

static enum qrimage_status
png_run(struct job *j)
{
	png_structp png;
	png_infop info = NULL;
	enum qrimage_status st;
	unsigned pass, passes, y;
	size_t rowbytes;
	int ct;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, j,
	    png_quiet_error, png_quiet_warning);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		return QRIMAGE_NOMEM;
	}
	j->why = QRIMAGE_BAD;
	if (setjmp(png_jmpbuf(png))) {
		st = j->rows > 0 && j->why == QRIMAGE_BAD ? QRIMAGE_PARTIAL :
		    j->why;
		if (st != QRIMAGE_PARTIAL) {
			free(j->pixels);
			j->pixels = NULL;
		} else if (j->chan == 2 && j->scale == 1)
			compose_white(j->pixels, (size_t)j->width * j->height);
		png_destroy_read_struct(&png, &info, NULL);
		return st;
	}
	png_set_read_fn(png, j, png_read_cb);
	png_set_chunk_cache_max(png, CHUNKS_MAX);
	png_set_chunk_malloc_max(png, CHUNK_BYTES);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	/* What a lenient viewer shows, we read: bad checksums are no
	 * hiding place. */
	png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
#ifdef PNG_IGNORE_ADLER32
	png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
	png_set_benign_errors(png, 1);
	png_read_info(png, info);
	j->chan = 1;
	if ((st = size_ok(j, png_get_image_width(png, info),
	    png_get_image_height(png, info))) != QRIMAGE_OK) {
		png_destroy_read_struct(&png, &info, NULL);
		return st;
	}
	ct = png_get_color_type(png, info);
	png_set_expand(png);		/* palette, low bit depths, tRNS */
	png_set_strip_16(png);
	if (ct & PNG_COLOR_MASK_COLOR)
		png_set_rgb_to_gray_fixed(png, 1, -1, -1);
	passes = (unsigned)png_set_interlace_handling(png);
	png_read_update_info(png, info);
	j->chan = png_get_channels(png, info);
	rowbytes = png_get_rowbytes(png, info);
	if ((j->chan != 1 && j->chan != 2) || rowbytes != j->chan * j->src_w)
		png_error(png, "unexpected row format");
	if (j->scale > 1) {
		if (passes > 1) {	/* interlaced and too big: refused */
			j->why = QRIMAGE_TOO_BIG;
			png_error(png, "interlaced");
		}
		return png_shrink(j, png, info);
	}
	if ((j->pixels = malloc(rowbytes * j->height)) == NULL) {
		j->why = QRIMAGE_NOMEM;
		png_error(png, "memory");
	}
	/* White, so rows never read show as paper. */
	memset(j->pixels, 0xff, rowbytes * j->height);
	for (pass = 0; pass < passes; pass++)
		for (y = 0; y < j->height; y++) {
			if (deadline_passed(j->dl)) {
				j->why = QRIMAGE_TIME;
				png_error(png, "deadline");
			}
			png_read_row(png, j->pixels + y * rowbytes, NULL);
			j->rows++;
		}
	if (j->chan == 2)
		compose_white(j->pixels, (size_t)j->width * j->height);
	png_destroy_read_struct(&png, &info, NULL);
	return QRIMAGE_OK;
}

/* --- JPEG --- */

static void
jpeg_quiet_exit(j_common_ptr ci)
{
	struct job *j = ci->client_data;

	longjmp(j->jb, 1);
}

static void
jpeg_quiet_output(j_common_ptr ci)
{
	(void)ci;
}

static void
jpeg_src_init(j_decompress_ptr ci)
{
	(void)ci;
}

static boolean
jpeg_src_fill(j_decompress_ptr ci)
{
	static const JOCTET eoi[2] = { 0xff, JPEG_EOI };
	struct job *j = ci->client_data;
	ssize_t r;

	r = spool_pread(j->sp, j->buf, BLOCK, j->off);
	if (r <= 0) {
		/* A cut file: end it as libjpeg's own sources do; the rows
		 * not in the file come out grey. */
		j->eof = 1;
		ci->src->next_input_byte = eoi;
		ci->src->bytes_in_buffer = 2;
		return TRUE;
	}
	j->off += (unsigned long long)r;
	ci->src->next_input_byte = j->buf;
	ci->src->bytes_in_buffer = (size_t)r;
	return TRUE;
}

static void
jpeg_src_skip(j_decompress_ptr ci, long n)
{
	struct jpeg_source_mgr *s = ci->src;

	if (n <= 0)
		return;
	while ((size_t)n > s->bytes_in_buffer) {
		n -= (long)s->bytes_in_buffer;
		s->bytes_in_buffer = 0;
		(void)jpeg_src_fill(ci);
		if (((struct job *)ci->client_data)->eof)
			return;
	}
	s->next_input_byte += n;
	s->bytes_in_buffer -= (size_t)n;
}

static void
jpeg_src_term(j_decompress_ptr ci)
{
	(void)ci;
}

/* Called while libjpeg reads (a progressive file is read whole in
 * jpeg_start_decompress): the deadline, and a cap on scans (thousands
 * of tiny scans make it redo its work each time). */
static void
jpeg_monitor(j_common_ptr c)
{
	struct job *j = c->client_data;

	if (deadline_passed(j->dl)) {
		j->why = QRIMAGE_TIME;
		longjmp(j->jb, 1);
	}
	if (j->ci.input_scan_number > QRIMAGE_SCANS_MAX) {
		j->why = QRIMAGE_BAD;
		longjmp(j->jb, 1);
	}
}

static enum qrimage_status
jpeg_run(struct job *j)
{
	struct jpeg_decompress_struct *ci = &j->ci;
	enum qrimage_status st;
	JSAMPROW row;

	if ((j->buf = malloc(BLOCK)) == NULL)
		return QRIMAGE_NOMEM;
	ci->err = jpeg_std_error(&j->jerr);
	j->jerr.error_exit = jpeg_quiet_exit;
	j->jerr.output_message = jpeg_quiet_output;
	ci->client_data = j;
	j->why = QRIMAGE_BAD;
	if (setjmp(j->jb)) {
		st = j->rows > 0 && j->why == QRIMAGE_BAD ? QRIMAGE_PARTIAL :
		    j->why;
		if (st != QRIMAGE_PARTIAL) {
			free(j->pixels);
			j->pixels = NULL;
		}
		jpeg_destroy_decompress(ci);
		return st;
	}
	jpeg_create_decompress(ci);
	ci->client_data = j;
	j->src.init_source = jpeg_src_init;
	j->src.fill_input_buffer = jpeg_src_fill;
	j->src.skip_input_data = jpeg_src_skip;
	j->src.resync_to_restart = jpeg_resync_to_restart;
	j->src.term_source = jpeg_src_term;
	ci->src = &j->src;
	j->prog.progress_monitor = jpeg_monitor;
	ci->progress = &j->prog;
	ci->mem->max_memory_to_use = (long)(j->max_pixels * 8 +
	    JPEG_MEM_EXTRA);
	if (jpeg_read_header(ci, TRUE) != JPEG_HEADER_OK)
		longjmp(j->jb, 1);
	if ((st = size_ok(j, ci->image_width, ci->image_height)) !=
	    QRIMAGE_OK) {
		jpeg_destroy_decompress(ci);
		return st;
	}
	/* libjpeg makes grey from YCbCr, RGB and grey, not from CMYK. */
	if (ci->jpeg_color_space == JCS_CMYK ||
	    ci->jpeg_color_space == JCS_YCCK)
		longjmp(j->jb, 1);
	ci->out_color_space = JCS_GRAYSCALE;
	ci->scale_num = 1;		/* libjpeg shrinks in its DCT */
	ci->scale_denom = j->scale;
	if ((j->pixels = malloc((size_t)j->width * j->height)) == NULL) {
		jpeg_destroy_decompress(ci);
		return QRIMAGE_NOMEM;
	}
	memset(j->pixels, 0xff, (size_t)j->width * j->height);
	(void)jpeg_start_decompress(ci);
	if (ci->output_width != j->width || ci->output_height != j->height ||
	    ci->output_components != 1)
		longjmp(j->jb, 1);
	while (ci->output_scanline < ci->output_height) {
		if (deadline_passed(j->dl)) {
			j->why = QRIMAGE_TIME;
			longjmp(j->jb, 1);
		}
		row = j->pixels + (size_t)ci->output_scanline * j->width;
		if (jpeg_read_scanlines(ci, &row, 1) != 1)
			longjmp(j->jb, 1);
		j->rows = ci->output_scanline;
	}
	(void)jpeg_finish_decompress(ci);
	jpeg_destroy_decompress(ci);
	return j->eof ? QRIMAGE_PARTIAL : QRIMAGE_OK;
}

enum qrimage_status
qrimage_decode(struct spool *sp, enum qrimage_kind kind,
    unsigned long max_pixels, struct deadline *dl, struct qrimage *img)
{
	struct job *j;
	enum qrimage_status st;

	memset(img, 0, sizeof(*img));
	if (kind == QRIMAGE_GIF)
		return qrformat_gif(sp, max_pixels, dl, img);
	if (kind == QRIMAGE_WEBP)
		return qrformat_webp(sp, max_pixels, dl, img);
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return QRIMAGE_NOMEM;
	j->sp = sp;
	j->dl = dl;
	j->max_pixels = max_pixels;
	st = kind == QRIMAGE_PNG ? png_run(j) : kind == QRIMAGE_JPEG ?
	    jpeg_run(j) : QRIMAGE_BAD;
	if (st == QRIMAGE_OK || st == QRIMAGE_PARTIAL) {
		img->pixels = j->pixels;
		img->width = j->width;
		img->height = j->height;
	} else
		free(j->pixels);
	free(j->buf);
	free(j->row);
	free(j->sum);
	free(j);
	return st;
}
