/*
 * Native yardstick for the CPU NTT bench: a plain single-threaded radix-2 Goldilocks NTT.
 * Iterative DIT (bit-reverse permutation, then log2(n) butterfly passes), precomputed twiddles
 * laid out contiguously per stage, 64x64->128 products via unsigned __int128,
 * branchless reductions. Built with
 * `-O3 -march=native` by bench/ntt-native.ts; it is a reference point, not part of CapSeal.
 *
 * Usage: ntt_radix2 LOG_N RUNS  ->  prints one JSON line: {"times_ms":[...],"fingerprint":"<u64>"}
 * Input: the splitmix64 stream of bench/inputs.ts reduced mod p, so both sides transform the same column.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define P 0xFFFFFFFF00000001ULL
#define EPS 0xFFFFFFFFULL /* 2^64 mod p */

/* Branch-free: inputs are random, so a branch would mispredict half the time. Conditions become
 * all-ones/all-zero masks, which gcc reliably compiles without jumps (ternaries it sometimes does not). */
static inline uint64_t mask(int cond) { return -(uint64_t)cond; }
static inline uint64_t add(uint64_t a, uint64_t b) {
  uint64_t s = a + b;
  return s - (mask((s < a) | (s >= P)) & P); /* s - P mod 2^64 = s + EPS covers the wrapped case */
}
static inline uint64_t sub(uint64_t a, uint64_t b) { return a - b - (mask(a < b) & EPS); }
static inline uint64_t mul(uint64_t a, uint64_t b) {
  unsigned __int128 x = (unsigned __int128)a * b;
  uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
  uint64_t hh = hi >> 32, hl = hi & EPS;
  uint64_t t0 = lo - hh - (mask(lo < hh) & EPS); /* 2^96 = -1 */
  uint64_t t1 = hl * EPS;                         /* 2^64 = EPS */
  uint64_t r = t0 + t1;
  r += mask(r < t1) & EPS;
  return r - (mask(r >= P) & P);
}
static uint64_t powm(uint64_t b, uint64_t e) {
  uint64_t r = 1;
  for (; e; e >>= 1, b = mul(b, b)) if (e & 1) r = mul(r, b);
  return r;
}
static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void ntt(uint64_t *a, const uint64_t *tw, int log_n) {
  size_t n = (size_t)1 << log_n;
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { uint64_t t = a[i]; a[i] = a[j]; a[j] = t; }
  }
  for (size_t half = 1; half < n; half <<= 1) {
    const uint64_t *w = tw + half - 1; /* stage twiddles w_{2half}^0..half-1 */
    for (size_t k = 0; k < n; k += 2 * half)
      for (size_t j = 0; j < half; j++) {
        uint64_t u = a[k + j], v = mul(a[k + j + half], w[j]);
        a[k + j] = add(u, v);
        a[k + j + half] = sub(u, v);
      }
  }
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: ntt_radix2 LOG_N RUNS\n"); return 2; }
  int log_n = atoi(argv[1]), runs = atoi(argv[2]);
  if (log_n < 1 || log_n > 30 || runs < 1) { fprintf(stderr, "bad arguments\n"); return 2; }
  size_t n = (size_t)1 << log_n;
  uint64_t *input = malloc(n * 8), *a = malloc(n * 8), *tw = malloc(n * 8);
  uint64_t seed = 0x43415053ULL; /* "CAPS" */
  for (size_t i = 0; i < n; i++) input[i] = splitmix64(&seed) % P;
  for (size_t half = 1; half < n; half <<= 1) {
    uint64_t w = powm(7, (P - 1) / (2 * half)), x = 1;
    for (size_t j = 0; j < half; j++, x = mul(x, w)) tw[half - 1 + j] = x;
  }
  printf("{\"times_ms\":[");
  for (int r = 0; r < runs; r++) {
    for (size_t i = 0; i < n; i++) a[i] = input[i];
    double t0 = now_ms();
    ntt(a, tw, log_n);
    printf("%s%.6f", r ? "," : "", now_ms() - t0); /* ns: small sizes take well under a microsecond */
  }
  uint64_t fp = 0;
  for (size_t i = 0; i < n; i++) fp += a[i] * (uint64_t)(i + 1);
  printf("],\"fingerprint\":\"%llu\"}\n", (unsigned long long)fp);
  return 0;
}
