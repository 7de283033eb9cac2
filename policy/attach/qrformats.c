/*
 * qrformats.c - GIF (giflib) and WebP (libwebp) into 8-bit grey for the
 * QR search (see qrimage.h; PNG and JPEG are in qrimage.c).
 *
 * Exports qrformat_gif and qrformat_webp.  The same bounds as qrimage.c:
 * the size from the header before any pixel (qrimage_fit: shrunk 2, 4 or
 * 8 times per side past max_pixels, refused past that), one output
 * allocation, the deadline between rows (GIF) or input blocks (WebP's
 * incremental decoder).  Neither library prints or jumps: errors are
 * return codes.  Transparency is composed onto white, as a mail client
 * shows an image on a white page.
 */
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <webp/decode.h>

#include "attach/qrimage.h"
#include "attach/spool.h"
#include "util/deadline.h"

#define BLOCK		65536

/* --- GIF --- */

struct gifsrc {
	struct spool *sp;
	unsigned long long off;
};

static int
gif_read(GifFileType *g, GifByteType *buf, int n)
{
	struct gifsrc *src = g->UserData;
	ssize_t r;

	if (n <= 0)
		return 0;
	if ((r = spool_pread(src->sp, buf, (size_t)n, src->off)) < 0)
		r = 0;
	src->off += (unsigned long long)r;
	return (int)r;
}

/* The grey of each palette entry; the transparent one is paper. */
static void
gif_greys(const ColorMapObject *cm, int transparent, unsigned char grey[256])
{
	int i;

	memset(grey, 0xff, 256);
	for (i = 0; cm != NULL && i < cm->ColorCount && i < 256; i++) {
		const GifColorType *c = &cm->Colors[i];

		grey[i] = (unsigned char)((299u * c->Red + 587u * c->Green +
		    114u * c->Blue) / 1000);
	}
	if (transparent >= 0 && transparent < 256)
		grey[transparent] = 0xff;
}

/* Rows of the first frame, in the file's order (interlaced: 4 passes),
 * into img at 1/scale (box average of whole blocks). */
static enum qrimage_status
gif_frame(GifFileType *g, unsigned scale, struct qrimage *img,
    const unsigned char grey[256], struct deadline *dl)
{
	static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
	unsigned w = (unsigned)g->Image.Width, h = (unsigned)g->Image.Height;
	unsigned *sum = NULL, x, pass, npass = g->Image.Interlace ? 4 : 1;
	unsigned char *line;
	enum qrimage_status st = QRIMAGE_OK;
	int y;

	if (scale > 1 && g->Image.Interlace)
		return QRIMAGE_TOO_BIG;	/* as an interlaced PNG */
	if ((line = malloc(w)) == NULL || (scale > 1 &&
	    (sum = calloc(img->width, sizeof(*sum))) == NULL)) {
		free(line);
		return QRIMAGE_NOMEM;
	}
	for (pass = 0; pass < npass && st == QRIMAGE_OK; pass++)
		for (y = npass > 1 ? start[pass] : 0; y < (int)h;
		    y += npass > 1 ? step[pass] : 1) {
			if (deadline_passed(dl)) {
				st = QRIMAGE_TIME;
				break;
			}
			if (DGifGetLine(g, line, (int)w) == GIF_ERROR) {
				st = QRIMAGE_PARTIAL;
				break;
			}
			if (scale == 1) {
				for (x = 0; x < w; x++)
					img->pixels[(size_t)y * w + x] =
					    grey[line[x]];
				continue;
			}
			for (x = 0; x < w; x++)
				sum[x / scale] += grey[line[x]];
			if ((unsigned)(y + 1) % scale == 0 ||
			    (unsigned)y + 1 == h) {
				unsigned rows = (unsigned)y % scale + 1, ox;

				for (ox = 0; ox < img->width; ox++) {
					unsigned cols = ox + 1 == img->width &&
					    w % scale ? w % scale : scale;

					img->pixels[(size_t)(y / (int)scale) *
					    img->width + ox] = (unsigned char)
					    (sum[ox] / (rows * cols));
					sum[ox] = 0;
				}
			}
		}
	free(sum);
	free(line);
	return st;
}

enum qrimage_status
qrformat_gif(struct spool *sp, unsigned long max_pixels, struct deadline *dl,
    struct qrimage *img)
{
	struct gifsrc src = { sp, 0 };
	GifFileType *g;
	GifRecordType rt;
	GifByteType *ext;
	GraphicsControlBlock gcb;
	enum qrimage_status st = QRIMAGE_BAD;
	unsigned char grey[256];
	unsigned scale, frames = 0;
	int code, err, transparent = NO_TRANSPARENT_COLOR;

	memset(img, 0, sizeof(*img));
	if ((g = DGifOpen(&src, gif_read, &err)) == NULL)
		return QRIMAGE_BAD;
	for (;;) {
		if (deadline_passed(dl)) {
			if (frames == 0)
				st = QRIMAGE_TIME;
			break;
		}
		if (DGifGetRecordType(g, &rt) == GIF_ERROR ||
		    rt == TERMINATE_RECORD_TYPE)
			break;
		if (rt == EXTENSION_RECORD_TYPE) {
			if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
				break;
			if (code == GRAPHICS_EXT_FUNC_CODE && ext != NULL &&
			    frames == 0 && DGifExtensionToGCB(ext[0], ext + 1,
			    &gcb) == GIF_OK)
				transparent = gcb.TransparentColor;
			while (ext != NULL)
				if (DGifGetExtensionNext(g, &ext) == GIF_ERROR)
					goto out;
			continue;
		}
		if (rt != IMAGE_DESC_RECORD_TYPE ||
		    DGifGetImageDesc(g) == GIF_ERROR)
			break;
		if (frames++ > 0) {	/* another frame: not searched */
			st = QRIMAGE_PARTIAL;
			break;
		}
		if ((st = qrimage_fit((unsigned long)g->Image.Width,
		    (unsigned long)g->Image.Height, max_pixels, &scale,
		    &img->width, &img->height)) != QRIMAGE_OK)
			break;
		if ((img->pixels = malloc((size_t)img->width *
		    img->height)) == NULL) {
			st = QRIMAGE_NOMEM;
			break;
		}
		memset(img->pixels, 0xff, (size_t)img->width * img->height);
		gif_greys(g->Image.ColorMap != NULL ? g->Image.ColorMap :
		    g->SColorMap, transparent, grey);
		if ((st = gif_frame(g, scale, img, grey, dl)) != QRIMAGE_OK)
			break;
		/* the rest of the file: another frame makes it partial */
	}
out:
	(void)DGifCloseFile(g, &err);
	if (st != QRIMAGE_OK && st != QRIMAGE_PARTIAL) {
		free(img->pixels);
		img->pixels = NULL;
	}
	if (img->pixels == NULL && (st == QRIMAGE_OK || st == QRIMAGE_PARTIAL))
		st = QRIMAGE_BAD;
	return st;
}

/* --- WebP --- */

enum qrimage_status
qrformat_webp(struct spool *sp, unsigned long max_pixels,
    struct deadline *dl, struct qrimage *img)
{
	WebPDecoderConfig cfg;
	WebPIDecoder *dec = NULL;
	unsigned char *buf = NULL, *u = NULL, *v = NULL, *a = NULL;
	unsigned long long off = 0;
	enum qrimage_status st = QRIMAGE_BAD;
	unsigned scale, w, h;
	size_t uv, n, i;
	ssize_t r;
	VP8StatusCode vs = VP8_STATUS_SUSPENDED;

	memset(img, 0, sizeof(*img));
	if (!WebPInitDecoderConfig(&cfg) || (buf = malloc(BLOCK)) == NULL)
		return QRIMAGE_NOMEM;
	/* The header: the first block holds it (VP8X, VP8 or VP8L). */
	if ((r = spool_pread(sp, buf, BLOCK, 0)) <= 0 ||
	    WebPGetFeatures(buf, (size_t)r, &cfg.input) != VP8_STATUS_OK)
		goto done;
	if (cfg.input.has_animation)	/* frames: not read */
		goto done;
	if ((st = qrimage_fit((unsigned long)cfg.input.width,
	    (unsigned long)cfg.input.height, max_pixels, &scale, &w, &h)) !=
	    QRIMAGE_OK)
		goto done;
	n = (size_t)w * h;
	uv = (size_t)((w + 1) / 2) * ((h + 1) / 2);
	img->pixels = malloc(n);
	u = malloc(uv);
	v = malloc(uv);
	a = malloc(n);
	if (img->pixels == NULL || u == NULL || v == NULL || a == NULL) {
		st = QRIMAGE_NOMEM;
		goto done;
	}
	memset(img->pixels, 0xff, n);
	memset(a, 0xff, n);
	img->width = w;
	img->height = h;
	if (scale > 1) {
		cfg.options.use_scaling = 1;
		cfg.options.scaled_width = (int)w;
		cfg.options.scaled_height = (int)h;
	}
	cfg.output.colorspace = MODE_YUVA;
	cfg.output.is_external_memory = 1;
	cfg.output.u.YUVA.y = img->pixels;
	cfg.output.u.YUVA.y_stride = (int)w;
	cfg.output.u.YUVA.y_size = n;
	cfg.output.u.YUVA.u = u;
	cfg.output.u.YUVA.u_stride = (int)((w + 1) / 2);
	cfg.output.u.YUVA.u_size = uv;
	cfg.output.u.YUVA.v = v;
	cfg.output.u.YUVA.v_stride = (int)((w + 1) / 2);
	cfg.output.u.YUVA.v_size = uv;
	cfg.output.u.YUVA.a = a;
	cfg.output.u.YUVA.a_stride = (int)w;
	cfg.output.u.YUVA.a_size = n;
	if ((dec = WebPIDecode(NULL, 0, &cfg)) == NULL) {
		st = QRIMAGE_NOMEM;
		goto done;
	}
	st = QRIMAGE_PARTIAL;
	while (vs == VP8_STATUS_SUSPENDED) {
		if (deadline_passed(dl)) {
			st = QRIMAGE_TIME;
			break;
		}
		if ((r = spool_pread(sp, buf, BLOCK, off)) <= 0)
			break;		/* cut: what was decoded stays */
		off += (unsigned long long)r;
		vs = WebPIAppend(dec, buf, (size_t)r);
	}
	if (vs == VP8_STATUS_OK)
		st = QRIMAGE_OK;
	else if (vs != VP8_STATUS_SUSPENDED && st != QRIMAGE_TIME)
		st = QRIMAGE_PARTIAL;
	/* Y with alpha, onto white. */
	for (i = 0; i < n; i++)
		img->pixels[i] = (unsigned char)((img->pixels[i] * a[i] +
		    255u * (255u - a[i])) / 255u);
done:
	if (dec != NULL)
		WebPIDelete(dec);
	if (st != QRIMAGE_OK && st != QRIMAGE_PARTIAL) {
		free(img->pixels);
		img->pixels = NULL;
	}
	free(buf);
	free(u);
	free(v);
	free(a);
	return st;
}
