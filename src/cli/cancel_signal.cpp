#include "cancel_signal.h"

#include <atomic>

namespace dls::cli {
namespace {

// Lock-free, so setting it is async-signal-safe.
std::atomic<bool> g_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_cancel_signal(int) {
  g_requested.store(true, std::memory_order_relaxed);
}

}  // namespace

CancelOnSignal::CancelOnSignal() {
  g_requested.store(false);
  struct sigaction action {};
  action.sa_handler = on_cancel_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal acts as if we were not here
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

CancelOnSignal::~CancelOnSignal() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

bool CancelOnSignal::requested() {
  return g_requested.load(std::memory_order_relaxed);
}

}  // namespace dls::cli
