/* spf.c - to be written */
#include "spf.h"
