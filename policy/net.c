/* net.c - to be written */
#include "net.h"
