#include "pipeline/kafka/kafka_settings.h"

#include <regex>

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"

namespace dls::pipeline::kafka {

namespace {

std::string jaas_value(const std::string& jaas, const std::string& name) {
  const std::regex re(name + "\\s*=\\s*\"([^\"]*)\"");
      std::smatch m;
  if (std::regex_search(jaas, m, re)) return m[1].str();
  return "";
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
    if (lower == "auto.offset.reset") {
      refuse(role == ClientRole::kSource
                 ? "set the read option startingOffsets (earliest, latest or JSON offsets) instead"
                 : "it is a consumer setting");
    }
    if (lower == "key.deserializer" || lower == "value.deserializer" || lower == "key.serializer" ||
        lower == "value.serializer") {
      refuse(
          "keys and values are bytes; decode them in select_expr (CAST(value AS STRING), "
          "from_json(...)) or encode them before the sink");
    }
    if (lower == "enable.auto.commit") {
      refuse("the pipeline keeps the offsets (offsets log and the Delta commit), not Kafka");
    }
    if (lower == "interceptor.classes") refuse("Java interceptors do not apply to librdkafka");
    if (lower.starts_with("ssl.truststore.") || lower.starts_with("ssl.keystore.")) {
      refuse(
          "Java key stores are not read by librdkafka; give PEM files with kafka.ssl.ca.location, "
          "kafka.ssl.certificate.location and kafka.ssl.key.location");
    }
    if (lower == "sasl.jaas.config") {
      const std::string user = jaas_value(value, "username");
      const std::string password = jaas_value(value, "password");
      if (user.empty()) {
        refuse(
            "only a PlainLoginModule or ScramLoginModule with username=\"...\" and "
            "password=\"...\" is understood; or give kafka.sasl.username and "
            "kafka.sasl.password");
      }
      out["sasl.username"] = user;
      out["sasl.password"] = password;
      continue;
    }
    out[lower] = value;  // librdkafka names are lower case
  }
  return out;
}

}  // namespace dls::pipeline::kafka
