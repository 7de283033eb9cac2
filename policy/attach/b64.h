/*
 * b64.h - base64 decoding for the MIME walk (mime.c): GMime's decoder's
 * output, byte for byte, in one pass that also says whether the input
 * held a byte no encoder writes.
 */
#ifndef RW_B64_H
#define RW_B64_H

#include <stddef.h>

/* The decoder's state between pieces of one part: zero it to start. */
struct b64 {
	unsigned saved;			/* bits of the quartet so far */
	int n;				/* sextets in it; -1 after '=' */
};

/* Decodes in[0, len) into out (room for len * 3 / 4 + 3 bytes) as
 * g_mime_encoding_base64_decode_step does: bytes outside the alphabet
 * are skipped, the first '=' ends the data (a quartet cut short by it
 * gives its whole bytes) and nothing after it is decoded.  Sets *unclean
 * when a byte is neither of the alphabet, '=', CR, LF, space nor tab,
 * wherever it is (after the end too).  Returns the bytes written. */
size_t b64_decode(struct b64 *, const char *in, size_t len, char *out,
    int *unclean);

#endif
