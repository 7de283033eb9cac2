/*
 * auth.c - RFC 8601 result words.  Pure, any thread.
 */
#include "auth/auth.h"

static const char *const names[] = {
	[AUTH_NONE] = "none",
	[AUTH_PASS] = "pass",
	[AUTH_FAIL] = "fail",
	[AUTH_SOFTFAIL] = "softfail",
	[AUTH_NEUTRAL] = "neutral",
	[AUTH_POLICY] = "policy",
	[AUTH_TEMPERROR] = "temperror",
	[AUTH_PERMERROR] = "permerror",
};

const char *
auth_result_name(enum auth_result r)
{
	if ((unsigned)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "permerror";
}
