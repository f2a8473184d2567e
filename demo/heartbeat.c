/* A process minding its own business: a heartbeat line every 200 ms. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	for (unsigned long i = 1;; i++) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		printf("heartbeat %lu from pid %d\n", i, (int)getpid());
		fflush(stdout);
		while (nanosleep(&ts, &ts))
			;
	}
}
