/* apply.c - to be written */
