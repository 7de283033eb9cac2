/*
 * authresid.h - recognising Authentication-Results headers that claim our
 * authserv-id, and checking a name may be one (RFC 8601 2.5, 5).
 */
#ifndef RW_AUTHRESID_H
#define RW_AUTHRESID_H

/* 1 when an existing Authentication-Results value could be read as
 * naming authserv_id as its authserv-id (case-insensitive, one trailing
 * dot ignored), by any plausible reader: comments nested or not, with or
 * without quoted-pairs; a value whose authserv-id part no reading can
 * parse claims it when our id appears in it as a word anywhere.  0 for a
 * well-formed value of another authserv-id. */
int authres_claims_id(const char *value, const char *authserv_id);

/* 1 when id may be our authserv-id: a host-name-like RFC 2045 token
 * (dot-atom characters that are token characters, 1..255 bytes, no empty
 * label), so it is written bare and parsed back unambiguously; else 0. */
int authres_id_valid(const char *id);

#endif
