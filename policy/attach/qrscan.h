/*
 * qrscan.h - QR codes in images (issue 12): a PNG or JPEG part or
 * archive member (recognised by its first bytes, whatever it is called
 * or declared as) is decoded to grey (qrimage.h) and searched with zbar;
 * each QR code whose text is a URL with a host becomes a LINK_QR record
 * (links.h) for the link rules (linkcheck.c).  Text that is not such a
 * URL (a ticket number, a vCard, Wi-Fi settings) is not a link.
 *
 * Counters (attach_results): qr_images, images searched; qr_codes, QR
 * codes decoded (URL or not); qr_skipped, images with a PNG or JPEG
 * signature NOT searched in full: over attach_qr_max_pixels or
 * QRIMAGE_DIM_MAX on a side, past attach_qr_max_images in the message,
 * stopped by the deadline, or not readable to their end (a damaged or
 * cut file, a CMYK JPEG; the rows read are still searched).  A skipped
 * image is not a limit of the scan (attach_truncated): photos are
 * common and big; whether an image nobody searched counts like a QR code
 * from a sender who may not send one is the link rules' call, and it
 * must be at least as severe as what a search could have found.
 * Text of a code: at most URL_MAX bytes looked at.
 * Cost (measured, 2 cores): a ~1000 x 1000 QR image 3.5 ms PNG / 1.4 ms
 * JPEG to decode, ~13 ms in zbar; at the 4,000,000-pixel default, noise
 * costs zbar ~150 ms in one call we cannot interrupt: the deadline is
 * checked before each image and between rows, so the budget is overrun
 * by at most one such call (the hard stop is at twice the budget).
 * zbar guesses Shift-JIS before Latin-1 for 8-bit text that is valid
 * Shift-JIS ("b\xe4nk" reads as a kanji): a phone may read such a code
 * otherwise.
 * Thread rule: qrscan_prepare once per process before threads and the
 * sandbox (zbar converts QR text with iconv: the converters it opens are
 * opened here and kept, so their modules stay loaded); then any thread.
 */
#ifndef RW_QRSCAN_H
#define RW_QRSCAN_H

struct attscan;
struct spool;

void qrscan_prepare(void);

/* Searches the item in content for QR codes when it is a PNG or JPEG;
 * where names it in the link records.  1 when it is such an image
 * (searched or skipped), 0 when it is not, -1 when out of memory. */
int qrscan_item(struct attscan *, struct spool *content, const char *where);

#endif
