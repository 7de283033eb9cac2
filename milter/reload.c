/* reload.c - to be written */
