/*
 * fuzz_office.c - fuzz target for policy/attach/office.c: the hand-written OLE2
 * (compound file) reader that looks for VBA storages and Excel 4.0 macro
 * sheets in a workbook stream, and the OOXML / OpenDocument macro member
 * names and types parts.
 *
 * Input: an OLE2 file (any bytes), held in a memory spool; the first
 * line of the input also goes to office_member_is_macro as an archive
 * member path (both forms, odf 0 and 1).
 *
 * Invariants: office_ole_has_vba answers 0 or 1 and sets damaged to 0 or
 * 1, a file without the OLE2 signature is never found to hold VBA, and a
 * file found damaged never holds VBA; office_xlm answers one of its four
 * values, with a phrase exactly when it is not NONE, and NONE for a file
 * without the signature; the same bytes read as a types part answer
 * NONE or FOUND, FOUND when they say "macrosheet"; the walk is bounded (libFuzzer's
 * -timeout catches a loop); no read outside the spool.
 */
#include "util/arena.h"
#include "fuzz.h"
#include "attach/office.h"
#include "attach/spool.h"

#define PATH_MAX_FUZZ	1024

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX_FUZZ], err[256];
	const uint8_t *nl;
	struct spool *sp;
	struct arena *a;
	size_t n;
	enum office_xlm_seen x;
	const char *what;
	int vba, damaged = -1, m;

	n = (nl = memchr(data, '\n', size)) != NULL ? (size_t)(nl - data) :
	    size;
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, data, n);
	path[n] = '\0';
	m = office_member_is_macro(path, 0);
	FUZZ_CHECK(m == 0 || m == 1);
	m = office_member_is_macro(path, 1);
	FUZZ_CHECK(m == 0 || m == 1);

	if ((a = arena_new()) == NULL)
		return 0;
	if ((sp = spool_new(a, size + 1, NULL)) != NULL &&
	    spool_write(sp, data, size, err, sizeof(err)) == 0) {
		vba = office_ole_has_vba(sp, NULL, &damaged);
		FUZZ_CHECK(vba == 0 || vba == 1);
		FUZZ_CHECK(damaged == 0 || damaged == 1);
		if (!office_is_ole(data, size))
			FUZZ_CHECK(vba == 0);
		if (damaged)
			FUZZ_CHECK(vba == 0);
		x = office_xlm(sp, 0, NULL, &what);
		FUZZ_CHECK(x <= OFFICE_XLM_UNSEEN);
		FUZZ_CHECK((x == OFFICE_XLM_NONE) == (what == NULL));
		if (!office_is_ole(data, size))
			FUZZ_CHECK(x == OFFICE_XLM_NONE);
		x = office_xlm(sp, 1, NULL, &what);
		FUZZ_CHECK(x == OFFICE_XLM_NONE || x == OFFICE_XLM_FOUND);
		if (memmem(data, size, "macrosheet", 10) != NULL)
			FUZZ_CHECK(x == OFFICE_XLM_FOUND);
	}
	arena_free(a);
	return 0;
}
