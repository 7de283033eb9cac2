/* eml.c - to be written */
#include "eml.h"
