/* dns.c - to be written */
#include "dns.h"
