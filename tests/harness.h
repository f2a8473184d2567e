/*
 * A small test harness: each TEST() runs in its own process group under
 * a watchdog, and prints "PASS name", "FAIL name: why" or "SKIP name: why".
 * Inside a test, CHECK() fails it, SKIP() skips it; targets a test
 * starts die with it (PR_SET_PDEATHSIG and the process group).
 */
#ifndef SCR_TEST_HARNESS_H
#define SCR_TEST_HARNESS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CHECK(cond) with no message is fine. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

typedef void (*test_fn)(void);
void harness_register(const char *name, test_fn fn, int timeout_s);

#define TEST_T(name, secs)                                                 \
	static void name(void);                                            \
	__attribute__((constructor)) static void reg_##name(void)          \
	{                                                                  \
		harness_register(#name, name, secs);                       \
	}                                                                  \
	static void name(void)
#define TEST(name) TEST_T(name, 20)

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void test_fail_cond(const char *file, int line, const char *cond,
		    const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
void test_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			test_fail_cond(__FILE__, __LINE__, #cond,          \
				       "" __VA_ARGS__);                    \
	} while (0)
/* Checks a negative-errno return is 0. */
#define CHECK_OK(expr)                                                     \
	do {                                                               \
		long _e = (long)(expr);                                    \
		if (_e)                                                    \
			test_fail(__FILE__, __LINE__, "%s = %ld (%s)",     \
				  #expr, _e, strerror((int)-_e));          \
	} while (0)
#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long _a = (long long)(a), _b = (long long)(b);        \
		if (_a != _b)                                              \
			test_fail(__FILE__, __LINE__,                      \
				  "%s == %lld, expected %s == %lld", #a,   \
				  _a, #b, _b);                             \
	} while (0)
#define SKIP(...) test_skip(__VA_ARGS__)

#endif
