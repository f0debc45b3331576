#include "delta/random_uuid.h"

#include <cstdint>
#include <random>

namespace dls::delta {

std::string random_uuid() {
  // Seeded per thread from random_device, which also makes forked children diverge as soon as
  // they create a new thread; the fork-safe part is that random_device is consulted once more
  // per call below, so two processes forked from one parent never share a sequence.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::random_device fresh;
  uint64_t hi = rng() ^ (static_cast<uint64_t>(fresh()) << 32);
  uint64_t lo = rng() ^ fresh();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    uint64_t word = i < 8 ? hi : lo;
    int shift = 56 - 8 * (i % 8);
    auto byte = static_cast<unsigned>((word >> shift) & 0xFF);
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

}  // namespace dls::delta
