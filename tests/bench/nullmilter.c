/*
 * nullmilter.c - a libmilter milter that does nothing: the floor the
 * benchmark compares relaywarden with.
 *
 *   nullmilter -p SOCKET [-a] [-D]
 *
 * It negotiates what relaywarden negotiates (protocol v6, no reply to any
 * step but end of message, no DATA step) and accepts every message at its
 * end.  -a adds one header at end of message, as a milter that writes a
 * result would: two writes back to back, which over TCP meet Nagle and
 * the MTA's delayed ACK.  -D sets TCP_NODELAY on the listening socket (as
 * relaywarden does), to show that stall go away.  Runs in the foreground
 * until SIGTERM / SIGINT (libmilter's).  Thread rule: no shared state.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#define NR_WANTED	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | \
	SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

static int add_header;

/* The steps we get no reply for, per connection, kept in the private
 * pointer as a number: no allocation, nothing to free. */
static sfsistat
reply(SMFICTX *ctx, unsigned long flag)
{
	unsigned long nr = (unsigned long)(uintptr_t)smfi_getpriv(ctx);

	return (nr & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA | NR_WANTED);
	*pf2 = *pf3 = 0;
	smfi_setpriv(ctx, (void *)(uintptr_t)(*pf1 & NR_WANTED));
	return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	return reply(ctx, SMFIP_NR_CONN);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	return reply(ctx, SMFIP_NR_HELO);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	return reply(ctx, SMFIP_NR_MAIL);
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	return reply(ctx, SMFIP_NR_RCPT);
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	return reply(ctx, SMFIP_NR_HDR);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	return reply(ctx, SMFIP_NR_EOH);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	return reply(ctx, SMFIP_NR_BODY);
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	if (add_header && smfi_addheader(ctx, (char *)"X-Null-Milter",
	    (char *)"seen") != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)"nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};

/* TCP_NODELAY on the listening socket libmilter opened (it does not hand
 * it out): the one of our descriptors that listens over IP. */
static void
set_nodelay(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1, acc;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(acc);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) ==
		    -1 || !acc)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
		    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
			    sizeof(on));
	}
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	int ch, nodelay = 0;

	while ((ch = getopt(argc, argv, "p:aD")) != -1) {
		switch (ch) {
		case 'p':
			sock = optarg;
			break;
		case 'a':
			add_header = 1;
			break;
		case 'D':
			nodelay = 1;
			break;
		default:
			sock = NULL;
			optind = argc + 1;
			break;
		}
	}
	if (sock == NULL || optind != argc) {
		fprintf(stderr, "usage: nullmilter -p SOCKET [-a] [-D]\n");
		return 2;
	}
	if (smfi_setconn((char *)sock) == MI_FAILURE ||
	    smfi_register(desc) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", sock);
		return 1;
	}
	if (nodelay)
		set_nodelay();
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
