/*
 * fuzz_pdfscan.c - fuzz target for policy/attach/pdfscan.c: the bounded
 * PDF name scanner (#xx escapes, stream data, FlateDecode streams
 * inflated into a second lexer).
 *
 * Input: a PDF (any bytes), scanned from memory and from a memory spool.
 *
 * Invariants: both scans answer the same PDF_* flags, none outside them;
 * PDF_ESCAPED only with something found; an input without a "/" holds no
 * name (not even one to inflate a stream) and finds nothing;
 * pdfscan_is_pdf answers 0 or 1; the scan is bounded (libFuzzer's
 * -timeout catches a loop); no read outside the input.
 */
#include "util/arena.h"
#include "fuzz.h"
#include "attach/pdfscan.h"
#include "attach/spool.h"

#define ALL	(PDF_JAVASCRIPT | PDF_LAUNCH | PDF_EMBEDDED | PDF_ESCAPED | \
		 PDF_TRUNCATED | PDF_EXECUTABLE)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct spool *sp;
	struct arena *a;
	int f, g, p;

	p = pdfscan_is_pdf(data, size);
	FUZZ_CHECK(p == 0 || p == 1);
	f = pdfscan_buffer(data, size, NULL);
	if (f == -1)
		return 0;
	FUZZ_CHECK(((unsigned)f & ~ALL) == 0);
	if ((unsigned)f & PDF_ESCAPED)
		FUZZ_CHECK((unsigned)f & (PDF_JAVASCRIPT | PDF_LAUNCH |
		    PDF_EMBEDDED));
	if ((unsigned)f & PDF_EXECUTABLE)
		FUZZ_CHECK((unsigned)f & PDF_EMBEDDED);
	if (memchr(data, '/', size) == NULL)
		FUZZ_CHECK(f == 0);
	if ((a = arena_new()) == NULL)
		return 0;
	if ((sp = spool_new(a, size + 1, NULL)) != NULL &&
	    spool_write(sp, data, size, err, sizeof(err)) == 0 &&
	    (g = pdfscan_spool(sp, NULL)) != -1)
		FUZZ_CHECK(f == g);
	arena_free(a);
	return 0;
}
