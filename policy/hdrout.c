/* hdrout.c - to be written */
#include "hdrout.h"
