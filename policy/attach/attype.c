/*
 * attype.c - type and extension tables for the attachment rules (see
 * attype.h).  Exports attype_*.  No shared state.
 * The libmagic names are those of file 5.44 (Debian 12) and older
 * spellings still seen in declared types; attype_sniff's signature table
 * answers in the same names ([MS-CFB] 2.2 and 2.6.1 for MSI, the PE/COFF
 * DOS stub's e_lfanew, the ELF and Mach-O headers, the formats' own
 * magic numbers).
 */
#include <string.h>
#include <strings.h>

#include "attach/attype.h"

static int
in(const char *s, const char *const *list)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; list[i] != NULL; i++)
		if (strcasecmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int
prefixed(const char *s, const char *const *list)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; list[i] != NULL; i++)
		if (strncasecmp(s, list[i], strlen(list[i])) == 0)
			return 1;
	return 0;
}

static const char *const exec_types[] = {
	"application/x-dosexec",
	"application/vnd.microsoft.portable-executable",
	"application/x-msdownload", "application/x-ms-dos-executable",
	"application/x-executable", "application/x-pie-executable",
	"application/x-sharedlib", "application/x-mach-binary",
	"application/x-msi", "application/x-ms-installer",
	"application/x-ms-shortcut", ATTYPE_EICAR, NULL
};

int
attype_is_executable(const char *detected)
{
	return in(detected, exec_types);
}

static const char *const archive_types[] = {
	"application/zip", "application/x-zip-compressed",
	"application/x-7z-compressed", "application/x-rar",
	"application/vnd.rar", "application/x-rar-compressed",
	"application/x-tar", "application/gzip", "application/x-gzip",
	"application/x-bzip2", "application/x-xz", "application/x-lzma",
	"application/x-lzip", "application/zstd", "application/x-lz4",
	"application/x-compress", "application/x-iso9660-image",
	"application/vnd.ms-cab-compressed", "application/x-cpio",
	"application/x-archive", "application/x-lha",
	"application/x-lzh-compressed", "application/x-xar",
	"application/java-archive", "application/epub+zip", NULL
};

static const char *const archive_exts[] = {
	"zip", "7z", "rar", "tar", "gz", "tgz", "bz2", "tbz", "xz", "txz",
	"lz", "lzma", "zst", "z", "iso", "img", "cab", "cpio", "ar", "lha",
	"lzh", "xar", "jar", "arj", "udf", NULL
};

static const char *const office_prefixes[] = {
	"application/vnd.openxmlformats-officedocument.",
	"application/vnd.ms-word.", "application/vnd.ms-excel.",
	"application/vnd.ms-powerpoint.", NULL
};

static const char *const odf_prefixes[] = {
	"application/vnd.oasis.opendocument.", NULL
};

static const char *const office_exts[] = {
	"docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm",
	"xlam", "xlsb", "pptx", "pptm", "potx", "potm", "ppsx", "ppsm",
	"ppam", "sldm", NULL
};

static const char *const odf_exts[] = {
	"odt", "ods", "odp", "odg", "ott", "ots", "otp", NULL
};

int
attype_is_office_zip(const char *detected, const char *ext, int *odf)
{
	int zip = detected != NULL && strcasecmp(detected,
	    "application/zip") == 0;

	*odf = prefixed(detected, odf_prefixes) || (zip && in(ext, odf_exts));
	return *odf || prefixed(detected, office_prefixes) ||
	    (zip && in(ext, office_exts));
}

int
attype_is_archive(const char *detected, const char *ext)
{
	int odf;

	if (in(detected, archive_types) ||
	    attype_is_office_zip(detected, ext, &odf))
		return 1;
	return (detected == NULL ||
	    strcasecmp(detected, "application/octet-stream") == 0) &&
	    in(ext, archive_exts);
}

static const char *const html_types[] = {
	"text/html", "image/svg+xml", "application/xhtml+xml", NULL
};

static const char *const html_exts[] = {
	"htm", "html", "xhtml", "shtml", "svg", "mht", "mhtml", NULL
};

int
attype_is_html(const char *detected, const char *ext)
{
	return in(detected, html_types) || in(ext, html_exts);
}

static const char *const binary_declared[] = {
	"application/octet-stream", "application/x-msdownload",
	"application/x-dosexec", "application/x-ms-dos-executable",
	"application/vnd.microsoft.portable-executable",
	"application/x-executable", "application/x-sharedlib",
	"application/x-msi", "application/x-ms-installer",
	"application/x-mach-binary", "application/binary",
	"binary/octet-stream", "application/exe", "application/x-exe",
	"application/x-download", "application/force-download", NULL
};

int
attype_declared_binary(const char *declared)
{
	return in(declared, binary_declared);
}

static const char *const exe_exts[] = {
	"exe", "dll", "scr", "com", "sys", "cpl", "ocx", "drv", "efi", "msi",
	"msp", "bin", "elf", "so", "dylib", "lnk", "pif", "out", "run",
	"appimage", NULL
};

int
attype_exe_ext(const char *ext)
{
	return in(ext, exe_exts);
}

static const char *const decoy_exts[] = {
	"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "rtf", "txt",
	"csv", "odt", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff",
	"webp", "mp3", "mp4", "wav", "avi", "mov", "zip", "rar", "7z",
	"htm", "html", "xml", "eml", "msg", "ics", "vcf", NULL
};

int
attype_decoy_ext(const char *ext)
{
	return in(ext, decoy_exts);
}

int
attype_is_eicar(const unsigned char *head, size_t len,
    unsigned long long size)
{
	/* Kept in two pieces so that this source and the binary built from
	 * it are not themselves reported as the test file. */
	static const char a[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
	static const char b[] = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
	size_t la = sizeof(a) - 1, lb = sizeof(b) - 1, i;

	if (size > 128 || len < la + lb || len != size ||
	    memcmp(head, a, la) != 0 || memcmp(head + la, b, lb) != 0)
		return 0;
	for (i = la + lb; i < len; i++)
		if (strchr(" \t\r\n\x1a", head[i]) == NULL || head[i] == 0)
			return 0;
	return 1;
}

int
attype_is_texty(const unsigned char *p, size_t n)
{
	/* The control bytes that are not white space or ESC. */
	static const unsigned char bad[256] = {
		[0x00 ... 0x08] = 1, [0x0b] = 1, [0x0e ... 0x1a] = 1,
		[0x1c ... 0x1f] = 1,
	};
	size_t i;

	for (i = 0; i < n; i++)
		if (bad[p[i]])
			return 0;
	return 1;
}

int
attype_generic(const char *detected)
{
	return detected == NULL || *detected == '\0' ||
	    strcasecmp(detected, "application/octet-stream") == 0 ||
	    strcasecmp(detected, "application/x-empty") == 0 ||
	    strcasecmp(detected, "inode/x-empty") == 0;
}

static unsigned long
le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 |
	    (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

static int
at(const unsigned char *head, size_t len, size_t off, const char *sig,
    size_t n)
{
	return len >= off + n && memcmp(head + off, sig, n) == 0;
}

/* A PE (or NE/LE/LX) header where the DOS header's e_lfanew points; a
 * pointer past what we hold into the file still counts: the loader
 * follows it anywhere, and no document starts "MZ" with such a field. */
static const char *
dos_program(const unsigned char *head, size_t len, unsigned long long size)
{
	unsigned long off;

	if (len < 64 || head[0] != 'M' || head[1] != 'Z')
		return NULL;
	off = le32(head + 0x3c);
	if (off < 64 || off > size || size - off < 4)
		return NULL;
	if (off + 4 > len)
		return "application/x-dosexec";
	if (memcmp(head + off, "PE\0\0", 4) == 0)
		return "application/vnd.microsoft.portable-executable";
	if (memcmp(head + off, "NE", 2) == 0 ||
	    memcmp(head + off, "LE", 2) == 0 ||
	    memcmp(head + off, "LX", 2) == 0)
		return "application/x-dosexec";
	return NULL;
}

/* OLE2 ([MS-CFB] 2.2): MSI, MSP, MST by the root entry's CLSID when the
 * first directory sector is within head ([MS-CFB] 2.6.1). */
static const char *
ole_type(const unsigned char *head, size_t len)
{
	static const unsigned char msi[16] = { 0x84, 0x10, 0x0c, 0, 0, 0, 0,
	    0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46 };
	unsigned shift;
	unsigned long dir;
	size_t root;

	if (len < 512)
		return "application/x-ole-storage";
	shift = (unsigned)head[0x1e] | (unsigned)head[0x1f] << 8;
	dir = le32(head + 0x30);
	if ((shift == 9 || shift == 12) && dir < (len >> shift)) {
		root = ((size_t)dir + 1) << shift;
		if (root + 0x60 <= len && (head[root + 0x50] == 0x84 ||
		    head[root + 0x50] == 0x86 || head[root + 0x50] == 0x82) &&
		    memcmp(head + root + 0x51, msi + 1, 15) == 0)
			return "application/x-msi";
	}
	return "application/x-ole-storage";
}

static const struct sig {
	size_t off;
	const char *bytes;
	size_t n;
	const char *type;
} sigs[] = {
	{ 0, "\x7f" "ELF", 4, "application/x-executable" },
	{ 0, "\xfe\xed\xfa\xce", 4, "application/x-mach-binary" },
	{ 0, "\xfe\xed\xfa\xcf", 4, "application/x-mach-binary" },
	{ 0, "\xce\xfa\xed\xfe", 4, "application/x-mach-binary" },
	{ 0, "\xcf\xfa\xed\xfe", 4, "application/x-mach-binary" },
	{ 0, "L\0\0\0\x01\x14\x02\0\0\0\0\0\xc0\0\0\0\0\0\0\x46", 20,
	    "application/x-ms-shortcut" },
	{ 0, "PK\3\4", 4, "application/zip" },
	{ 0, "PK\5\6", 4, "application/zip" },
	{ 0, "PK\7\x08PK", 6, "application/zip" },
	{ 0, "7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed" },
	{ 0, "Rar!\x1a\x07", 6, "application/x-rar" },
	{ 0, "\x1f\x8b", 2, "application/gzip" },
	{ 0, "BZh", 3, "application/x-bzip2" },
	{ 0, "\xfd" "7zXZ\0", 6, "application/x-xz" },
	{ 0, "\x28\xb5\x2f\xfd", 4, "application/zstd" },
	{ 0, "LZIP", 4, "application/x-lzip" },
	{ 0, "\x04\x22\x4d\x18", 4, "application/x-lz4" },
	{ 0, "\x1f\x9d", 2, "application/x-compress" },
	{ 0, "MSCF\0\0\0\0", 8, "application/vnd.ms-cab-compressed" },
	{ 0, "!<arch>\n", 8, "application/x-archive" },
	{ 0, "xar!", 4, "application/x-xar" },
	{ 0, "070701", 6, "application/x-cpio" },
	{ 0, "070702", 6, "application/x-cpio" },
	{ 0, "070707", 6, "application/x-cpio" },
	{ 257, "ustar", 5, "application/x-tar" },
	{ 32769, "CD001", 5, "application/x-iso9660-image" },
	{ 2, "-lh", 3, "application/x-lha" },
	{ 0, "%PDF-", 5, "application/pdf" },
};

/* Measured on libmagic 5.44 with attscan.h's flags (tests/unit/
 * test_magicfast.c): these prefixes decide its answer whatever follows
 * (programs, archives, markup behind them included), and a shorter or
 * different start is not short-cut.  A PNG signature without IHDR next
 * (CgBI, garbage) is libmagic's "application/octet-stream", asked. */
static const struct sig known[] = {
	{ 0, "%PDF-", 5, "application/pdf" },
	{ 0, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "image/png" },
	{ 0, "\xff\xd8\xff", 3, "image/jpeg" },
	{ 0, "GIF8", 4, "image/gif" },
};

const char *
attype_known(const unsigned char *head, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (at(head, len, known[i].off, known[i].bytes, known[i].n))
			/* JPEG: three bytes alone are not one to libmagic */
			return len > known[i].n || i != 2 ? known[i].type :
			    NULL;
	return NULL;
}

/* Markup that makes a browser render the text as a page. */
static const char *
markup(const unsigned char *head, size_t len)
{
	static const char *const tags[] = { "svg", "!doctype html", "html",
	    "head", "body", "script", "iframe", "meta", "title", "form",
	    "a href", NULL };
	size_t i, k, n = len < ATTYPE_SNIFF_TEXT ? len : ATTYPE_SNIFF_TEXT;
	const char *found = NULL;

	for (i = 0; i + 1 < n && found == NULL; i++) {
		if (head[i] != '<')
			continue;
		for (k = 0; tags[k] != NULL && found == NULL; k++)
			if (n - i - 1 >= strlen(tags[k]) &&
			    strncasecmp((const char *)head + i + 1, tags[k],
			    strlen(tags[k])) == 0)
				found = k == 0 ? "image/svg+xml" : "text/html";
	}
	return found;
}

const char *
attype_sniff(const unsigned char *head, size_t len, unsigned long long size)
{
	const char *t;
	size_t i;

	if (len == 0)
		return NULL;
	if (attype_is_eicar(head, len, size))
		return ATTYPE_EICAR;
	if ((t = dos_program(head, len, size)) != NULL)
		return t;
	/* A fat Mach-O shares its magic with Java classes: an architecture
	 * count, not a class file version, follows. */
	if (at(head, len, 0, "\xca\xfe\xba\xbe", 4) && len >= 8 &&
	    head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] > 0 &&
	    head[7] < 20)
		return "application/x-mach-binary";
	if (at(head, len, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		return ole_type(head, len);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (at(head, len, sigs[i].off, sigs[i].bytes, sigs[i].n))
			return sigs[i].type;
	if (!attype_is_texty(head, len < ATTYPE_SNIFF_TEXT ? len :
	    ATTYPE_SNIFF_TEXT))
		return NULL;
	return (t = markup(head, len)) != NULL ? t : ATTYPE_TEXT;
}
