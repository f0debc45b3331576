#include "pipeline/sources/delta_source.h"

#include <filesystem>
#include <memory>

#include "dls/core/error.h"
#include "dls/core/read_option_names.h"
#include "dls/delta/snapshot.h"
#include "dls/delta/storage.h"
#include "dls/delta/table_scan.h"
#include "pipeline/sources/read_options.h"

namespace dls::pipeline::sources {

namespace {

int64_t parse_version(const ReadOptions& options, std::string_view key) {
  const std::string v = *options.get(key);
  try {
    size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used == v.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  options.fail(key, "expected a table version (an integer >= 0), got '" + v + "'");
}

/// The data-changing actions of one commit.
struct CommitChanges {
  std::vector<delta::AddFile> adds;     // dataChange adds
  std::vector<delta::AddFile> removes;  // dataChange removes, as the files they were
  std::vector<delta::AddFile> cdc;      // change data files
  std::string operation;
  std::optional<int64_t> timestamp_ms;
};

CommitChanges read_commit(const delta::Storage& storage, const std::string& file) {
  CommitChanges out;
  for (const auto& action : delta::parse_commit(storage.read(file), file)) {
    if (const auto* r = std::get_if<delta::RemoveFile>(&action); r && r->data_change) {
      delta::AddFile f;
      f.path = r->path;
      if (r->partition_values) f.partition_values = *r->partition_values;
      f.size = r->size.value_or(0);
      f.deletion_vector = r->deletion_vector;
      out.removes.push_back(std::move(f));
    } else if (const auto* a = std::get_if<delta::AddFile>(&action); a && a->data_change) {
      out.adds.push_back(*a);
    } else if (const auto* c = std::get_if<delta::CommitInfo>(&action)) {
      out.operation = c->operation().value_or("");
      if (c->fields.contains("timestamp") && c->fields["timestamp"].is_number_integer())
        out.timestamp_ms = c->fields["timestamp"].get<int64_t>();
    } else if (const auto* o = std::get_if<delta::OtherAction>(&action); o && o->kind == "cdc") {
      delta::AddFile f;
      f.path = o->body.value("path", "");
      f.size = o->body.value("size", int64_t{0});
      if (o->body.contains("partitionValues") && o->body["partitionValues"].is_object()) {
        for (const auto& [k, v] : o->body["partitionValues"].items())
          f.partition_values[k] =
              v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
      }
      out.cdc.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

DeltaSource::DeltaSource(const DeltaLiveEntity& entity, const SourceContext& context,
                         std::string kind)
    : entity_(entity), kind_(std::move(kind)) {
  ReadOptions options(entity, kind_, delta_read_options());  // core/read_option_names.h
  skip_change_commits_ = options.get_bool("skipChangeCommits", false) ||
                         options.get_bool("ignoreChanges", false) ||
                         options.get_bool("ignoreDeletes", false);
  if (auto v = options.get("startingVersion"); v && to_lower(*v) != "latest") {
    starting_version_ = parse_version(options, "startingVersion");
  }
  if (options.has("versionAsOf")) version_as_of_ = parse_version(options, "versionAsOf");
  read_change_feed_ = options.get_bool("readChangeFeed", false);
  if (!context.resolve_table) {
    throw Error("internal: no table resolver for the " + kind_ + " source of entity '" +
                entity.entity_id + "'");
  }
  root_ = context.resolve_table(entity.source).string();
}

std::string DeltaSource::where() const {
  return "entity '" + entity_.entity_id + "': " + kind_ + " source " + entity_.source + " (" +
         root_ + ")";
}

DeltaSource::Appends DeltaSource::appended_files(int64_t from, int64_t to) const {
  auto storage = delta::local_storage();
  Appends out;
  for (int64_t v = from; v <= to; ++v) {
    CommitChanges c = read_commit(*storage, commit_file(*storage, v));
    if (!c.removes.empty()) {
      if (skip_change_commits_) continue;
      throw Error(where() + ": version " + std::to_string(v) + " changes existing rows" +
                  (c.operation.empty() ? "" : " (operation " + c.operation + ")") +
                  "; a streaming read accepts only appends. Set the read option "
                  "skipChangeCommits=true to ignore such commits, make the reader a "
                  "materialized view (is_streaming=false), or run a full refresh of " +
                  entity_.destination);
    }
    for (auto& a : c.adds) {
      out.bytes += a.size;
      out.files.push_back(std::move(a));
    }
  }
  return out;
}

std::optional<nlohmann::json> DeltaSource::plan(const nlohmann::json& committed) {
  delta::Snapshot latest = [&] {
    try {
      return delta::Snapshot::load(delta::local_storage(), root_);
    } catch (const NotFoundError& e) {
      throw NotFoundError(where() + ": " + e.what());
    }
  }();
  const int64_t end = latest.version();
  nlohmann::json out = {{"source", kind_}, {"table", root_}, {"end_version", end}};
  if (committed.is_null() && !starting_version_) {
    if (latest.files().empty()) return std::nullopt;  // nothing yet: start when rows exist
    out["initial_snapshot"] = true;
    out["start_version"] = end;
    return out;
  }
  const int64_t start =
      committed.is_null() ? *starting_version_ : committed.at("end_version").get<int64_t>() + 1;
  if (start > end) return std::nullopt;
  if (read_change_feed_ ? !has_data_changes(start, end) : appended_files(start, end).files.empty())
    return std::nullopt;
  out["initial_snapshot"] = false;
  out["start_version"] = start;
  return out;
}

SourceBatch DeltaSource::batch(sql::Connection& con, const nlohmann::json& planned) {
  const int64_t end = planned.at("end_version").get<int64_t>();
  delta::Snapshot snapshot = delta::Snapshot::load(delta::local_storage(), root_, {end, {}});
  SourceBatch out;
  out.offsets = planned;
  if (planned.value("initial_snapshot", false)) {
    for (const auto& f : snapshot.files()) out.input_bytes += f.size;
    out.input_files = static_cast<int64_t>(snapshot.files().size());
    out.sql = delta::TableScan(snapshot).sql(con);
    if (read_change_feed_) {
      // The starting snapshot's rows are inserts at its version (as Spark's initial CDF batch).
      out.sql = "SELECT *, 'insert' AS _change_type, " + std::to_string(end) +
                "::BIGINT AS _commit_version, to_timestamp(" +
                std::to_string(snapshot.timestamp_ms()) + " / 1000.0) AS _commit_timestamp FROM (" +
                out.sql + ") AS __dls_cdf";
    }
    return out;
  }
  const int64_t start = planned.at("start_version").get<int64_t>();
  if (read_change_feed_) {
    out.sql = change_feed_sql(con, snapshot, start, end);
    return out;
  }
  Appends appends = appended_files(start, end);
  out.input_files = static_cast<int64_t>(appends.files.size());
  out.input_bytes = appends.bytes;
  out.sql = delta::TableScan(snapshot.with_files(appends.files)).sql(con);
  return out;
}

std::string DeltaSource::commit_file(const delta::Storage& storage, int64_t version) const {
  const std::string file = delta::log_dir(root_) + "/" + delta::commit_file_name(version);
  if (!storage.exists(file)) {
    throw Error(where() + ": commit " + std::to_string(version) +
                " is no longer in the log (log retention); run a full refresh of " +
                entity_.destination);
  }
  return file;
}

bool DeltaSource::has_data_changes(int64_t from, int64_t to) const {
  auto storage = delta::local_storage();
  for (int64_t v = from; v <= to; ++v) {
    const std::string file = commit_file(*storage, v);
    CommitChanges c = read_commit(*storage, file);
    if (!c.adds.empty() || !c.removes.empty() || !c.cdc.empty()) return true;
  }
  return false;
}

std::string DeltaSource::change_feed_sql(sql::Connection& con, const delta::Snapshot& snapshot,
                                         int64_t from, int64_t to) const {
  auto storage = delta::local_storage();
  delta::Schema with_type = snapshot.schema();
  with_type.fields.push_back({"_change_type", delta::DataType::primitive("string")});
  std::string out;
  auto add_part = [&](const std::string& scan, const std::string& change_type, int64_t version,
                      int64_t timestamp_ms) {
    if (!out.empty()) out += " UNION ALL BY NAME ";
    out += "SELECT *" + (change_type.empty() ? "" : ", '" + change_type + "' AS _change_type") +
           ", " + std::to_string(version) + "::BIGINT AS _commit_version, to_timestamp(" +
           std::to_string(timestamp_ms) + " / 1000.0) AS _commit_timestamp FROM (" + scan + ")";
  };
  for (int64_t v = from; v <= to; ++v) {
    const std::string file = commit_file(*storage, v);
    CommitChanges c = read_commit(*storage, file);
    const int64_t ts = c.timestamp_ms.value_or(storage->stat(file).modification_time_ms);
    if (!c.cdc.empty()) {
      add_part(delta::TableScan(snapshot.with_files(c.cdc, &with_type)).sql(con), "", v, ts);
      continue;
    }
    if (!c.adds.empty())
      add_part(delta::TableScan(snapshot.with_files(c.adds)).sql(con), "insert", v, ts);
    if (!c.removes.empty())
      add_part(delta::TableScan(snapshot.with_files(c.removes)).sql(con), "delete", v, ts);
  }
  if (out.empty()) {
    out =
        "SELECT *, NULL::VARCHAR AS _change_type, NULL::BIGINT AS _commit_version, "
        "NULL::TIMESTAMPTZ AS _commit_timestamp FROM (" +
        delta::TableScan(snapshot.with_files({})).sql(con) + ") WHERE false";
  }
  return out;
}

std::string DeltaSource::fingerprint() {
  auto snapshot =
      delta::Snapshot::load(delta::local_storage(), root_, {version_as_of_, std::nullopt});
  return kind_ + ":" + root_ + "@" + std::to_string(snapshot.version());
}

std::string DeltaSource::full_sql(sql::Connection& con) {
  try {
    auto snapshot =
        delta::Snapshot::load(delta::local_storage(), root_, {version_as_of_, std::nullopt});
    if (read_change_feed_) {
      if (!starting_version_) {
        throw InvalidMetadataError(where() +
                                   ": a batch read of the change data feed (readChangeFeed) "
                                   "needs the read option startingVersion");
      }
      return change_feed_sql(con, snapshot, *starting_version_, snapshot.version());
    }
    return delta::TableScan(snapshot).sql(con);
  } catch (const NotFoundError& e) {
    throw NotFoundError(where() + ": " + e.what());
  }
}

std::string DeltaSource::describe() const {
  return kind_ + " table " + entity_.source + " (" + root_ + ")" +
         (skip_change_commits_ ? "; skipChangeCommits" : "") +
         (read_change_feed_ ? "; readChangeFeed" : "");
}

}  // namespace dls::pipeline::sources
