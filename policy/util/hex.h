/*
 * hex.h - one hexadecimal digit's value (percent-encoding, PDF name
 * escapes, quoted-printable).
 */
#ifndef RW_HEX_H
#define RW_HEX_H

/* 0-15 for '0'-'9', 'a'-'f', 'A'-'F' (c as a char or unsigned char
 * value); -1 for anything else. */
int hex_value(int c);

#endif
