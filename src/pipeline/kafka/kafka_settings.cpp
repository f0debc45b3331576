#include "pipeline/kafka/kafka_settings.h"

#include <optional>
#include <regex>

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"

namespace dls::pipeline::kafka {

namespace {

/// The quoted value of `name` in a JAAS configuration (`name="..."`, backslash escapes), or
/// nullopt when it is not there.
std::optional<std::string> jaas_value(const std::string& jaas, const std::string& name) {
  const std::regex re("(^|[\\s;])" + name + "\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  std::smatch m;
  if (!std::regex_search(jaas, m, re)) return std::nullopt;
  std::string out;
  const std::string quoted = m[2].str();
  for (size_t i = 0; i < quoted.size(); ++i) {
    if (quoted[i] == '\\' && i + 1 < quoted.size()) ++i;
    out += quoted[i];
  }
  return out;
}

}  // namespace

ClientSettings client_settings(const std::map<std::string, std::string>& options,
                               const std::string& what, ClientRole role) {
  ClientSettings out;
  for (const auto& [key, value] : options) {
    if (lower_ascii(key.substr(0, 6)) != "kafka.") continue;
    const std::string lower = lower_ascii(key.substr(6));
    auto refuse = [&](const std::string& why) {
      throw InvalidMetadataError(what + " '" + key + "' is not supported: " + why);
    };
    if (auto why = refused_kafka_setting(lower, role == ClientRole::kSink)) refuse(*why);
    if (lower == "sasl.jaas.config") {
      const auto user = jaas_value(value, "username");
      const auto password = jaas_value(value, "password");
      if (!user || !password) {
        refuse(
            "only a PlainLoginModule or ScramLoginModule with username=\"...\" and "
            "password=\"...\" is understood; or give kafka.sasl.username and "
            "kafka.sasl.password");
      }
      out["sasl.username"] = *user;
      out["sasl.password"] = *password;
      continue;
    }
    out[lower] = value;  // librdkafka names are lower case
  }
  return out;
}

}  // namespace dls::pipeline::kafka
