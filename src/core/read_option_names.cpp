#include "dls/core/read_option_names.h"

#include <algorithm>

namespace dls {
namespace {

void append(std::vector<std::string_view>& out, const std::vector<std::string_view>& more) {
  for (auto name : more) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
}

}  // namespace

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string_view> file_format_read_options(std::string_view format) {
  std::vector<std::string_view> names = {"pathGlobFilter", "recursiveFileLookup",
                                         "rescuedDataColumn", "mode"};
  if (format == "csv") {
    names.insert(names.end(),
                 {"header", "sep", "delimiter", "quote", "escape", "nullValue", "comment",
                  "encoding", "charset", "skipRows", "multiLine", "inferSchema"});
  } else if (format == "json") {
    names.insert(names.end(), {"multiLine", "inferSchema", "encoding"});
  } else if (format == "text") {
    names.insert(names.end(), {"wholetext"});
  }
  return names;
}

std::vector<std::string_view> cloud_files_read_options(std::string_view format) {
  std::vector<std::string_view> names = {"cloudFiles.format",
                                         "cloudFiles.inferColumnTypes",
                                         "cloudFiles.schemaHints",
                                         "cloudFiles.schemaEvolutionMode",
                                         "cloudFiles.maxFilesPerTrigger",
                                         "cloudFiles.maxBytesPerTrigger",
                                         "cloudFiles.includeExistingFiles",
                                         "cloudFiles.schemaLocation",
                                         "cloudFiles.rescuedDataColumn",
                                         "cloudFiles.allowOverwrites",
                                         "cloudFiles.useNotifications",
                                         "cloudFiles.validateOptions"};
  append(names, file_format_read_options(format));
  return names;
}

std::vector<std::string_view> delta_read_options() {
  return {"skipChangeCommits", "startingVersion", "versionAsOf",
          "ignoreChanges",     "ignoreDeletes",   "readChangeFeed"};
}

std::vector<std::string_view> kafka_read_options() {
  return {"subscribe",
          "subscribePattern",
          "assign",
          "startingOffsets",
          "endingOffsets",
          "maxOffsetsPerTrigger",
          "failOnDataLoss",
          "includeHeaders",
          "kafkaConsumer.pollTimeoutMs",
          "groupIdPrefix",
          "fetchOffset.numRetries",
          "fetchOffset.retryIntervalMs",
          "minOffsetsPerTrigger",
          "maxTriggerDelay",
          "startingTimestamp",
          "startingOffsetsByTimestamp",
          "endingTimestamp",
          "endingOffsetsByTimestamp"};
}

std::optional<std::string> refused_kafka_setting(std::string_view setting, bool sink) {
  const std::string lower = lower_ascii(setting);
  if (lower == "auto.offset.reset") {
    return sink ? "it is a consumer setting"
                : "set the read option startingOffsets (earliest, latest or JSON offsets) instead";
  }
  if (lower == "key.deserializer" || lower == "value.deserializer" || lower == "key.serializer" ||
      lower == "value.serializer") {
    return "keys and values are bytes; decode them in select_expr (CAST(value AS STRING), "
           "from_json(...)) or encode them before the sink";
  }
  if (lower == "enable.auto.commit") {
    return "the pipeline keeps the offsets (offsets log and the Delta commit), not Kafka";
  }
  if (lower == "interceptor.classes") return "Java interceptors do not apply to librdkafka";
  if (lower.starts_with("ssl.truststore.") || lower.starts_with("ssl.keystore.")) {
    return "Java key stores are not read by librdkafka; give PEM files with "
           "kafka.ssl.ca.location, kafka.ssl.certificate.location and kafka.ssl.key.location";
  }
  return std::nullopt;
}

std::optional<std::vector<std::string_view>> supported_read_options(
    std::string_view source_format, std::optional<std::string_view> cloud_files_format) {
  const auto readable = [](std::string_view format) {
    return std::find(std::begin(kReadableFileFormats), std::end(kReadableFileFormats), format) !=
           std::end(kReadableFileFormats);
  };
  if (source_format == "cloudFiles") {
    if (!cloud_files_format) {
      std::vector<std::string_view> all = cloud_files_read_options("");
      for (auto format : kReadableFileFormats) append(all, file_format_read_options(format));
      return all;
    }
    const std::string format = lower_ascii(*cloud_files_format);
    if (!readable(format)) return std::nullopt;
    return cloud_files_read_options(format);
  }
  if (readable(source_format)) return file_format_read_options(source_format);
  if (source_format == "delta" || source_format == "dlt") return delta_read_options();
  if (source_format == "kafka") return kafka_read_options();
  return std::nullopt;
}

}  // namespace dls
