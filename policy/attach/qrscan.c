/*
 * qrscan.c - QR codes in PNG and JPEG images, with zbar (see qrscan.h).
 *
 * Exports qrscan_prepare and qrscan_item.  Owns the iconv handles kept
 * open for zbar (process lifetime, never used by us).
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include <zbar.h>

#include "config/config.h"
#include "util/deadline.h"
#include "attach/attscan.h"
#include "attach/links.h"
#include "attach/qrimage.h"
#include "attach/qrscan.h"
#include "attach/spool.h"
#include "attach/url.h"

/* The converters zbar 0.23 opens for each QR code it turns into text
 * (qrdectxt.c: Latin-1, Shift-JIS and UTF-8, and an ECI's ISO 8859
 * part): loaded while opening files is allowed, kept open so glibc
 * keeps their modules. */
static const char *const zbar_charsets[] = {
	"ISO8859-1", "SJIS", "UTF-8", "ISO8859-2", "ISO8859-3", "ISO8859-4",
	"ISO8859-5", "ISO8859-6", "ISO8859-7", "ISO8859-8", "ISO8859-9",
	"ISO8859-10", "ISO8859-11", "ISO8859-13", "ISO8859-14",
	"ISO8859-15", "ISO8859-16", "CP437", "BIG5", "GB18030",
};
static iconv_t kept[sizeof(zbar_charsets) / sizeof(zbar_charsets[0])];

void
qrscan_prepare(void)
{
	static int done;
	size_t i;

	if (done)
		return;
	done = 1;
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		kept[i] = iconv_open("UTF-8", zbar_charsets[i]);
}

/* A code's text as a link: a URL with a host only (scheme http(s), ftp,
 * or a bare "www." name); anything else is not a link. */
static int
add_code(struct attscan *ev, const char *data, size_t len,
    const char *where)
{
	struct url u;

	if (len > URL_MAX)
		len = URL_MAX;
	url_parse(data, len, &u);
	if (u.host[0] == '\0')
		return 0;
	return links_add(ev->out, ev->a, data, len, NULL, 0, LINK_QR,
	    0, where);
}

static int
search(struct attscan *ev, const struct qrimage *img, const char *where)
{
	zbar_image_scanner_t *sc;
	zbar_image_t *zi;
	const zbar_symbol_t *sym;
	int rc = 0;

	if ((sc = zbar_image_scanner_create()) == NULL)
		return -1;
	if ((zi = zbar_image_create()) == NULL) {
		zbar_image_scanner_destroy(sc);
		return -1;
	}
	/* QR only: the 1D symbologies cost time and carry no URLs. */
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(zi, img->width, img->height);
	zbar_image_set_data(zi, img->pixels, (unsigned long)img->width *
	    img->height, NULL);
	(void)zbar_scan_image(sc, zi);
	for (sym = zbar_image_first_symbol(zi); sym != NULL && rc == 0;
	    sym = zbar_symbol_next(sym)) {
		if (zbar_symbol_get_type(sym) != ZBAR_QRCODE)
			continue;
		ev->out->qr_codes++;
		rc = add_code(ev, zbar_symbol_get_data(sym),
		    zbar_symbol_get_data_length(sym), where);
	}
	zbar_image_destroy(zi);
	zbar_image_scanner_destroy(sc);
	return rc;
}

int
qrscan_item(struct attscan *ev, struct spool *content, const char *where)
{
	unsigned char head[QRIMAGE_HEAD];
	enum qrimage_kind kind;
	enum qrimage_status st;
	struct qrimage img;
	ssize_t n;
	int rc;

	if ((n = spool_pread(content, head, sizeof(head), 0)) <= 0 ||
	    (kind = qrimage_kind(head, (size_t)n)) == QRIMAGE_NONE)
		return 0;
	if (ev->out->qr_images >= ev->cfg->attach_qr_max_images ||
	    deadline_passed(&ev->dl)) {
		ev->out->qr_skipped++;
		return 1;
	}
	st = qrimage_decode(content, kind, ev->cfg->attach_qr_max_pixels,
	    &ev->dl, &img);
	if (st == QRIMAGE_NOMEM)
		return -1;
	if (st == QRIMAGE_TOO_BIG) {
		ev->out->qr_skipped++;
		return 1;
	}
	ev->out->qr_images++;
	if (st != QRIMAGE_OK)
		ev->out->qr_skipped++;
	if (img.pixels == NULL)
		return 1;
	rc = search(ev, &img, where);
	free(img.pixels);
	return rc == -1 ? -1 : 1;
}
