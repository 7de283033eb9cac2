/* policy.c - to be written */
#include "policy.h"
