#include "dls/delta/warnings.h"

#include <iostream>
#include <mutex>

namespace dls::delta {

namespace {

std::mutex& handler_mutex() {
  static std::mutex m;
  return m;
}

WarningHandler& current_handler() {
  static WarningHandler handler;
  return handler;
}

}  // namespace

WarningHandler set_warning_handler(WarningHandler handler) {
  std::lock_guard<std::mutex> lock(handler_mutex());
  WarningHandler old = std::move(current_handler());
  current_handler() = std::move(handler);
  return old;
}

void warn(std::string_view message) {
  try {
    std::lock_guard<std::mutex> lock(handler_mutex());
    if (current_handler()) {
      current_handler()(message);
    } else {
      std::cerr << "dls: warning: " << message << std::endl;
    }
  } catch (...) {
    // A warning must never fail the operation that reports it.
  }
}

}  // namespace dls::delta
