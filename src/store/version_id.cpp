#include "store/version_id.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <random>

namespace dls::store_detail {

namespace {

std::mt19937_64 seeded_generator() {
  std::random_device rd;
  std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  return std::mt19937_64(seq);
}

}  // namespace

std::string new_version_id() {
  // Per thread, and reseeded after fork(): a child inherits its parent's generator state, and
  // two children drawing the same sequence would give two versions the same id.
  thread_local pid_t seeded_for = -1;
  thread_local std::mt19937_64 gen;
  if (seeded_for != getpid()) {
    gen = seeded_generator();
    seeded_for = getpid();
  }
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace dls::store_detail
