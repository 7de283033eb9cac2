/*
 * attype.c - type and extension tables for the attachment rules (see
 * attype.h).  Exports attype_*.  No shared state.
 * The libmagic names are those of file 5.44 (Debian 12) and older
 * spellings still seen in declared types.
 */
#include <string.h>
#include <strings.h>

#include "attype.h"

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
