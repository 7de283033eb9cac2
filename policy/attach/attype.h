/*
 * attype.h - the type and extension tables behind the attachment rules:
 * which libmagic types are executables, archives, Office containers or
 * HTML, which declared types say "some binary", which extensions are
 * executable or typical decoys.  Tables, not policy: what is banned is
 * the config's attach_banned_extensions.
 * Types compare case-insensitively (libmagic says "macroEnabled");
 * extensions are lower case already (fname.c).  No shared state.
 */
#ifndef RW_ATTYPE_H
#define RW_ATTYPE_H

#include <stddef.h>

/* libmagic says executable code: PE, ELF, Mach-O, MSI, Windows shortcut,
 * or our EICAR marker type. */
int attype_is_executable(const char *detected);

/* Worth opening with libarchive: an archive or compressed type, or (type
 * unknown) an archive extension. */
int attype_is_archive(const char *detected, const char *ext);

/* A zip-based Office document (OOXML, or OpenDocument: *odf = 1), by type
 * or by extension of a zip. */
int attype_is_office_zip(const char *detected, const char *ext, int *odf);

/* HTML or SVG (script-capable pages) by type or extension. */
int attype_is_html(const char *detected, const char *ext);

/* A declared Content-Type that honestly says "binary" or "program", so an
 * executable under it is no mismatch. */
int attype_declared_binary(const char *declared);

/* An extension under which an executable is expected. */
int attype_exe_ext(const char *ext);

/* An extension a lure pretends to have ("invoice.pdf.exe"). */
int attype_decoy_ext(const char *ext);

/* The EICAR anti-virus test file (the 68 bytes, then at most white space
 * up to 128 bytes in all). */
int attype_is_eicar(const unsigned char *head, size_t len,
    unsigned long long size);

#define ATTYPE_EICAR	"application/x-eicar-test-file"

/* The cheap look at the first bytes that runs on every part and archive
 * member, before and whatever the deadline leaves of the expensive ones
 * (libmagic): a fixed table of signatures, no search, no regular
 * expression, at most ATTYPE_SNIFF_TEXT bytes read for text.  Programs
 * (PE, DOS with its PE header past head, ELF, Mach-O, Windows shortcut,
 * MSI/MSP/MST), EICAR, archives and compressors (those arch.c opens),
 * OLE2, HTML and SVG, plain text.  Types spelled as libmagic spells them
 * (attype_is_executable, attype_is_archive know them); a static string,
 * or NULL when the bytes say nothing. */
const char *attype_sniff(const unsigned char *head, size_t len,
    unsigned long long size);

#define ATTYPE_SNIFF_TEXT	4096	/* bytes searched for markup */
#define ATTYPE_TEXT		"text/plain"

/* libmagic's own answer (file 5.44, attscan.h's flags) for the formats
 * whose answer it takes from their first bytes alone, whatever follows:
 * PDF ("%PDF-"), PNG (signature and IHDR), JPEG (FF D8 FF and one byte
 * more), GIF ("GIF8"); NULL for anything else, to be asked of libmagic.
 * A libmagic call saved per such part (8 to 70 us); test_magicfast
 * compares every answer with libmagic's, polyglots included. */
const char *attype_known(const unsigned char *head, size_t len);

/* No control bytes but white space and ESC (ISO-2022-JP): no program or
 * archive starts like that. */
int attype_is_texty(const unsigned char *p, size_t n);

/* libmagic's "I don't know" (NULL, application/octet-stream, empty):
 * the cheap sniff's answer is the better one. */
int attype_generic(const char *detected);

#endif
