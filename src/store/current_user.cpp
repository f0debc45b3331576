#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "dls/store/delta_live_store.h"

namespace dls {

std::string current_user() {
  if (const char* env = std::getenv("DLS_USER"); env && *env) return env;
  // The effective user's login name from the password database (works without a terminal).
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  struct passwd pwd {};
  struct passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &pwd, buffer.data(), buffer.size(), &found) == 0 && found &&
      found->pw_name && *found->pw_name) {
    return found->pw_name;
  }
  for (const char* var : {"USER", "LOGNAME"}) {
    if (const char* env = std::getenv(var); env && *env) return env;
  }
  return "unknown";
}

}  // namespace dls
