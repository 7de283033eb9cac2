/*
 * office.h - macros in Office documents.
 *
 * OLE2 compound files (.doc .xls .ppt, and the vbaProject.bin inside
 * OOXML): the directory is read, bounded, and a storage or stream named
 * VBA, _VBA_PROJECT, _VBA_PROJECT_CUR or Macros means VBA macros
 * ([MS-CFB] 2.2 header, 2.3 sectors, 2.6 directory; [MS-OVBA] 2.2).
 * OOXML (.docm .xlsm .pptm, or the same renamed .docx) carries
 * vbaProject.bin as a zip member; OpenDocument carries Basic/ modules.
 * Caps: OFFICE_MAX_DIR_SECTORS directory sectors, one FAT lookup per
 * sector, every sector number checked against the file size; the
 * deadline.  Thread rule: none (no shared state).
 */
#ifndef RW_OFFICE_H
#define RW_OFFICE_H

#include <stddef.h>

struct deadline;
struct spool;

#define OFFICE_MAX_DIR_SECTORS	4096

/* 1 when the bytes start with the OLE2 signature. */
int office_is_ole(const unsigned char *head, size_t len);

/* 1 when the OLE2 file in sp has a VBA storage or stream, 0 when not (or
 * it is not a readable OLE2 file; *damaged then says 1). */
int office_ole_has_vba(struct spool *sp, struct deadline *dl,
    int *damaged);

/* 1 when an archive member path (inside an OOXML or, with odf set, an
 * OpenDocument container) is a macro project. */
int office_member_is_macro(const char *path, int odf);

#endif
