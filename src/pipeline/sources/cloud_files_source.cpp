#include "pipeline/sources/cloud_files_source.h"

#include <algorithm>
#include <set>

#include "dls/core/content_hash.h"
#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "dls/sql/connection.h"
#include "pipeline/sources/file_read_sql.h"
#include "pipeline/sources/metadata_column.h"
#include "pipeline/sources/schema_inference.h"

namespace dls::pipeline::sources {

namespace {

// One list with `dls load`'s validation (core/read_option_names.h).
std::vector<std::string_view> cloud_files_options(const std::string& format) {
  return cloud_files_read_options(format);
}

std::string format_of(const DeltaLiveEntity& entity) {
  for (const auto& [k, v] : entity.read_options) {
    if (to_lower(k) == "cloudfiles.format") return to_lower(v);
  }
  throw InvalidMetadataError("entity '" + entity.entity_id +
                             "': a cloudFiles source needs the read option cloudFiles.format "
                             "(csv, json, parquet, text or avro)");
}

int64_t parse_bytes(const ReadOptions& options, std::string_view key) {
  const std::string v = to_lower(*options.get(key));
  size_t used = 0;
  double n = 0;
  try {
    n = std::stod(v, &used);
  } catch (const std::exception&) {
    options.fail(key, "expected a byte size such as 10g, 512m or 1048576");
  }
  std::string unit = v.substr(used);
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  const double mult = unit.empty()  ? 1
                      : unit == "k" ? 1024.0
                      : unit == "m" ? 1048576.0
                      : unit == "g" ? 1073741824.0
                      : unit == "t" ? 1099511627776.0
                                    : -1;
  if (mult < 0 || n <= 0) options.fail(key, "expected a byte size such as 10g, 512m or 1048576");
  return static_cast<int64_t>(n * mult);
}

}  // namespace

CloudFilesSource::CloudFilesSource(const DeltaLiveEntity& entity, const SourceContext& context)
    : entity_(entity), context_(context) {
  const std::string fmt = format_of(entity);
  if (fmt == "orc" || fmt == "binaryfile" || fmt == "xml") {
    throw Error("entity '" + entity.entity_id + "': cloudFiles.format " + fmt +
                " is not supported by the local engine (supported: csv, json, parquet, text, "
                "avro)");
  }
  if (!is_file_format(fmt)) {
    throw InvalidMetadataError("entity '" + entity.entity_id + "': cloudFiles.format '" + fmt +
                               "' is not a file format (csv, json, parquet, text, avro)");
  }
  ReadOptions options(entity, "cloudFiles (" + fmt + ")", cloud_files_options(fmt));
  format_ = parse_file_format(fmt, options, false);
  listing_.recursive = true;
  listing_.path_glob_filter = options.get_or("pathGlobFilter", "");
  max_files_ = options.get_positive_int("cloudFiles.maxFilesPerTrigger", 1000);
  if (options.has("cloudFiles.maxBytesPerTrigger")) {
    max_bytes_ = parse_bytes(options, "cloudFiles.maxBytesPerTrigger");
  }
  if (!options.get_bool("cloudFiles.includeExistingFiles", true)) {
    options.fail("cloudFiles.includeExistingFiles",
                 "false is not supported by the local engine (every existing file is ingested)");
  }
  if (options.get_bool("cloudFiles.allowOverwrites", false)) {
    options.fail("cloudFiles.allowOverwrites",
                 "true is not supported by the local engine (a file is ingested once, by path)");
  }
  if (options.get_bool("cloudFiles.useNotifications", false)) {
    options.fail("cloudFiles.useNotifications",
                 "true is not supported by the local engine (directory listing only)");
  }
  options.get_bool("cloudFiles.validateOptions", true);
  if (entity.source_schema && !entity.source_schema->empty()) {
    given_schema_ =
        schema_from_ddl(*entity.source_schema, "entity '" + entity.entity_id + "': source_schema");
  }
  if (auto hints = options.get("cloudFiles.schemaHints")) {
    hints_ = schema_from_ddl(
        *hints, "entity '" + entity.entity_id + "': read option cloudFiles.schemaHints");
  }
  const bool inferred = !given_schema_ && format_.format != "text";
  evolution_mode_ = options.get_choice("cloudFiles.schemaEvolutionMode",
                                       {"addNewColumns", "rescue", "failOnNewColumns", "none"},
                                       inferred ? "addNewColumns" : "none");
  if (given_schema_ && evolution_mode_ == "addNewColumns") {
    options.fail("cloudFiles.schemaEvolutionMode",
                 "addNewColumns is not allowed when a schema is given (source_schema); use "
                 "rescue, failOnNewColumns or none, or remove source_schema and use "
                 "cloudFiles.schemaHints");
  }
  auto rescue = options.get("cloudFiles.rescuedDataColumn");
  if (!rescue) rescue = options.get("rescuedDataColumn");
  if (rescue) {
    rescue_column_ = *rescue;
  } else if ((inferred && evolution_mode_ != "none") || evolution_mode_ == "rescue") {
    rescue_column_ = "_rescued_data";
  }
  metadata_ = reads_metadata_column(entity);
}

CloudFilesSource::~CloudFilesSource() = default;

std::vector<InputFile> CloudFilesSource::list() const {
  return list_input_files(entity_.source, listing_);
}

SourceSchema CloudFilesSource::infer(const std::vector<InputFile>& files) {
  if (!infer_db_)
    infer_db_ =
        std::make_unique<sql::Database>("", std::map<std::string, std::string>{{"threads", "1"}});
  auto con = infer_db_->connect();
  try {
    return infer_file_schema(con, format_, files);
  } catch (const Error& e) {
    throw Error("entity '" + entity_.entity_id + "': cannot infer the schema of " + format_.format +
                " files in " + entity_.source + ": " + e.what());
  }
}

std::optional<nlohmann::json> CloudFilesSource::plan(const nlohmann::json& committed) {
  std::set<std::string> seen;
  if (committed.is_object() && committed.contains("seen")) {
    for (const auto& p : committed.at("seen")) seen.insert(p.get<std::string>());
  }
  std::vector<InputFile> fresh;
  for (auto& f : list()) {
    if (!seen.count(f.path)) fresh.push_back(std::move(f));
  }
  if (fresh.empty()) {
    backlog_ = Backlog{};
    return std::nullopt;
  }
  std::sort(fresh.begin(), fresh.end(), [](const InputFile& a, const InputFile& b) {
    return a.mtime_us != b.mtime_us ? a.mtime_us < b.mtime_us : a.path < b.path;
  });
  std::vector<InputFile> files;
  int64_t bytes = 0;
  for (const auto& f : fresh) {
    if (static_cast<int64_t>(files.size()) >= max_files_) break;
    if (max_bytes_ && !files.empty() && bytes + f.size > *max_bytes_) break;
    files.push_back(f);
    bytes += f.size;
  }
  backlog_ = Backlog{static_cast<int64_t>(fresh.size() - files.size()), 0};
  for (size_t i = files.size(); i < fresh.size(); ++i) backlog_->bytes += fresh[i].size;

  // The schema of this batch.
  int64_t version = -1;  // -1: no persisted schema version (source_schema)
  SourceSchema base;
  bool have_base = false;
  if (committed.is_object() && committed.contains("schema")) {
    base = schema_from_json(committed.at("schema"));
    if (committed.contains("schema_version") && !committed.at("schema_version").is_null()) {
      version = committed.at("schema_version").get<int64_t>();
    }
    have_base = true;
  }
  if (!given_schema_) {
    // plan() runs only when every logged batch is committed, so a persisted version newer than
    // the committed batch's (any version, when none was committed) is the schema of a batch that
    // failed and was taken out of the offsets log: it no longer describes anything, and this
    // plan may need its number for another schema (the files that brought it may be gone).
    SchemaStore(context_.state_dir).remove_after(have_base ? version : -1);
  }
  SourceSchema schema;
  if (given_schema_) {
    schema = *given_schema_;
    version = -1;
    if (evolution_mode_ == "failOnNewColumns") {
      SourceSchema seen_cols = infer(files);
      std::vector<std::string> added;
      for (const auto& c : seen_cols) {
        if (!find_column(schema, c.name)) added.push_back(c.name);
      }
      if (!added.empty()) {
        std::string cols;
        for (const auto& a : added) cols += (cols.empty() ? "" : ", ") + a;
        throw Error("entity '" + entity_.entity_id + "': the input files have columns [" + cols +
                    "] that source_schema lacks and cloudFiles.schemaEvolutionMode is "
                    "failOnNewColumns; remove the files or add the columns to source_schema");
      }
    }
  } else if (format_.format == "text") {
    schema = {{"value", "VARCHAR"}};
    version = 0;
  } else if (!have_base) {
    schema = apply_schema_hints(infer(files), hints_);
    version = 0;
  } else {
    schema = base;
    if (evolution_mode_ == "addNewColumns" || evolution_mode_ == "failOnNewColumns") {
      SourceSchema inferred = apply_schema_hints(infer(files), hints_);
      std::vector<std::string> unexpected;  // failOnNewColumns: new columns nobody gave
      bool evolved = false;
      for (const auto& c : inferred) {
        if (find_column(schema, c.name)) continue;
        // failOnNewColumns still takes the columns given in cloudFiles.schemaHints: adding the
        // hint is how a user accepts a new column without reprocessing (docs/sources.md).
        if (evolution_mode_ == "addNewColumns" || find_column(hints_, c.name)) {
          schema.push_back(c);
          evolved = true;
        } else {
          unexpected.push_back(c.name);
        }
      }
      if (!unexpected.empty()) {
        std::string cols, names;
        for (const auto& a : unexpected) cols += (cols.empty() ? "" : ", ") + a;
        for (const auto& f : files) names += (names.empty() ? "" : ", ") + f.path;
        throw Error("entity '" + entity_.entity_id + "': new columns [" + cols +
                    "] in the input files (" + names +
                    ") and cloudFiles.schemaEvolutionMode is failOnNewColumns; remove the files, "
                    "give the columns in cloudFiles.schemaHints, or change the mode");
      }
      if (evolved) ++version;
    }
  }
  nlohmann::json out = {{"source", "cloudFiles"}, {"format", format_.format}};
  nlohmann::json batch_files = nlohmann::json::array();
  for (const auto& f : files) {
    batch_files.push_back(to_json(f));
    seen.insert(f.path);
  }
  out["files"] = batch_files;
  out["seen"] = nlohmann::json(std::vector<std::string>(seen.begin(), seen.end()));
  out["schema_version"] = version >= 0 ? nlohmann::json(version) : nlohmann::json();
  out["schema"] = schema_to_json(schema);
  return out;
}

SourceBatch CloudFilesSource::batch(sql::Connection& con, const nlohmann::json& planned) {
  ReadSpec spec;
  spec.format = format_;
  for (const auto& f : planned.at("files")) spec.files.push_back(input_file_from_json(f));
  spec.schema = schema_from_json(planned.at("schema"));
  spec.rescue_column = rescue_column_;
  spec.metadata_column = metadata_;
  if (!given_schema_ && planned.contains("schema_version") &&
      !planned.at("schema_version").is_null()) {
    SchemaStore(context_.state_dir)
        .persist(planned.at("schema_version").get<int64_t>(), spec.schema);
  }
  SourceBatch out;
  out.offsets = planned;
  for (const auto& f : spec.files) out.input_bytes += f.size;
  out.input_files = static_cast<int64_t>(spec.files.size());
  try {
    out.sql = build_read_sql(con, spec);
  } catch (const Error& e) {
    throw Error("entity '" + entity_.entity_id + "': cannot read the " + format_.format +
                " files of this batch: " + e.what());
  }
  return out;
}

std::string CloudFilesSource::fingerprint() {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : list()) files.push_back(to_json(f));
  return sha256_hex(
      nlohmann::json{{"files", files}, {"read_options", entity_.read_options}}.dump());
}

std::string CloudFilesSource::full_sql(sql::Connection& con) {
  ReadSpec spec;
  spec.format = format_;
  spec.files = list();
  spec.rescue_column = rescue_column_;
  spec.metadata_column = metadata_;
  if (given_schema_) {
    spec.schema = *given_schema_;
  } else if (auto latest = SchemaStore(context_.state_dir).latest()) {
    spec.schema = latest->schema;
  } else {
    spec.schema = apply_schema_hints(infer_file_schema(con, format_, spec.files), hints_);
  }
  return build_read_sql(con, spec);
}

std::string CloudFilesSource::describe() const {
  std::string out = "cloudFiles (" + format_.format + ") at " + entity_.source +
                    "; schemaEvolutionMode " + evolution_mode_;
  if (rescue_column_) out += "; adds " + *rescue_column_ + " STRING";
  if (metadata_) out += "; hidden _metadata struct";
  return out;
}

std::vector<std::string> CloudFilesSource::hidden_columns() const {
  if (metadata_) return {kMetadataColumn};
  return {};
}

}  // namespace dls::pipeline::sources
