/*
 * A target that holds known values in its general, vector and control
 * registers while spinning in user space, and checks them itself
 * (CRIU zdtm style).  One implementation per architecture, under
 * tests/arch/<arch>/.
 */
#ifndef SCR_TEST_SPIN_H
#define SCR_TEST_SPIN_H

#include <stdbool.h>
#include <stddef.h>

bool spin_supported(void);
/* Spins until spin_stop_now() is called (from a signal handler); 0 when
 * every register came back unchanged, else -1 and a reason in why. */
int spin_and_check(char *why, size_t len);
void spin_stop_now(void);

#endif
