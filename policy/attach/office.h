/*
 * office.h - macros in Office documents.
 *
 * OLE2 compound files (.doc .xls .ppt, and the vbaProject.bin inside
 * OOXML): the directory is read, bounded, and a storage or stream named
 * VBA, _VBA_PROJECT, _VBA_PROJECT_CUR or Macros means VBA macros
 * ([MS-CFB] 2.2 header, 2.3 sectors, 2.6 directory; [MS-OVBA] 2.2).
 * OOXML (.docm .xlsm .pptm, or the same renamed .docx) carries
 * vbaProject.bin as a zip member; OpenDocument carries Basic/ modules.
 * Excel 4.0 (XLM) macros: in OLE2, a BOUNDSHEET record (BIFF 0x0085)
 * of type 1 in the Workbook (or Book) stream's globals substream
 * ([MS-XLS] 2.4.28); in OOXML, parts under xl/macrosheets/, or a
 * macrosheet content type or relationship ([Content_Types].xml, *.rels)
 * naming a part wherever it lies.
 * Caps: OFFICE_MAX_DIR_SECTORS directory sectors, one FAT lookup per
 * sector, every sector number checked against the file size; the
 * deadline; OFFICE_MAX_XLM_RECORDS workbook records, chain walks no
 * longer than the file has sectors; OFFICE_MAX_TYPES_BYTES of a types or
 * relationships part.  Thread rule: none (no shared state).
 */
#ifndef RW_OFFICE_H
#define RW_OFFICE_H

#include <stddef.h>

struct deadline;
struct spool;

#define OFFICE_MAX_DIR_SECTORS	4096
#define OFFICE_MAX_XLM_RECORDS	100000
#define OFFICE_MAX_TYPES_BYTES	(8 * 1024 * 1024)


/* 1 when the bytes start with the OLE2 signature. */
int office_is_ole(const unsigned char *head, size_t len);

/* 1 when the OLE2 file in sp has a VBA storage or stream, 0 when not (or
 * it is not a readable OLE2 file; *damaged then says 1). */
int office_ole_has_vba(struct spool *sp, struct deadline *dl,
    int *damaged);

/* 1 when an archive member path (inside an OOXML or, with odf set, an
 * OpenDocument container) is a macro project, or (OOXML) an Excel 4.0
 * macro sheet part under xl/macrosheets/. */
int office_member_is_macro(const char *path, int odf);

/* 1 when an OOXML member path is [Content_Types].xml or a .rels part,
 * whose text names every part's type. */
int office_member_lists_types(const char *path);

enum office_xlm_seen {
	OFFICE_XLM_NONE,		/* read to its end: no macro sheet */
	OFFICE_XLM_FOUND,		/* an Excel 4.0 macro sheet */
	OFFICE_XLM_ENCRYPTED,		/* an encrypted workbook (FILEPASS) */
	OFFICE_XLM_UNSEEN		/* caps, deadline or damage stopped
					   the read before the list ended */
};

/* Excel 4.0 macro sheets in the OLE2 workbook in sp, or (types set)
 * named by the OOXML types or relationships part in sp; *what: a phrase
 * for the detail (static), NULL with OFFICE_XLM_NONE. */
enum office_xlm_seen office_xlm(struct spool *sp, int types,
    struct deadline *dl, const char **what);

#endif
