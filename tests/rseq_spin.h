/*
 * A thread that spins inside an rseq critical section it registered
 * (tests/arch/<arch>/rseq_spin.S), to check that it is aborted after a
 * stop, as the kernel does, and never resumed inside with its rseq_cs
 * word cleared.
 */
#ifndef SCR_TEST_RSEQ_SPIN_H
#define SCR_TEST_RSEQ_SPIN_H

/*
 * rs: the thread's struct rseq (glibc's, at the thread pointer plus
 * __rseq_offset).  Arms a critical section around a loop that reads
 * rs->rseq_cs and *stop, and spins until *stop; an abort (a stop, a
 * preemption, a signal) counts in *aborts, re-arms and goes on.
 * Returns 0 once *stop is set, -1 if the loop found rs->rseq_cs cleared
 * while inside the section (the kernel never leaves it so), -2 where
 * this architecture has no such loop.
 */
int rseq_spin(void *rs, volatile int *stop, long *aborts);

#endif
