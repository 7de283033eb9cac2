/* addr.c - to be written */
#include "addr.h"
