/*
 * libFuzzer harness for the core writer's reader of /proc/PID/smaps and
 * /proc/PID/maps (lib/core_maps.c): their lines carry file names the
 * target chose.  Each mapping parsed is then judged as the kernel would
 * under every filter, with and without PC_ALL: no crash, no leak, and a
 * mapping never dumps more than it spans.
 *
 * Input: one byte (its low bits the coredump_filter), then the text.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_maps m = { 0 };

	if (size == 0)
		return 0;
	if (scr__core_maps_parse((const char *)data + 1, size - 1, &m) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			struct core_map *map = &m.v[i];

			if (map->start >= map->end)
				abort();
			for (int all = 0; all < 2; all++) {
				scr__core_map_decide(map, data[0] * 2u + 1, all);
				if (map->dump > map->end - map->start)
					abort();
				scr__core_map_anonymous(map);
				scr__core_map_special(map);
			}
		}
	}
	scr__core_maps_free(&m);
	return 0;
}
