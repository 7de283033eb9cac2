/*
 * fuzz_qrimage.c - fuzz target for policy/attach/qrimage.c (PNG and JPEG
 * into grey through libpng and libjpeg-turbo, our callbacks, longjmp
 * error paths and caps), qrformats.c (GIF through giflib, WebP through
 * libwebp's incremental decoder) and zbar's QR search over what comes
 * out.
 *
 * Input: an image file (any bytes; the seeds are small QR PNGs and JPEGs
 * made by qrencode, cut, with a transparent background, and a header
 * that claims 100000 x 100000), held in a memory spool.
 *
 * Invariants: bytes with no PNG, JPEG, GIF or WebP signature are no
 * image; a
 * decode that gives pixels gives width x height within the pixel and
 * side caps, and none otherwise; nothing is printed; zbar's QR text,
 * when there is one, is as long as it says.
 */
#include <zbar.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "fuzz.h"
#include "attach/qrimage.h"
#include "attach/spool.h"

#define MAX_PIXELS	1000000UL

static void
search(const struct qrimage *img)
{
	zbar_image_scanner_t *sc = zbar_image_scanner_create();
	zbar_image_t *zi = zbar_image_create();
	const zbar_symbol_t *sym;
	const char *d;

	FUZZ_CHECK(sc != NULL && zi != NULL);
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, img->width, img->height);
	zbar_image_set_data(zi, img->pixels, (unsigned long)img->width *
	    img->height, NULL);
	(void)zbar_scan_image(sc, zi);
	for (sym = zbar_image_first_symbol(zi); sym != NULL;
	    sym = zbar_symbol_next(sym)) {
		d = zbar_symbol_get_data(sym);
		FUZZ_CHECK(d != NULL);
		FUZZ_CHECK(strlen(d) <= zbar_symbol_get_data_length(sym));
	}
	zbar_image_destroy(zi);
	zbar_image_scanner_destroy(sc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum qrimage_kind kind;
	enum qrimage_status st;
	struct qrimage img;
	struct deadline dl;
	struct spool *sp;
	struct arena *a;
	char err[256];

	kind = qrimage_kind(data, size);
	if (size >= 3 && data[0] != 0x89 && data[0] != 0xff &&
	    data[0] != 'G' && data[0] != 'R')
		FUZZ_CHECK(kind == QRIMAGE_NONE);
	if (kind == QRIMAGE_NONE || (a = arena_new()) == NULL)
		return 0;
	if ((sp = spool_new(a, 1 << 24, NULL)) == NULL ||
	    spool_write(sp, data, size, err, sizeof(err)) != 0) {
		arena_free(a);
		return 0;
	}
	deadline_start(&dl, 5000);
	st = qrimage_decode(sp, kind, MAX_PIXELS, &dl, &img);
	if (st == QRIMAGE_OK || st == QRIMAGE_PARTIAL) {
		FUZZ_CHECK(img.pixels != NULL);
		FUZZ_CHECK(img.width > 0 && img.height > 0);
		FUZZ_CHECK(img.width <= QRIMAGE_DIM_MAX &&
		    img.height <= QRIMAGE_DIM_MAX);
		FUZZ_CHECK((unsigned long)img.width * img.height <=
		    MAX_PIXELS);
		search(&img);
		free(img.pixels);
	} else
		FUZZ_CHECK(img.pixels == NULL);
	arena_free(a);
	return 0;
}
