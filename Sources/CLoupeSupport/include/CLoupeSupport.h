#ifndef CLOUPE_SUPPORT_H
#define CLOUPE_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `len` bytes, continuing from `crc` (0 to start). Uses the SSE 4.2
/// crc32 instruction when the processor has it, else a table.
uint32_t loupe_crc32c(uint32_t crc, const void *data, size_t len);

/// Returns freed heap memory to the operating system (glibc's malloc_trim); no-op elsewhere.
void loupe_release_free_memory(void);

/// Hints the processor to bring the cache line at `p` in (for reading, kept in every level).
/// Never faults: any address is allowed.
static inline void loupe_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
