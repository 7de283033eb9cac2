/*
 * namecheck.c - names built to attack the tools that handle them (see
 * namecheck.h).
 *
 * Exports namecheck_name, namecheck_kind_name.  No state, no allocation.
 *
 * The grammar.  A mail filter, an archiver, a backup script or a quota
 * tool that hands a name to a shell ("tar xf '$name'", CVE-2023-2868's
 * qx{}) runs what the name says; one that joins it to a directory writes
 * where it says.  A name is hostile when it holds:
 *   shell
 *     - "$(", "${", "<(", ">(": substitution (also inside "..." and
 *       after a closing quote: "'$(...)'" is caught here), always;
 *     - two backticks or more: a `command` substitution.  A single one
 *       cannot run anything (the shell stops at the missing pair) and
 *       is typed as an apostrophe ("Peter`s Bericht.pdf");
 *     - ; | & (and && || |& ;;) followed, after blanks, by a command:
 *       "$" or a backtick, a path ("/bin/sh", "./x", "../x", "~/x"), a
 *       word of the command list below (interpreters, downloaders,
 *       network and Windows loaders: "; curl", "| sh", "&& cmd.exe"),
 *       or any lower-case word followed by a path or option argument
 *       ("; cat /etc/passwd", "& kill -9 1").  So "Q&A.docx", "AT&T
 *       invoice.pdf", "Smith & Sons.pdf", "a;b", "Budget; final.xlsx",
 *       "R&D/plan.pdf" are ordinary: what follows the operator is no
 *       command a shell would find.  "|" gets the same grammar, not
 *       "always": Windows forbids it in names, but Japanese titles use
 *       the fullwidth bar, which folds to it (below), and macOS allows
 *       it;
 *     - a quote closed straight into an operator: '; '| '& '` '> '<
 *       (and the same after "): breaking out of the quoting a tool put
 *       around the name.  "O'Brien.pdf", "Rock 'n' roll.mp3" pass;
 *     - a redirection to a path or a descriptor: "> /etc/x", "<~/x",
 *       "2>&1";
 *     - a leading option: "--checkpoint-action=exec=sh x" (tar's
 *       wildcard injection), "-oProxyCommand=...": "--" and a letter, or
 *       "-", a letter and "=" in the first word.  "-draft.pdf" passes.
 *   traversal: a component (split at / \ and, under CJK best fit, at
 *     U+00A5 and U+20A9) made of dots and blanks with two dots or more:
 *     "..", "...", ". ." (Windows drops trailing dots and blanks).
 *   absolute: after leading blanks, "/" or "\" (so "\\server\share"),
 *     a drive letter and ":" ("C:\x", "c:x"), or "~/" ("~\").
 *   control: C0, DEL, C1 (valid UTF-8 only: a byte 0x80-0x9f of a CP437
 *     or CP1252 name is a letter there), U+2028, U+2029.
 * Lookalikes: a shell or a file system never takes U+FF04 for "$", but
 * a tool on the way may normalise first (NFKC) or convert to a Windows
 * code page with "best fit" (the 2024 WorstFit attacks: U+FF02 became
 * '"', U+00A5 '\').  The name is judged a second time with the
 * fullwidth ASCII forms (U+FF01-FF5E), the small forms (U+FE50-FE6B),
 * U+2215, U+2044, U+29F8, U+2216, U+29F9 (slashes), U+037E (";"),
 * U+2024-2026 (dot leaders, ellipsis: 1-3 dots) folded to ASCII; a
 * finding then is marked as a lookalike.  U+00A5 and U+20A9 (yen, won)
 * count only as separators for traversal: as currency signs they open
 * many a legitimate name ("¥5000 invoice.pdf").  Right-to-left overrides
 * and invisible characters are attach_name_trick's (fname.c).
 */
#include <stdint.h>
#include <string.h>

#include "attach/namecheck.h"
#include "util/utf8.h"

#define CP_END	0xffffffffU	/* past the name */
#define CP_BAD	0xfffdU
#define CP_YEN	0x110000U	/* U+00A5, U+20A9: separators under best
				   fit, folded only for traversal */
#define CP_DOT2	0x110001U	/* U+2025 two dot leader */
#define CP_DOT3	0x110002U	/* U+2026 ellipsis */
#define WORD_MAX	32

struct cur {
	const unsigned char *s;
	size_t n, i;
	int fold;
};

static uint32_t
decode(const unsigned char *s, size_t n, size_t *len)
{
	static const unsigned char lead_bits[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp;
	size_t need, k;

	*len = 1;
	if ((need = utf8_seq_len(s, n)) == 0)
		return CP_BAD;
	cp = s[0] & lead_bits[need];
	for (k = 1; k < need; k++)
		cp = (cp << 6) | (s[k] & 0x3f);
	*len = need;
	return cp;
}

/* What NFKC or Windows best fit makes of cp, for the characters the
 * grammar looks at; cp itself otherwise. */
static uint32_t
fold(uint32_t cp)
{
	static const struct { uint32_t from, to; } map[] = {
		{ 0x2215, '/' }, { 0x2044, '/' }, { 0x29f8, '/' },
		{ 0x2216, '\\' }, { 0x29f9, '\\' }, { 0x037e, ';' },
		{ 0x2024, '.' }, { 0x2025, CP_DOT2 }, { 0x2026, CP_DOT3 },
		{ 0x00a5, CP_YEN }, { 0x20a9, CP_YEN },
		{ 0xfe50, ',' }, { 0xfe52, '.' }, { 0xfe54, ';' },
		{ 0xfe55, ':' }, { 0xfe59, '(' }, { 0xfe5a, ')' },
		{ 0xfe5b, '{' }, { 0xfe5c, '}' }, { 0xfe60, '&' },
		{ 0xfe64, '<' }, { 0xfe65, '>' }, { 0xfe68, '\\' },
		{ 0xfe69, '$' },
	};
	size_t k;

	if (cp < 0xa5)
		return cp;
	if (cp >= 0xff01 && cp <= 0xff5e)
		return cp - 0xfee0;
	for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (map[k].from == cp)
			return map[k].to;
	return cp;
}

/* The character at the cursor (folded when c->fold), CP_END past the
 * end; advances when adv. */
static uint32_t
get(struct cur *c, int adv)
{
	size_t len;
	uint32_t cp;

	if (c->i >= c->n)
		return CP_END;
	cp = decode(c->s + c->i, c->n - c->i, &len);
	if (adv)
		c->i += len;
	return c->fold ? fold(cp) : cp;
}

#define peek(c)	get((c), 0)
#define next(c)	get((c), 1)

static int
blank(uint32_t cp)
{
	return cp == ' ' || cp == '\t';
}

static void
skip_blanks(struct cur *c)
{
	while (blank(peek(c)))
		(void)next(c);
}

static int
alpha(uint32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static int
sep(uint32_t cp, int yen)
{
	return cp == '/' || cp == '\\' || (yen && cp == CP_YEN);
}

/* A path where a command or its argument stands: "/x", "./", "../",
 * "~/" (and with backslashes). */
static int
path_at(struct cur c)
{
	uint32_t a = next(&c), b = next(&c), d;

	if (a == '/' || a == '\\')
		return alpha(b) || b == '.' || b == '_';
	if (a == '~')
		return sep(b, 0);
	if (a != '.')
		return 0;
	if (sep(b, 0))
		return 1;
	d = next(&c);
	return b == '.' && sep(d, 0);
}

/* Programs whose name after an operator is a command whatever follows:
 * shells and interpreters, downloaders and network tools, the ones that
 * destroy or grant, Windows loaders (any case, ".exe" allowed). */
static int
strong(const char *w)
{
	static const char *const unix_words[] = { "sh", "bash", "dash",
	    "zsh", "ksh", "csh", "tcsh", "ash", "busybox", "eval", "exec",
	    "xargs", "nohup", "sudo", "python", "python2", "python3", "perl",
	    "ruby", "php", "node", "lua", "awk", "gawk", "nc", "ncat",
	    "netcat", "socat", "telnet", "curl", "wget", "tftp", "scp",
	    "ssh", "rm", "chmod", "chown", "base64", "xxd", "openssl",
	    "mkfifo", "pkill", "killall", "reboot", "shutdown", "halt",
	    "poweroff", "crontab", "whoami", "uname", "id", NULL };
	static const char *const win_words[] = { "cmd", "powershell", "pwsh",
	    "certutil", "bitsadmin", "mshta", "rundll32", "regsvr32",
	    "wscript", "cscript", "msiexec", "schtasks", "wmic", NULL };
	char low[WORD_MAX + 1];
	size_t k, n = strlen(w);

	for (k = 0; unix_words[k] != NULL; k++)
		if (strcmp(w, unix_words[k]) == 0)
			return 1;
	for (k = 0; k <= n; k++)
		low[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] + 32 : w[k]);
	if (n > 4 && strcmp(low + n - 4, ".exe") == 0)
		low[n - 4] = '\0';
	for (k = 0; win_words[k] != NULL; k++)
		if (strcmp(low, win_words[k]) == 0)
			return 1;
	return 0;
}

static int
wordch(uint32_t cp)
{
	return alpha(cp) || (cp >= '0' && cp <= '9') || cp == '_' ||
	    cp == '.' || cp == '+' || cp == '-';
}

/* Ends a command word: the end, a blank or shell syntax (not another
 * letter of a longer, non-ASCII word). */
static int
word_end(uint32_t cp)
{
	return cp == CP_END || blank(cp) || (cp < 0x80 &&
	    strchr(";|&<>()`'\"$", (int)cp) != NULL && cp != 0);
}

/* What follows an operator (blanks skipped) is a command. */
static int
command_at(struct cur c)
{
	char w[WORD_MAX + 1];
	size_t n = 0, k;
	uint32_t cp = peek(&c);
	int lower = 1;

	if (cp == '$' || cp == '`')
		return 1;
	if (path_at(c))
		return 1;
	while (wordch(cp = peek(&c)) && n < WORD_MAX) {
		w[n++] = (char)cp;
		(void)next(&c);
	}
	w[n] = '\0';
	if (n == 0 || !word_end(cp))
		return 0;
	if (strong(w))
		return 1;
	for (k = 0; k < n; k++)
		lower &= !(w[k] >= 'A' && w[k] <= 'Z');
	if (!lower || !alpha((uint32_t)w[0]) || !blank(cp))
		return 0;
	/* A lower-case word with an argument a command takes: a path or
	 * an option ("cat /etc/passwd", "kill -9 1"). */
	skip_blanks(&c);
	if (path_at(c))
		return 1;
	if ((cp = next(&c)) == '$' || cp == '`')
		return 1;
	if (cp != '-')
		return 0;
	cp = peek(&c);
	return alpha(cp) || (cp >= '0' && cp <= '9');
}

/* "--x" or "-x...=" at the start of the name. */
static int
option_at(struct cur c)
{
	uint32_t cp;

	if (next(&c) != '-')
		return 0;
	cp = next(&c);
	if (cp == '-')
		return alpha(next(&c));
	if (!alpha(cp))
		return 0;
	while ((cp = next(&c)) != CP_END && !blank(cp))
		if (cp == '=')
			return 1;
	return 0;
}

static int
control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0x2028 || cp == 0x2029;
}

/* Shell syntax at the cursor, which it leaves past the character, or
 * past a run of operators; the finding, or NULL. */
static const char *
shell_at(struct cur *c, unsigned *ticks)
{
	struct cur d;
	uint32_t cp = next(c), nx = peek(c);

	switch (cp) {
	case '`':
		return ++*ticks >= 2 ? "shell: backticks" : NULL;
	case '$':
		return nx == '(' ? "shell: $(" : nx == '{' ? "shell: ${" :
		    NULL;
	case '\'':
	case '"':
		if (nx < 0x80 && nx != 0 && strchr(";|&`<>", (int)nx) != NULL)
			return "shell: quote closed into an operator";
		return NULL;
	case ';':
	case '|':
	case '&':
		/* The run is consumed here, so "&&&..." stays linear. */
		while ((nx = peek(c)) == ';' || nx == '|' || nx == '&')
			(void)next(c);
		d = *c;
		skip_blanks(&d);
		if (command_at(d))
			return cp == ';' ? "shell: command after ;" :
			    cp == '|' ? "shell: command after |" :
			    "shell: command after &";
		return NULL;
	case '<':
	case '>':
		if (nx == '(')
			return "shell: process substitution";
		while ((nx = peek(c)) == '<' || nx == '>' || nx == '|')
			(void)next(c);
		d = *c;
		skip_blanks(&d);
		nx = peek(&d);
		if (path_at(d) || nx == '$' || nx == '`' || (nx == '&' &&
		    (next(&d), nx = peek(&d), (nx >= '0' && nx <= '9') ||
		    nx == '-')))
			return "shell: redirection";
		return NULL;
	}
	return NULL;
}

/* Dots in a component [from, to) made of dots and blanks only, starting
 * with a dot; 0 otherwise. */
static unsigned
dots(struct cur c, size_t to)
{
	unsigned k = 0;
	uint32_t cp;
	int first = 1;

	while (c.i < to) {
		cp = next(&c);
		if (cp == '.')
			k += 1;
		else if (cp == CP_DOT2)
			k += 2;
		else if (cp == CP_DOT3)
			k += 3;
		else if (!blank(cp) || first)
			return 0;
		first = 0;
	}
	return k;
}

static void
found(struct namecheck *out, unsigned kind, const char *why)
{
	if (out->why == NULL) {
		out->why = why;
		out->first = kind;
	}
	out->kinds |= kind;
}

/* One pass over the name, folded or not. */
static void
scan(const unsigned char *s, size_t n, int folded, struct namecheck *out)
{
	struct cur c = { s, n, 0, folded }, h;
	unsigned ticks = 0;
	size_t comp = 0;
	const char *why;
	uint32_t cp, a, b;

	skip_blanks(&c);
	h = c;
	a = next(&h);
	b = next(&h);
	if (a == '/' || a == '\\')
		found(out, NAMECHECK_ABSOLUTE, a == '/' ? "absolute: /" :
		    "absolute: \\");
	else if (alpha(a) && b == ':')
		found(out, NAMECHECK_ABSOLUTE, "absolute: drive letter");
	else if (a == '~' && sep(b, 0))
		found(out, NAMECHECK_ABSOLUTE, "absolute: ~/");
	if (option_at(c))
		found(out, NAMECHECK_SHELL, "shell: leading option");
	c.i = 0;
	for (;;) {
		h = c;
		cp = next(&h);
		if (cp == CP_END || sep(cp, 1)) {
			h.i = comp;
			if (dots(h, c.i) >= 2)
				found(out, NAMECHECK_TRAVERSAL,
				    "traversal: ..");
			if (cp == CP_END)
				break;
			(void)next(&c);
			comp = c.i;
			continue;
		}
		if (!folded && control(cp))
			found(out, NAMECHECK_CONTROL, "control character");
		if ((why = shell_at(&c, &ticks)) != NULL)
			found(out, NAMECHECK_SHELL, why);
	}
}

unsigned
namecheck_name(const char *name, size_t len, struct namecheck *out)
{
	const unsigned char *s = (const unsigned char *)name;
	struct namecheck f;

	memset(out, 0, sizeof(*out));
	scan(s, len, 0, out);
	memset(&f, 0, sizeof(f));
	scan(s, len, 1, &f);
	if (f.kinds & ~out->kinds) {
		if (out->why == NULL) {
			out->why = f.why;
			out->first = f.first;
			out->lookalike = 1;
		}
		out->kinds |= f.kinds;
	}
	return out->kinds;
}

const char *
namecheck_kind_name(unsigned kind)
{
	switch (kind) {
	case NAMECHECK_SHELL:
		return "shell";
	case NAMECHECK_TRAVERSAL:
		return "traversal";
	case NAMECHECK_ABSOLUTE:
		return "absolute";
	case NAMECHECK_CONTROL:
		return "control";
	}
	return "?";
}
