/* dmarc.c - to be written */
#include "dmarc.h"
