/*
 * utf8.h - the one UTF-8 validator of the library (RFC 3629): which bytes
 * form a well-formed sequence.  Used wherever text from outside is copied
 * on (header values, JSON reports, key names shown to admins).
 */
#ifndef RW_UTF8_H
#define RW_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at p, which has n > 0
 * bytes left; 0 when the bytes there are not one (a stray continuation
 * byte, a truncated sequence, an overlong form, a surrogate, past
 * U+10FFFF).  ASCII, controls included, is length 1.  Pure. */
size_t utf8_seq_len(const unsigned char *p, size_t n);

#endif
