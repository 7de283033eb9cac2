/* relay.c - to be written */
#include "relay.h"
