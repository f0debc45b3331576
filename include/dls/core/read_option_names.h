// The read_options each source understands (DESIGN §7; docs/sources.md lists their meaning).
//
// One list, shared by the two places that must agree on it: validation (core/validation.h), so
// that `dls load` refuses an option the local engine would refuse, and the pipeline's sources,
// which parse the options when `dls run` reads the data. An option missing here is refused by both;
// an option added here must be honoured (or explicitly ignored) by the source.
//
// Names are spelt as Spark spells them; callers compare them case-insensitively (Spark's
// DataFrameReader options are case-insensitive). Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dls {

/// The file formats the local engine reads (batch source_format or cloudFiles.format).
inline constexpr std::string_view kReadableFileFormats[] = {"csv", "json", "parquet", "text",
                                                            "avro"};

/// Every cloudFiles.format value Auto Loader knows (the local engine reads kReadableFileFormats).
inline constexpr std::string_view kCloudFilesFormats[] = {"csv",  "json", "parquet",    "text",
                                                          "avro", "orc",  "binaryFile", "xml"};

/// Options of a batch file read of `format` (csv, json, parquet, text, avro): the generic file
/// options plus the format's own.
std::vector<std::string_view> file_format_read_options(std::string_view format);

/// Options of a cloudFiles source whose cloudFiles.format is `format`: the cloudFiles.* options
/// plus file_format_read_options(format).
std::vector<std::string_view> cloud_files_read_options(std::string_view format);

/// Options of a delta source (a table by path or name) and of a dlt source reading a table.
std::vector<std::string_view> delta_read_options();

/// Options of a kafka source besides the client settings, which are every option named
/// `kafka.<setting>` (passed to librdkafka; see docs/sources.md).
std::vector<std::string_view> kafka_read_options();

/// Why the Kafka client setting `setting` (an option's name after `kafka.`, any case) is refused,
/// or nullopt when it is passed to librdkafka: Java key stores (librdkafka reads PEM files),
/// and what Spark refuses — auto.offset.reset (startingOffsets), key/value (de)serializers,
/// enable.auto.commit, interceptor.classes. `sink`: the setting is a sink's.
std::optional<std::string> refused_kafka_setting(std::string_view setting, bool sink);

/// The options an entity with `source_format` (and, for cloudFiles, `cloud_files_format` as given
/// in its read_options, any case; nullopt when missing) may give, or nullopt when dls does not
/// check them because the local engine does not read that source (orc, cloudFiles of orc, xml or
/// binaryFile: Databricks checks them). For kafka, options named kafka.* are client settings and
/// are not in the list. A cloudFiles source without cloudFiles.format may
/// give the options of any readable format.
std::optional<std::vector<std::string_view>> supported_read_options(
    std::string_view source_format, std::optional<std::string_view> cloud_files_format);

/// `s` in lower case (ASCII), as option names are compared.
std::string lower_ascii(std::string_view s);

}  // namespace dls
