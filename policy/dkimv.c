/* dkimv.c - to be written */
#include "dkimv.h"
