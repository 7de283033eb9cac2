/*
 * test_qr.c - QR codes in images (issue 12: policy/attach/qrimage.c,
 * qrscan.c) through the attachment policy, in-process, and once inside
 * the worker's seccomp filter (zbar's iconv converters).
 *
 * Images are made at test time: PNG by qrencode (the Debian package),
 * JPEG from qrencode's ASCII matrix with libjpeg here; damaged files by
 * cutting and overwriting them.  A URL in a QR code becomes a LINK_QR
 * record with its host (LINK_LOGIN for a sign-in page), in an attachment,
 * an inline image or a zip member; a ticket number or a vCard is no
 * link; the pixel cap and the image cap hold (at the limit and past it),
 * and a skipped image is counted; damaged images give no crash and no
 * link.  RW_TEST_VERBOSE=1 prints links, counters and decode times.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <webp/encode.h>

#include "util/arena.h"
#include "util/deadline.h"
#include "attach/attach.h"
#include "attach/links.h"
#include "attach/qrimage.h"
#include "attach/spool.h"
#include "config/config.h"
#include "scan/scanfilter.h"
#include "scan/scanhost.h"
#include "scan/scanpool.h"
#include "verdict/verdict.h"
#include "msgfix.h"
#include "attfix.h"

#define LOGIN_URL	"https://secure-bank.example/login?session=77"
#define PARCEL_URL	"https://parcel.example/track/123456"

static char dir[512];

struct result {
	struct arena *a;
	struct attach_results r;
	struct verdict v;
	long long ms;
};

static int verbose;
static struct scanhost *server;

static int
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* qrencode -t ASCII: '#' pairs are dark modules.  The matrix of text
 * into m (1 dark), its size in *w x *n. */
static int
read_matrix(const char *text, char m[200][200], unsigned *w, unsigned *n)
{
	char cmd[1024], line[1024];
	unsigned x;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "qrencode -t ASCII -m 2 '%s'", text);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	*n = *w = 0;
	while (*n < 200 && fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		*w = (unsigned)strlen(line) / 2;
		for (x = 0; x < *w && x < 200; x++)
			m[*n][x] = line[2 * x] == '#';
		(*n)++;
	}
	return pclose(p) != 0 || *n == 0 ? -1 : 0;
}

/* The matrix as grey pixels, scale per module: malloc'd, *pw x *ph. */
static unsigned char *
matrix_pixels(const char *text, unsigned scale, unsigned *pw, unsigned *ph)
{
	static char m[200][200];
	unsigned w, n, x, y;
	unsigned char *px;

	if (read_matrix(text, m, &w, &n) == -1 ||
	    (px = malloc((size_t)w * scale * n * scale)) == NULL)
		return NULL;
	*pw = w * scale;
	*ph = n * scale;
	for (y = 0; y < *ph; y++)
		for (x = 0; x < *pw; x++)
			px[(size_t)y * *pw + x] = m[y / scale][x / scale] ? 0 :
			    255;
	return px;
}

/* Written as a grey JPEG. */
static int
ascii_to_jpeg(const char *text, unsigned scale, const char *out)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	unsigned char *px, *row;
	unsigned w, h, y;
	FILE *f;

	if ((px = matrix_pixels(text, scale, &w, &h)) == NULL ||
	    (f = fopen(out, "wb")) == NULL) {
		free(px);
		return -1;
	}
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = w;
	c.image_height = h;
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	jpeg_start_compress(&c, TRUE);
	for (y = 0; y < h; y++) {
		row = px + (size_t)y * w;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(px);
	return fclose(f);
}

/* Written as a GIF: palette 0 black, 1 white, 2 a transparent index
 * the background uses when transparent; frames > 1: a blank first frame
 * and the code in the second (an animation). */
static int
ascii_to_gif(const char *text, unsigned scale, int transparent,
    int frames, const char *out)
{
	GifColorType colors[4] = { { 0, 0, 0 }, { 255, 255, 255 },
	    { 0, 0, 0 }, { 0, 0, 0 } };
	ColorMapObject *cm = GifMakeMapObject(4, colors);
	GraphicsControlBlock gcb = { 0, false, 0, transparent ? 2 : -1 };
	GifByteType ext[4];
	unsigned char *px;
	unsigned w, h, y, x, fr;
	GifFileType *g;
	int err, rc = 0;

	if ((px = matrix_pixels(text, scale, &w, &h)) == NULL || cm == NULL ||
	    (g = EGifOpenFileName(out, false, &err)) == NULL)
		return -1;
	for (x = 0; x < w * h; x++)
		px[x] = px[x] == 0 ? 0 : transparent ? 2 : 1;
	EGifSetGifVersion(g, true);
	if (EGifPutScreenDesc(g, (int)w, (int)h, 2, 1, cm) == GIF_ERROR)
		rc = -1;
	for (fr = 0; rc == 0 && fr < (unsigned)frames; fr++) {
		(void)EGifGCBToExtension(&gcb, ext);
		if (EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, ext) ==
		    GIF_ERROR || EGifPutImageDesc(g, 0, 0, (int)w, (int)h,
		    false, NULL) == GIF_ERROR)
			rc = -1;
		for (y = 0; rc == 0 && y < h; y++) {
			unsigned char line[8192];

			for (x = 0; x < w; x++)
				line[x] = fr + 1 < (unsigned)frames ? 1 :
				    px[(size_t)y * w + x];
			if (EGifPutLine(g, line, (int)w) == GIF_ERROR)
				rc = -1;
		}
	}
	if (EGifCloseFile(g, &err) == GIF_ERROR)
		rc = -1;
	GifFreeMapObject(cm);
	free(px);
	return rc;
}

/* Written as a lossless WebP (RGBA; transparent: the background
 * alpha 0). */
static int
ascii_to_webp(const char *text, unsigned scale, int transparent,
    const char *out)
{
	unsigned char *px, *rgba, *enc = NULL;
	unsigned w, h, i;
	size_t n;
	FILE *f;

	if ((px = matrix_pixels(text, scale, &w, &h)) == NULL ||
	    (rgba = malloc((size_t)w * h * 4)) == NULL)
		return -1;
	for (i = 0; i < w * h; i++) {
		rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] =
		    transparent && px[i] ? 0 : px[i];
		rgba[4 * i + 3] = transparent && px[i] ? 0 : 255;
	}
	n = WebPEncodeLosslessRGBA(rgba, (int)w, (int)h, (int)w * 4, &enc);
	free(px);
	free(rgba);
	if (n == 0 || (f = fopen(out, "wb")) == NULL) {
		WebPFree(enc);
		return -1;
	}
	i = fwrite(enc, 1, n, f) == n ? 0 : 1;
	WebPFree(enc);
	return fclose(f) == 0 && i == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	verbose = getenv("RW_TEST_VERBOSE") != NULL;
	snprintf(dir, sizeof(dir), "%s/rw-qr-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	if (sh("cd '%s' && qrencode -o login.png '" LOGIN_URL "' && "
	    "qrencode -o parcel.png '" PARCEL_URL "' && "
	    "qrencode -o ticket.png 'TICKET 4711-0815-2231 GATE B12' && "
	    "printf 'BEGIN:VCARD\\nVERSION:3.0\\nFN:Ann Example\\n"
	    "TEL:+44 20 7946 0000\\nEND:VCARD\\n' | qrencode -o vcard.png && "
	    "qrencode --background=FFFFFF00 -o clear.png '" LOGIN_URL "' && "
	    "qrencode -s 27 -o big.png '" LOGIN_URL "' && "
	    "printf 'https://caf\\351.example/login' | qrencode -8 "
	    "-o latin1.png && "
	    "zip -q codes.zip login.png", dir) != 0)
		return -1;
	{
		char p1[600], p2[600];

		snprintf(p1, sizeof(p1), "%s/login.jpg", dir);
		snprintf(p2, sizeof(p2), "%s/big.jpg", dir);
		if (ascii_to_jpeg(LOGIN_URL, 4, p1) != 0 ||
		    ascii_to_jpeg(LOGIN_URL, 30, p2) != 0)
			return -1;
		snprintf(p1, sizeof(p1), "%s/login.gif", dir);
		snprintf(p2, sizeof(p2), "%s/clear.gif", dir);
		if (ascii_to_gif(LOGIN_URL, 4, 0, 1, p1) != 0 ||
		    ascii_to_gif(LOGIN_URL, 4, 1, 1, p2) != 0)
			return -1;
		snprintf(p1, sizeof(p1), "%s/anim.gif", dir);
		snprintf(p2, sizeof(p2), "%s/big.gif", dir);
		if (ascii_to_gif(LOGIN_URL, 4, 0, 2, p1) != 0 ||
		    ascii_to_gif(LOGIN_URL, 24, 0, 1, p2) != 0)
			return -1;
		snprintf(p1, sizeof(p1), "%s/login.webp", dir);
		snprintf(p2, sizeof(p2), "%s/clear.webp", dir);
		if (ascii_to_webp(LOGIN_URL, 4, 0, p1) != 0 ||
		    ascii_to_webp(LOGIN_URL, 4, 1, p2) != 0)
			return -1;
		snprintf(p1, sizeof(p1), "%s/big.webp", dir);
		if (ascii_to_webp(LOGIN_URL, 24, 0, p1) != 0)
			return -1;
	}
	/* Damage: cut after the header, cut in the middle, garbage after
	 * the signature, and an IHDR that claims 100000 x 100000. */
	return sh("cd '%s' && head -c 40 login.png >cut.png && "
	    "head -c $(($(stat -c %%s login.png) / 2)) login.png >half.png && "
	    "head -c 200 login.jpg >cut.jpg && "
	    "{ head -c 8 login.png; head -c 400 /dev/urandom; } >junk.png && "
	    "{ head -c 3 login.jpg; head -c 400 /dev/urandom; } >junk.jpg && "
	    "{ head -c 16 login.png; printf '\\000\\001\\206\\240"
	    "\\000\\001\\206\\240'; tail -c +25 login.png; } >huge.png",
	    dir) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return sh("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

static char *
slurp(const char *name, size_t *len)
{
	char path[700], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A message with one part per file: "name" attached, "+name" inline in
 * a multipart/related beside an HTML body. */
static char *
message(const char *const *files)
{
	size_t cap = 1 << 22, used = 0, len, i;
	char *m = malloc(cap), *data, *b64;
	const char *f, *type;
	int inl;

	assert_non_null(m);
	used += (size_t)snprintf(m, cap, "From: a@sender.example\r\n"
	    "To: b@rcpt.example\r\nSubject: scan me\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/related; boundary=\"BB\"\r\n\r\n"
	    "--BB\r\nContent-Type: text/html\r\n\r\n"
	    "<html><body><p>Scan the code</p></body></html>\r\n");
	for (i = 0; files[i] != NULL; i++) {
		f = files[i];
		inl = *f == '+';
		f += inl;
		data = slurp(f, &len);
		b64 = msgfix_base64(data, len);
		type = strstr(f, ".png") ? "image/png" : strstr(f, ".zip") ?
		    "application/zip" : "image/jpeg";
		used += (size_t)snprintf(m + used, cap - used, "--BB\r\n"
		    "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: "
		    "%s; filename=\"%s\"\r\nContent-ID: <c%zu@x>\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", type, f,
		    inl ? "inline" : "attachment", f, i, b64);
		free(data);
		free(b64);
		assert_true(used < cap);
	}
	snprintf(m + used, cap - used, "--BB--\r\n");
	return m;
}

/* A config from text (written into the test directory), checked by
 * config.c as an admin's file would be. */
static struct config *
config_text(const char *text)
{
	return attfix_config(dir, text);
}

static void
evaluate(const char *conf, const char *const *files, struct result *res)
{
	struct config *cfg = config_text(conf);
	struct attach_ctx *ctx;
	struct spool *sp;
	char err[256], *msg = message(files);
	long long t0;
	size_t i;

	memset(res, 0, sizeof(*res));
	res->a = arena_new();
	assert_non_null(res->a);
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	sp = spool_new(res->a, 1 << 24, NULL);
	assert_non_null(sp);
	assert_int_equal(spool_write(sp, msg, strlen(msg), err, sizeof(err)),
	    0);
	free(msg);
	t0 = deadline_now_ms();
	if (attach_evaluate(ctx, sp, NULL, res->a, &res->r, &res->v, err,
	    sizeof(err)) != 0)
		fail_msg("%s: %s", files[0], err);
	res->ms = deadline_now_ms() - t0;
	attach_ctx_free(ctx);
	config_free(cfg);
	if (!verbose)
		return;
	printf("== %s...: images=%u codes=%u skipped=%u links=%zu %lld ms "
	    "truncated=%s\n", files[0], res->r.qr_images, res->r.qr_codes,
	    res->r.qr_skipped, res->r.nlinks, res->ms,
	    res->r.truncated ? res->r.truncated : "-");
	for (i = 0; i < res->r.nlinks; i++)
		printf("   %s %s flags=%#x where=%s\n",
		    links_kind_name(res->r.links[i].kind),
		    res->r.links[i].host, res->r.links[i].flags,
		    res->r.links[i].where);
}

static void
done(struct result *res)
{
	arena_free(res->a);
}

/* The LINK_QR record for host, or NULL. */
static const struct attach_link *
qr_link(const struct result *res, const char *host)
{
	size_t i;

	for (i = 0; i < res->r.nlinks; i++)
		if (res->r.links[i].kind == LINK_QR &&
		    strcmp(res->r.links[i].host, host) == 0)
			return &res->r.links[i];
	return NULL;
}

static size_t
qr_links(const struct result *res)
{
	size_t i, n = 0;

	for (i = 0; i < res->r.nlinks; i++)
		n += res->r.links[i].kind == LINK_QR;
	return n;
}

static void
counters(const struct result *res, unsigned images, unsigned codes,
    unsigned skipped)
{
	if (res->r.qr_images != images || res->r.qr_codes != codes ||
	    res->r.qr_skipped != skipped)
		fail_msg("images %u codes %u skipped %u, want %u %u %u",
		    res->r.qr_images, res->r.qr_codes, res->r.qr_skipped,
		    images, codes, skipped);
}

static const char conf[] = "attach_max_cpu_ms = 600000;\n"
    "attach_max_time_ms = 600000;\n";

static void
login_qr_attached_is_a_login_link(void **state)
{
	static const char *const f[] = { "login.png", NULL };
	const struct attach_link *l;
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	counters(&res, 1, 1, 0);
	assert_int_equal(qr_links(&res), 1);
	assert_non_null(l = qr_link(&res, "secure-bank.example"));
	assert_true(l->flags & LINK_LOGIN);
	assert_string_equal(l->where, "login.png");
	done(&res);
}

static void
inline_image_and_jpeg_are_searched(void **state)
{
	static const char *const f[] = { "+parcel.png", "login.jpg", NULL };
	const struct attach_link *l;
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	counters(&res, 2, 2, 0);
	assert_non_null(l = qr_link(&res, "parcel.example"));
	assert_false(l->flags & LINK_LOGIN);
	assert_non_null(l = qr_link(&res, "secure-bank.example"));
	assert_true(l->flags & LINK_LOGIN);
	assert_string_equal(l->where, "login.jpg");
	done(&res);
}

/* Dark modules on a transparent background: read as a client shows it,
 * on white (libpng's plain grey of a transparent black is black). */
static void
transparent_background_is_read_on_white(void **state)
{
	static const char *const f[] = { "clear.png", NULL };
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
}

static void
zip_member_is_searched(void **state)
{
	static const char *const f[] = { "codes.zip", NULL };
	const struct attach_link *l;
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(l = qr_link(&res, "secure-bank.example"));
	assert_string_equal(l->where, "codes.zip/login.png");
	done(&res);
}

/* Benign: a ticket number and a vCard are decoded, and are no link. */
static void
ticket_and_vcard_are_no_links(void **state)
{
	static const char *const f[] = { "ticket.png", "vcard.png", NULL };
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	counters(&res, 2, 2, 0);
	assert_int_equal(qr_links(&res), 0);
	done(&res);
}

/* login.png is 111 x 111 pixels (37 modules, qrencode's default of 3
 * pixels each). */
static void
pixel_cap_at_the_limit_and_past_it(void **state)
{
	static const char *const f[] = { "login.png", NULL };
	char c[200];
	struct result res;

	(void)state;
	snprintf(c, sizeof(c), "%sattach_qr_max_pixels = %u;\n", conf,
	    111 * 111);
	evaluate(c, f, &res);
	counters(&res, 1, 1, 0);
	done(&res);
}

/* Over the pixel cap, an image is read shrunk 2, 4 or 8 times per side
 * (a phone photo); past 8 it is not searched. */
static void
big_images_are_shrunk(void **state)
{
	static const char *const png[] = { "big.png", NULL };
	static const char *const jpg[] = { "big.jpg", NULL };
	char c[200];
	struct result res;

	(void)state;
	/* 999 x 999 (PNG) and 990 x 990 (JPEG) at most 300000: halved */
	snprintf(c, sizeof(c), "%sattach_qr_max_pixels = 300000;\n", conf);
	evaluate(c, png, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
	evaluate(c, jpg, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
	/* at most 60000: a quarter per side (250 x 250) */
	snprintf(c, sizeof(c), "%sattach_qr_max_pixels = 63000;\n", conf);
	evaluate(c, png, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
	/* an eighth per side is still over 15000: not searched */
	snprintf(c, sizeof(c), "%sattach_qr_max_pixels = 15000;\n", conf);
	evaluate(c, png, &res);
	counters(&res, 0, 0, 1);
	assert_int_equal(qr_links(&res), 0);
	done(&res);
	evaluate(c, jpg, &res);
	counters(&res, 0, 0, 1);
	assert_int_equal(qr_links(&res), 0);
	done(&res);
}

/* 100000 x 100000 in the header: refused before any allocation. */
/* GIF and WebP: read like PNG and JPEG (transparent backgrounds on
 * white, big ones shrunk); an animation's later frames are not read:
 * the GIF counts as not searched in full. */
static void
gif_and_webp_are_searched(void **state)
{
	static const char *const one[] = { "login.gif", "clear.gif",
	    "login.webp", "clear.webp", NULL };
	static const char *const anim[] = { "anim.gif", NULL };
	static const char *const big[] = { "big.gif", "big.webp", NULL };
	char c[200];
	struct result res;

	(void)state;
	evaluate(conf, one, &res);
	counters(&res, 4, 4, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
	evaluate(conf, anim, &res);
	counters(&res, 1, 0, 1);
	done(&res);
	snprintf(c, sizeof(c), "%sattach_qr_max_pixels = 300000;\n", conf);
	evaluate(c, big, &res);
	counters(&res, 2, 2, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
}

static void
huge_header_is_refused(void **state)
{
	static const char *const f[] = { "huge.png", NULL };
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	counters(&res, 0, 0, 1);
	assert_int_equal(qr_links(&res), 0);
	done(&res);
}

static void
image_cap_at_the_limit_and_past_it(void **state)
{
	static const char *const f[] = { "login.png", "parcel.png",
	    "login.jpg", NULL };
	char c[200];
	struct result res;

	(void)state;
	snprintf(c, sizeof(c), "%sattach_qr_max_images = 3;\n", conf);
	evaluate(c, f, &res);
	counters(&res, 3, 3, 0);
	done(&res);
	snprintf(c, sizeof(c), "%sattach_qr_max_images = 2;\n", conf);
	evaluate(c, f, &res);
	counters(&res, 2, 2, 1);
	/* the first two, in order; login.jpg is not searched */
	assert_string_equal(qr_link(&res, "secure-bank.example")->where,
	    "login.png");
	assert_non_null(qr_link(&res, "parcel.example"));
	done(&res);
	snprintf(c, sizeof(c), "%sattach_qr_max_images = 0;\n", conf);
	evaluate(c, f, &res);
	counters(&res, 0, 0, 3);
	assert_int_equal(qr_links(&res), 0);
	done(&res);
}

/* Damaged files: no crash, no link, counted as not searched in full. */
static void
damaged_images_give_no_link(void **state)
{
	static const char *const f[] = { "cut.png", "junk.png", "cut.jpg",
	    "junk.jpg", NULL };
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	assert_int_equal(qr_links(&res), 0);
	assert_int_equal(res.r.qr_codes, 0);
	assert_int_equal(res.r.qr_skipped, 4);
	done(&res);
}

/* A PNG cut in the middle of its pixels: the rows read are searched
 * (the image is still counted as not read whole). */
static void
half_png_is_partial(void **state)
{
	static const char *const f[] = { "half.png", NULL };
	struct result res;

	(void)state;
	evaluate(conf, f, &res);
	assert_int_equal(res.r.qr_images, 1);
	assert_int_equal(res.r.qr_skipped, 1);
	done(&res);
}

static struct spool *
file_spool(struct arena *a, const char *name)
{
	struct spool *sp = spool_new(a, 1 << 24, NULL);
	char err[200], *d;
	size_t len;

	assert_non_null(sp);
	d = slurp(name, &len);
	assert_int_equal(spool_write(sp, d, len, err, sizeof(err)), 0);
	free(d);
	return sp;
}

/* A deadline already passed stops the decoder between rows. */
static void
deadline_stops_the_decoder(void **state)
{
	struct arena *a = arena_new();
	struct deadline dl = { .end_ns = 1 };
	struct qrimage img;

	(void)state;
	assert_int_equal(qrimage_decode(file_spool(a, "big.png"),
	    QRIMAGE_PNG, 4000000, &dl, &img), QRIMAGE_TIME);
	assert_null(img.pixels);
	assert_int_equal(qrimage_decode(file_spool(a, "big.jpg"),
	    QRIMAGE_JPEG, 4000000, &dl, &img), QRIMAGE_TIME);
	assert_null(img.pixels);
	arena_free(a);
}

/* The figure for the note: ~1000 x 1000 PNG and JPEG, decoded and
 * searched (printed with RW_TEST_VERBOSE=1). */
static void
thousand_pixel_images_are_read(void **state)
{
	static const char *const png[] = { "big.png", NULL };
	static const char *const jpg[] = { "big.jpg", NULL };
	struct result res;

	(void)state;
	evaluate(conf, png, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
	evaluate(conf, jpg, &res);
	counters(&res, 1, 1, 0);
	assert_non_null(qr_link(&res, "secure-bank.example"));
	done(&res);
}

/* Inside the worker's seccomp filter (no open): zbar still turns the
 * code into text, with the converters attach_ctx_new loaded.  A QR
 * code's 8-bit text is ISO 8859-1 by the standard: "caf\xe9" needs
 * glibc's ISO8859-1 module, which zbar opens per image (EPERM in the
 * filter when qrscan_prepare has not loaded it: the code is lost). */
static void
decodes_inside_the_worker_filter(void **state)
{
	static const char *const f[] = { "latin1.png", "+parcel.png", NULL };
	struct config *cfg = config_text(conf);
	struct attach_ctx *ctx;
	struct result res;
	struct verdict v;
	struct attach_results r;
	struct arena *a;
	struct spool *sp;
	char err[256], *msg = message(f);
	pid_t pid;
	int st;

	(void)state;
	(void)res;
	if ((ctx = attach_ctx_new(cfg, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		a = arena_new();
		sp = spool_new(a, 1 << 24, NULL);
		if (sp == NULL || spool_write(sp, msg, strlen(msg), err,
		    sizeof(err)) != 0)
			_exit(2);
		if (scanfilter_apply(-1, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			_exit(3);
		}
		memset(&r, 0, sizeof(r));
		memset(&v, 0, sizeof(v));
		if (attach_evaluate(ctx, sp, NULL, a, &r, &v, err,
		    sizeof(err)) != 0)
			_exit(4);
		if (r.qr_codes != 2 || r.nlinks != 2)
			_exit(5);
		if (verbose)
			printf("child: %s %s %#x\n", r.links[0].host,
			    r.links[1].host, r.links[0].flags), fflush(stdout);
		if (r.links[0].kind != LINK_QR || strcmp(r.links[0].host,
		    "xn--caf-dma.example") != 0 || !(r.links[0].flags &
		    LINK_LOGIN))
			_exit(6);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: status %#x", st);
	free(msg);
	attach_ctx_free(ctx);
	config_free(cfg);
}

/* The real worker path: a pool of sandboxed workers forked by the fork
 * server (started in main while this process had one thread, as the
 * daemon does), and the reply's links and QR counters over the wire. */
static void
links_come_back_from_a_worker(void **state)
{
	static const char *const f[] = { "latin1.png", "+parcel.png",
	    "huge.png", "ticket.png", "login.gif", "clear.webp", NULL };
	struct config *cfg;
	struct scanpool *p;
	struct attach_results r;
	struct verdict v;
	struct arena *a = arena_new();
	struct spool *sp;
	char err[256], *msg = message(f);
	const struct attach_link *l;
	struct result res;

	(void)state;
	cfg = config_text("attach_sandbox = true;\nattach_workers = 1;\n");
	if ((p = scanpool_new(server, cfg, err, sizeof(err))) == NULL)
		fail_msg("scanpool_new: %s", err);
	sp = spool_new(a, 1 << 24, NULL);
	assert_non_null(sp);
	assert_int_equal(spool_write(sp, msg, strlen(msg), err, sizeof(err)),
	    0);
	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	if (scanpool_evaluate(p, sp, NULL, "test", a, &r, &v, err,
	    sizeof(err)) != 0)
		fail_msg("scanpool_evaluate: %s", err);
	memset(&res, 0, sizeof(res));
	res.r = r;
	if (verbose)
		printf("worker: images=%u codes=%u skipped=%u links=%zu "
		    "truncated=%s\n", r.qr_images, r.qr_codes, r.qr_skipped,
		    r.nlinks, r.truncated ? r.truncated : "-");
	assert_null(r.truncated);
	counters(&res, 5, 5, 1);
	assert_int_equal(qr_links(&res), 3);	/* GIF and WebP: one host */
	assert_non_null(qr_link(&res, "secure-bank.example"));
	assert_non_null(l = qr_link(&res, "xn--caf-dma.example"));
	assert_true(l->flags & LINK_LOGIN);
	assert_string_equal(l->where, "latin1.png");
	assert_non_null(l = qr_link(&res, "parcel.example"));
	assert_false(l->flags & LINK_LOGIN);
	scanpool_free(p);
	config_free(cfg);
	arena_free(a);
	free(msg);
}

int
main(void)
{
	/* First: no earlier decode in this process may have loaded what
	 * zbar needs. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_inside_the_worker_filter),
		cmocka_unit_test(login_qr_attached_is_a_login_link),
		cmocka_unit_test(inline_image_and_jpeg_are_searched),
		cmocka_unit_test(transparent_background_is_read_on_white),
		cmocka_unit_test(zip_member_is_searched),
		cmocka_unit_test(ticket_and_vcard_are_no_links),
		cmocka_unit_test(pixel_cap_at_the_limit_and_past_it),
		cmocka_unit_test(big_images_are_shrunk),
		cmocka_unit_test(gif_and_webp_are_searched),
		cmocka_unit_test(huge_header_is_refused),
		cmocka_unit_test(image_cap_at_the_limit_and_past_it),
		cmocka_unit_test(damaged_images_give_no_link),
		cmocka_unit_test(half_png_is_partial),
		cmocka_unit_test(deadline_stops_the_decoder),
		cmocka_unit_test(thousand_pixel_images_are_read),
		cmocka_unit_test(links_come_back_from_a_worker),
	};
	char err[256];
	int rc;

	/* One thread still: fork the workers' server now, as the daemon
	 * does. */
	if ((server = scanhost_start(err, sizeof(err))) == NULL) {
		fprintf(stderr, "scanhost_start: %s\n", err);
		return 99;
	}
	rc = cmocka_run_group_tests(tests, setup, teardown);
	scanhost_stop(server);
	return rc;
}
