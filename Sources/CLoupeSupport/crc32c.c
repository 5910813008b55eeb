#include "CLoupeSupport.h"
#include <pthread.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void loupe_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

static uint32_t table[256];
static int table_ready = 0;

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    table_ready = 1;
}

static uint32_t crc_soft(uint32_t crc, const uint8_t *p, size_t n) {
    if (!table_ready) make_table();
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p);
        p++;
        n--;
    }
    return c32;
}
#endif

#if defined(__x86_64__)
/* Three interleaved streams: the crc32 instruction has a latency of three cycles and a
   throughput of one, so one stream waits two cycles in three. A buffer is taken LANE * 3 bytes
   at a time; the second and third lanes start from a zero register, and the lanes are joined by
   "shifting" a register over LANE zero bytes (a linear map of its 32 bits, applied with four
   byte tables made once). */
#define LANE 4096
static uint32_t shift_tab[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

static void make_shift(void) {
    static const uint8_t zeros[LANE];
    uint32_t basis[32];
    for (int i = 0; i < 32; i++) basis[i] = crc_soft(1u << i, zeros, LANE);
    for (int k = 0; k < 4; k++) {
        for (int b = 0; b < 256; b++) {
            uint32_t v = 0;
            for (int j = 0; j < 8; j++)
                if (b & (1 << j)) v ^= basis[8 * k + j];
            shift_tab[k][b] = v;
        }
    }
}

static inline uint32_t shift_lane(uint32_t c) {
    return shift_tab[0][c & 0xFF] ^ shift_tab[1][(c >> 8) & 0xFF] ^ shift_tab[2][(c >> 16) & 0xFF] ^
           shift_tab[3][c >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc_hw3(uint32_t crc, const uint8_t *p, size_t n) {
    if (n >= 3 * LANE) {
        pthread_once(&shift_once, make_shift);
        while (n >= 3 * LANE) {
            uint64_t a = crc, b = 0, c = 0;
            for (size_t i = 0; i < LANE; i += 8) {
                uint64_t x, y, z;
                memcpy(&x, p + i, 8);
                memcpy(&y, p + LANE + i, 8);
                memcpy(&z, p + 2 * LANE + i, 8);
                a = __builtin_ia32_crc32di(a, x);
                b = __builtin_ia32_crc32di(b, y);
                c = __builtin_ia32_crc32di(c, z);
            }
            crc = shift_lane(shift_lane((uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
            p += 3 * LANE;
            n -= 3 * LANE;
        }
    }
    return crc_hw(crc, p, n);
}
#endif

uint32_t loupe_crc32c(uint32_t crc, const void *data, size_t len) {
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc_hw3(c, (const uint8_t *)data, len);
#endif
    return ~crc_soft(c, (const uint8_t *)data, len);
}
