/*
 * silentdns.c - a DNS forwarder that never answers (see silentdns.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "silentdns.h"

int
silentdns_open(char *fwd, size_t len)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(s, (struct sockaddr *)&sin, &sl) < 0) {
		close(s);
		return -1;
	}
	snprintf(fwd, len, "127.0.0.1@%u", ntohs(sin.sin_port));
	return s;
}
