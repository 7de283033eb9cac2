/*
 * mclient.c - the MTA side of the milter protocol, version 6: connection,
 * option negotiation, the SMTP steps of a message, and the milter's
 * replies and modification actions.
 *
 * Exports mclient_open, _negotiated, _send, _close, _result_clear and
 * _verdict_name (mclient.h).  One struct mclient per connection, used by
 * one thread at a time.
 *
 * Wire format (libmilter's mfdef.h, Postfix milter8): a packet is a 32-bit
 * big-endian length (command byte + data), the command byte, the data.
 * Strings are NUL-terminated.  When the milter agrees to an SMFIP_NR_*
 * step the MTA does not wait for that step's reply, so we buffer such
 * commands and write them together when a reply is due: with every
 * NR step agreed a message costs one write and the end-of-message replies.
 * Caps: MCLIENT_MAX_PACKET per reply, MCLIENT_MAX_ACTIONS per message,
 * conf->timeout_ms per wait.  A reply that does not parse, an action the
 * milter did not ask for, or a reply at the wrong time is an error.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "mclient_io.h"

/* The SMFIP_NR_* flag that spares the reply to a command, if any. */
static uint32_t
nr_flag(char cmd)
{
	switch (cmd) {
	case SMFIC_CONNECT:	return SMFIP_NR_CONN;
	case SMFIC_HELO:	return SMFIP_NR_HELO;
	case SMFIC_MAIL:	return SMFIP_NR_MAIL;
	case SMFIC_RCPT:	return SMFIP_NR_RCPT;
	case SMFIC_DATA:	return SMFIP_NR_DATA;
	case SMFIC_HEADER:	return SMFIP_NR_HDR;
	case SMFIC_EOH:		return SMFIP_NR_EOH;
	case SMFIC_BODY:	return SMFIP_NR_BODY;
	default:		return 0;
	}
}

const char *
mclient_verdict_name(char verdict)
{
	switch (verdict) {
	case SMFIR_ACCEPT:	return "accept";
	case SMFIR_CONTINUE:	return "continue";
	case SMFIR_REJECT:	return "reject";
	case SMFIR_TEMPFAIL:	return "tempfail";
	case SMFIR_DISCARD:	return "discard";
	case SMFIR_REPLYCODE:	return "replycode";
	case SMFIR_CONN_FAIL:	return "connfail";
	case SMFIR_SHUTDOWN:	return "shutdown";
	default:		return "none";
	}
}

static int
is_final(char code)
{
	return code == SMFIR_ACCEPT || code == SMFIR_CONTINUE ||
	    code == SMFIR_REJECT || code == SMFIR_TEMPFAIL ||
	    code == SMFIR_DISCARD || code == SMFIR_REPLYCODE ||
	    code == SMFIR_CONN_FAIL || code == SMFIR_SHUTDOWN;
}

void
mclient_result_clear(struct mclient_result *res)
{
	free(res->text);
	memset(res, 0, sizeof(*res));
}

static void res_line(struct mclient_result *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends one formatted line to res->text (verbose mode). */
static void
res_line(struct mclient_result *res, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *nt;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	need = res->text_len + (size_t)n + 2;
	if (need > res->text_cap) {
		if ((nt = realloc(res->text, need * 2)) == NULL)
			return;
		res->text = nt;
		res->text_cap = need * 2;
	}
	va_start(ap, fmt);
	vsnprintf(res->text + res->text_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	res->text_len += (size_t)n;
	res->text[res->text_len++] = '\n';
	res->text[res->text_len] = '\0';
}

/* Untrusted text from the milter, made printable: controls as \n, \t,
 * \xNN, cut at out's size. */
static void
printable(char *out, size_t outlen, const unsigned char *s, size_t n)
{
	size_t o = 0, i;

	for (i = 0; i < n && o + 5 < outlen; i++) {
		if (s[i] == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (s[i] == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (s[i] < 32 || s[i] == 127 || s[i] == '\\') {
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			    s[i]);
		} else {
			out[o++] = (char)s[i];
		}
	}
	if (i < n && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The next NUL-terminated string of a packet: *p advances past it. */
static int
take_str(const unsigned char **p, const unsigned char *end,
    const unsigned char **s, size_t *n)
{
	const unsigned char *nul;

	if (*p >= end || (nul = memchr(*p, '\0', (size_t)(end - *p))) ==
	    NULL)
		return -1;
	*s = *p;
	*n = (size_t)(nul - *p);
	*p = nul + 1;
	return 0;
}

static int
take_u32(const unsigned char **p, const unsigned char *end, uint32_t *v)
{
	if (end - *p < 4)
		return -1;
	*v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	    (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	return 0;
}

/* The action flag a modification needs, 0 for codes that are not
 * modifications. */
static uint32_t
action_flag(char code)
{
	switch (code) {
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:	return SMFIF_ADDHDRS;
	case SMFIR_CHGHEADER:	return SMFIF_CHGHDRS;
	case SMFIR_QUARANTINE:	return SMFIF_QUARANTINE;
	case SMFIR_REPLBODY:	return SMFIF_CHGBODY;
	case SMFIR_ADDRCPT:	return SMFIF_ADDRCPT;
	case SMFIR_ADDRCPT_PAR:	return SMFIF_ADDRCPT_PAR;
	case SMFIR_DELRCPT:	return SMFIF_DELRCPT;
	case SMFIR_CHGFROM:	return SMFIF_CHGFROM;
	default:		return 0;
	}
}

/* Checks one modification action and, in verbose mode, describes it. */
static int
take_action(struct mclient *mc, char code, const unsigned char *d,
    size_t len, struct mclient_result *res, char *err, size_t errlen)
{
	const unsigned char *p = d, *end = d + len, *name, *val;
	char pn[256], pv[2048];
	size_t nn, nv;
	uint32_t idx = 0;

	if (action_flag(code) == 0) {
		snprintf(err, errlen, "milter sent an unknown reply '%c' at end"
		    " of message", code);
		return -1;
	}
	if ((mc->actions & action_flag(code)) == 0) {
		snprintf(err, errlen, "milter sent action '%c' it did not "
		    "negotiate", code);
		return -1;
	}
	switch (code) {
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (take_u32(&p, end, &idx) == -1)
			goto bad;
		/* FALLTHROUGH */
	case SMFIR_ADDHEADER:
		if (take_str(&p, end, &name, &nn) == -1 ||
		    take_str(&p, end, &val, &nv) == -1 || nn == 0)
			goto bad;
		if (!mc->conf->verbose)
			break;
		printable(pn, sizeof(pn), name, nn);
		printable(pv, sizeof(pv), val, nv);
		if (code == SMFIR_ADDHEADER)
			res_line(res, "addheader %s:%s", pn, pv);
		else if (code == SMFIR_INSHEADER)
			res_line(res, "insheader %u %s:%s", idx, pn, pv);
		else if (nv == 0)
			res_line(res, "chgheader %u %s: (delete)", idx, pn);
		else
			res_line(res, "chgheader %u %s:%s", idx, pn, pv);
		break;
	case SMFIR_QUARANTINE:
	case SMFIR_ADDRCPT:
	case SMFIR_DELRCPT:
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_CHGFROM:
		if (take_str(&p, end, &val, &nv) == -1)
			goto bad;
		if (!mc->conf->verbose)
			break;
		printable(pv, sizeof(pv), val, nv);
		res_line(res, "%s %s", code == SMFIR_QUARANTINE ?
		    "quarantine" : code == SMFIR_ADDRCPT ? "addrcpt" :
		    code == SMFIR_DELRCPT ? "delrcpt" : code ==
		    SMFIR_CHGFROM ? "chgfrom" : "addrcpt_par", pv);
		break;
	case SMFIR_REPLBODY:
		if (mc->conf->verbose)
			res_line(res, "replbody %zu bytes", len);
		break;
	}
	res->nactions++;
	return 0;
bad:
	snprintf(err, errlen, "milter sent a malformed '%c' action (%zu "
	    "bytes)", code, len);
	return -1;
}

/* Records a verdict; a reply code's text is checked and kept. */
static int
take_verdict(struct mclient *mc, char code, char stage,
    const unsigned char *d, size_t len, struct mclient_result *res,
    char *err, size_t errlen)
{
	const unsigned char *p = d, *s;
	size_t n;

	res->verdict = code;
	res->stage = stage;
	res->reply[0] = '\0';
	if (code == SMFIR_REPLYCODE) {
		/* "550 5.7.1 text": a 4xx or 5xx code first. */
		if (take_str(&p, d + len, &s, &n) == -1 || n < 3 ||
		    (s[0] != '4' && s[0] != '5')) {
			snprintf(err, errlen, "milter sent a malformed reply "
			    "code");
			return -1;
		}
		printable(res->reply, sizeof(res->reply), s, n);
	}
	/* A recipient's verdict is "rcpt ..."; the message's, "result". */
	if (mc->conf->verbose)
		res_line(res, "%s %s%s%s", stage == SMFIC_RCPT ? "rcpt" :
		    "result", mclient_verdict_name(code),
		    res->reply[0] != '\0' ? " " : "", res->reply);
	return 0;
}

/*
 * After a command that wants a reply: 0 to go on, 1 when a verdict ends
 * the message (res filled), 2 for SMFIR_SKIP (no more body), -1 on error.
 * Nothing is read when the milter agreed not to reply to cmd.
 */
static int
step(struct mclient *mc, char cmd, struct mclient_result *res, char *err,
    size_t errlen)
{
	const unsigned char *d;
	size_t len;
	char code;

	if (mc->protocol & nr_flag(cmd))
		return 0;
	if (mclient_io_flush(mc, err, errlen) == -1)
		return -1;
	for (;;) {
		if (mclient_io_read(mc, &code, &d, &len, err, errlen) == -1)
			return -1;
		if (code != SMFIR_PROGRESS)
			break;
	}
	if (code == SMFIR_CONTINUE)
		return 0;
	if (code == SMFIR_SKIP && cmd == SMFIC_BODY &&
	    (mc->protocol & SMFIP_SKIP))
		return 2;
	if (!is_final(code)) {
		snprintf(err, errlen, "milter replied '%c' to '%c'", code,
		    cmd);
		return -1;
	}
	return take_verdict(mc, code, cmd, d, len, res, err, errlen) == -1 ?
	    -1 : 1;
}

/* Replies to end of message: actions, then one verdict. */
static int
eom_replies(struct mclient *mc, struct mclient_result *res, char *err,
    size_t errlen)
{
	const unsigned char *d;
	unsigned n = 0;
	size_t len;
	char code;

	for (;;) {
		if (mclient_io_read(mc, &code, &d, &len, err, errlen) == -1)
			return -1;
		if (code == SMFIR_PROGRESS)
			continue;
		if (is_final(code))
			return take_verdict(mc, code, SMFIC_BODYEOB, d, len,
			    res, err, errlen);
		if (++n > MCLIENT_MAX_ACTIONS) {
			snprintf(err, errlen, "milter sent more than %d "
			    "actions", MCLIENT_MAX_ACTIONS);
			return -1;
		}
		if (take_action(mc, code, d, len, res, err, errlen) == -1)
			return -1;
	}
}

/* Sends macros for one stage: pairs of name, value. */
static int
macros(struct mclient *mc, char stage, const char *const *kv, size_t n)
{
	size_t i;

	mclient_io_begin(mc, SMFIC_MACRO);
	mclient_io_put(mc, &stage, 1);
	for (i = 0; i + 1 < n; i += 2)
		if (kv[i + 1] != NULL) {
			mclient_io_put_str(mc, kv[i]);
			mclient_io_put_str(mc, kv[i + 1]);
		}
	return mclient_io_end(mc);
}

static int
send_args(struct mclient *mc, char cmd, const char *addr)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "<%s>", addr);
	mclient_io_begin(mc, cmd);
	mclient_io_put_str(mc, buf);
	return mclient_io_end(mc);
}

/* Header value as the milter asked for it: with SMFIP_HDR_LEADSPC as in
 * the message, else without one leading space (not tab), as sendmail and
 * Postfix send it. */
static int
send_header(struct mclient *mc, const struct mclient_header *h)
{
	const char *v = h->value;
	size_t nl = strlen(h->name), vl;

	if (!(mc->protocol & SMFIP_HDR_LEADSPC) && *v == ' ')
		v++;
	vl = strlen(v);
	/* An MTA cuts what does not fit in one command (Postfix does). */
	if (nl + 2 >= MCLIENT_MAX_DATA)
		return 0;
	if (nl + vl + 2 >= MCLIENT_MAX_DATA)
		vl = MCLIENT_MAX_DATA - nl - 3;
	mclient_io_begin(mc, SMFIC_HEADER);
	mclient_io_put_str(mc, h->name);
	mclient_io_put(mc, v, vl);
	mclient_io_put(mc, "", 1);
	return mclient_io_end(mc);
}

#define SENT(x)	do { if ((x) == -1) goto ioerr; } while (0)
#define STEP(c)	do { if ((r = step(mc, (c), res, err, errlen)) == -1) \
			return -1; \
		if (r == 1) goto early; } while (0)

int
mclient_send(struct mclient *mc, const struct mclient_msg *m,
    const char *qid, struct mclient_result *res, char *err, size_t errlen)
{
	const struct mclient_conf *conf = mc->conf;
	uint32_t proto = mc->protocol;
	const char *kv[4];
	size_t i, off, n, refused = 0;
	int r;

	if (mc->conn_verdict != 0) {
		/* Connect or HELO settled it: the MTA asks no more. */
		res->verdict = mc->conn_verdict;
		res->stage = mc->conn_stage;
		if (conf->verbose)
			res_line(res, "result %s (connection)",
			    mclient_verdict_name(res->verdict));
		return 0;
	}
	kv[0] = "i";
	kv[1] = qid;
	kv[2] = "{mail_addr}";
	kv[3] = m->mail_from;
	SENT(macros(mc, SMFIC_MAIL, kv, 4));
	if (!(proto & SMFIP_NOMAIL)) {
		SENT(send_args(mc, SMFIC_MAIL, m->mail_from));
		STEP(SMFIC_MAIL);
	}
	for (i = 0; i < conf->nrcpts; i++) {
		kv[0] = "{rcpt_addr}";
		kv[1] = conf->rcpts[i];
		SENT(macros(mc, SMFIC_RCPT, kv, 2));
		if (proto & SMFIP_NORCPT)
			continue;
		SENT(send_args(mc, SMFIC_RCPT, conf->rcpts[i]));
		if ((r = step(mc, SMFIC_RCPT, res, err, errlen)) == -1)
			return -1;
		/* A refused recipient ends the message only when it was
		 * the last one left (Postfix, sendmail); accept and
		 * discard are about the whole message. */
		if (r == 1 && res->verdict != SMFIR_ACCEPT &&
		    res->verdict != SMFIR_DISCARD &&
		    ++refused < conf->nrcpts)
			continue;
		if (r == 1)
			goto early;
	}
	if (!(proto & SMFIP_NODATA)) {
		SENT(mclient_io_simple(mc, SMFIC_DATA));
		STEP(SMFIC_DATA);
	}
	for (i = 0; i < m->nheaders && !(proto & SMFIP_NOHDRS); i++) {
		SENT(send_header(mc, &m->headers[i]));
		STEP(SMFIC_HEADER);
	}
	if (!(proto & SMFIP_NOEOH)) {
		SENT(mclient_io_simple(mc, SMFIC_EOH));
		STEP(SMFIC_EOH);
	}
	for (off = 0; off < m->body_len && !(proto & SMFIP_NOBODY);
	    off += n) {
		n = m->body_len - off;
		if (n > conf->chunk)
			n = conf->chunk;
		mclient_io_begin(mc, SMFIC_BODY);
		mclient_io_put(mc, m->body + off, n);
		SENT(mclient_io_end(mc));
		if ((r = step(mc, SMFIC_BODY, res, err, errlen)) == -1)
			return -1;
		if (r == 1)
			goto early;
		if (r == 2)
			break;
	}
	if (conf->abort_every > 0 && ++mc->nsent % conf->abort_every == 0) {
		/* The client went away before the final dot. */
		res->verdict = SMFIR_CONTINUE;
		res->stage = SMFIC_ABORT;
		if (conf->verbose)
			res_line(res, "result aborted");
		SENT(mclient_io_simple(mc, SMFIC_ABORT));
		return mclient_io_flush(mc, err, errlen);
	}
	kv[0] = "i";
	kv[1] = qid;
	SENT(macros(mc, SMFIC_BODYEOB, kv, 2));
	SENT(mclient_io_simple(mc, SMFIC_BODYEOB));
	if (mclient_io_flush(mc, err, errlen) == -1)
		return -1;
	return eom_replies(mc, res, err, errlen);
early:
	if (conf->verbose && res->stage == SMFIC_RCPT)
		res_line(res, "result %s", mclient_verdict_name(res->verdict));
	/* The message ended before its end: tell the milter, as MTAs do,
	 * so the next MAIL starts clean. */
	SENT(mclient_io_simple(mc, SMFIC_ABORT));
	return mclient_io_flush(mc, err, errlen);
ioerr:
	return mclient_io_error(mc, err, errlen);
}

static void
put_u32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

/* SMFIC_OPTNEG: we offer version 6 and conf's actions and steps; the
 * milter answers with what it wants, then optionally per stage the macros
 * it wants (uint32 stage, NUL-terminated list), which we check and do not
 * otherwise use (we send few macros anyway). */
static int
negotiate(struct mclient *mc, char *err, size_t errlen)
{
	const unsigned char *d, *p, *end, *s;
	unsigned char b[12];
	uint32_t stage;
	size_t len, n;
	char code;

	put_u32(b, SMFI_PROT_VERSION);
	put_u32(b + 4, mc->conf->actions);
	put_u32(b + 8, mc->conf->protocol);
	mclient_io_begin(mc, SMFIC_OPTNEG);
	mclient_io_put(mc, b, sizeof(b));
	if (mclient_io_end(mc) == -1 || mclient_io_flush(mc, err,
	    errlen) == -1 || mclient_io_read(mc, &code, &d, &len, err,
	    errlen) == -1)
		return mclient_io_error(mc, err, errlen);
	p = d;
	end = d + len;
	if (code != SMFIC_OPTNEG || take_u32(&p, end, &mc->version) == -1 ||
	    take_u32(&p, end, &mc->actions) == -1 ||
	    take_u32(&p, end, &mc->protocol) == -1) {
		snprintf(err, errlen, "milter answered option negotiation "
		    "with '%c' (%zu bytes)", code, len);
		return -1;
	}
	if (mc->version < 2 || mc->version > SMFI_PROT_VERSION) {
		snprintf(err, errlen, "milter speaks protocol version %u",
		    mc->version);
		return -1;
	}
	if ((mc->actions & ~mc->conf->actions) != 0 ||
	    (mc->protocol & ~mc->conf->protocol) != 0) {
		snprintf(err, errlen, "milter wants actions 0x%x steps 0x%x, "
		    "more than offered (0x%x, 0x%x)", mc->actions,
		    mc->protocol, mc->conf->actions, mc->conf->protocol);
		return -1;
	}
	while (p < end) {
		if (take_u32(&p, end, &stage) == -1 || stage > SMFIM_LAST ||
		    take_str(&p, end, &s, &n) == -1) {
			snprintf(err, errlen, "milter sent a malformed macro "
			    "list in option negotiation");
			return -1;
		}
	}
	return 0;
}

/* Connect and HELO.  A verdict here holds for the whole connection. */
static int
conn_steps(struct mclient *mc, char *err, size_t errlen)
{
	const struct mclient_conf *conf = mc->conf;
	struct mclient_result res;
	unsigned char port[2] = { 0xd4, 0x31 };	/* client port 54321 */
	unsigned char a[16];
	char name[300];
	const char *kv[10];
	char fam = SMFIA_UNKNOWN;
	int r = 0;

	memset(&res, 0, sizeof(res));
	if (conf->client_ip != NULL && inet_pton(AF_INET, conf->client_ip,
	    a) == 1)
		fam = SMFIA_INET;
	else if (conf->client_ip != NULL && inet_pton(AF_INET6,
	    conf->client_ip, a) == 1)
		fam = SMFIA_INET6;
	snprintf(name, sizeof(name), conf->client_name != NULL ? "%s" :
	    "[%s]", conf->client_name != NULL ? conf->client_name :
	    conf->client_ip != NULL ? conf->client_ip : "unknown");
	kv[0] = "j";
	kv[1] = "mx.miltercat.example";
	kv[2] = "{daemon_name}";
	kv[3] = "miltercat";
	kv[4] = "{client_addr}";
	kv[5] = conf->client_ip;
	kv[6] = "{client_name}";
	kv[7] = name;
	kv[8] = "{client_port}";
	kv[9] = "54321";
	if (macros(mc, SMFIC_CONNECT, kv, 10) == -1)
		return mclient_io_error(mc, err, errlen);
	if (!(mc->protocol & SMFIP_NOCONNECT)) {
		mclient_io_begin(mc, SMFIC_CONNECT);
		mclient_io_put_str(mc, name);
		mclient_io_put(mc, &fam, 1);
		if (fam != SMFIA_UNKNOWN) {
			mclient_io_put(mc, port, 2);
			mclient_io_put_str(mc, conf->client_ip);
		}
		if (mclient_io_end(mc) == -1)
			return mclient_io_error(mc, err, errlen);
		r = step(mc, SMFIC_CONNECT, &res, err, errlen);
	}
	if (r == 0 && !(mc->protocol & SMFIP_NOHELO)) {
		mclient_io_begin(mc, SMFIC_HELO);
		mclient_io_put_str(mc, conf->helo);
		if (mclient_io_end(mc) == -1)
			return mclient_io_error(mc, err, errlen);
		r = step(mc, SMFIC_HELO, &res, err, errlen);
	}
	if (r == 1) {
		mc->conn_verdict = res.verdict;
		mc->conn_stage = res.stage;
	}
	mclient_result_clear(&res);
	return r == -1 ? -1 : 0;
}

static void
free_mc(struct mclient *mc)
{
	if (mc->fd != -1)
		close(mc->fd);
	free(mc->wbuf);
	free(mc->pkt);
	free(mc);
}

struct mclient *
mclient_open(const struct mclient_conf *conf, char *err, size_t errlen)
{
	struct mclient *mc;
	int fd;

	if ((fd = mclient_io_connect(conf, err, errlen)) == -1)
		return NULL;
	if ((mc = calloc(1, sizeof(*mc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	mc->fd = fd;
	mc->conf = conf;
	if (negotiate(mc, err, errlen) == -1 ||
	    conn_steps(mc, err, errlen) == -1) {
		free_mc(mc);
		return NULL;
	}
	return mc;
}

void
mclient_negotiated(const struct mclient *mc, uint32_t *version,
    uint32_t *actions, uint32_t *protocol)
{
	*version = mc->version;
	*actions = mc->actions;
	*protocol = mc->protocol;
}

void
mclient_close(struct mclient *mc)
{
	if (mc == NULL)
		return;
	/* QUIT needs no reply; one try, no wait: the milter may be gone. */
	if (!mc->io_failed) {
		mclient_io_simple(mc, SMFIC_QUIT);
		if (!mc->io_failed)
			(void)send(mc->fd, mc->wbuf, mc->wlen,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	free_mc(mc);
}
