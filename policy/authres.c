/* authres.c - to be written */
#include "authres.h"
