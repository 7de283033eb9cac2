/*
 * namecheck.h - names built to attack the tools that handle them (the
 * CVE-2023-2868 class: a tar member's name that reached a shell).
 *
 * namecheck_name judges one attachment name or archive member path, as
 * the sender wrote it (before fname.c keeps the last component), for:
 * - shell: syntax that runs a command when the name reaches a shell,
 *   quoted or not (command substitution, a command after ; | & && ||, a
 *   redirection to a path, a quote that closes and starts an operator, a
 *   leading long option);
 * - traversal: a ".." component (also "...", ". .");
 * - absolute: a leading / or \ (also \\server\share), a drive letter
 *   ("C:\", "c:"), a leading "~/";
 * - control: C0, DEL, C1 (as UTF-8), U+2028/U+2029.
 * The grammar, and why ordinary names ("Q&A.docx", "O'Brien.pdf",
 * "Smith & Sons; draft.pdf") pass, is in namecheck.c.  Lookalikes that
 * NFKC or Windows "best fit" conversion turn into these ASCII characters
 * (fullwidth U+FF0F "/", U+2215, U+FF04 "$", U+FE54 ";", ...) count as
 * them: the name is judged again with them folded.
 * Thread rule: none (pure).  Cost: linear in the name, no allocation.
 */
#ifndef RW_NAMECHECK_H
#define RW_NAMECHECK_H

#include <stddef.h>

enum namecheck_kind {
	NAMECHECK_SHELL = 1 << 0,
	NAMECHECK_TRAVERSAL = 1 << 1,
	NAMECHECK_ABSOLUTE = 1 << 2,
	NAMECHECK_CONTROL = 1 << 3,
};

struct namecheck {
	unsigned kinds;			/* enum namecheck_kind bits */
	unsigned first;			/* the kind of why */
	const char *why;		/* the first finding, "shell: $(",
					   static text; NULL when none */
	int lookalike;			/* found only with lookalikes
					   folded */
};

/* Judges name[0..len) (UTF-8 or not; invalid bytes are no syntax) into
 * *out.  Returns out->kinds: 0 for an ordinary name. */
unsigned namecheck_name(const char *name, size_t len, struct namecheck *out);

/* "shell", "traversal", "absolute", "control" for one kind bit. */
const char *namecheck_kind_name(unsigned kind);

#endif
