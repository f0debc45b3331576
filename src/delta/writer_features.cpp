#include "delta/writer_features.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/delta/schema.h"

namespace dls::delta {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool has_ntz(const DataType& t) {
  if (t.kind == "timestamp_ntz") return true;
  for (const auto& f : t.fields) {
    if (has_ntz(f.type)) return true;
  }
  if (t.element && has_ntz(*t.element)) return true;
  if (t.key && has_ntz(*t.key)) return true;
  return t.value && has_ntz(*t.value);
}

/// The first column-metadata key (at any depth) that asks writers to compute or check values.
std::string enforced_column_metadata(const std::vector<StructField>& fields) {
  for (const auto& f : fields) {
    for (const auto& [key, value] : f.metadata.items()) {
      if (key == "delta.invariants" || key == "delta.generationExpression" ||
          key.rfind("delta.identity.", 0) == 0 || key == "CURRENT_DEFAULT") {
        return "column '" + f.name + "' has " + key;
      }
    }
    std::string nested = enforced_column_metadata(f.type.fields);
    if (!nested.empty()) return nested;
  }
  return "";
}

/// The value (lower case) of a table property; `key` is lower case. Delta property keys are
/// case-insensitive (Spark accepts delta.enableChangeDataFeed and delta.enablechangedatafeed).
std::string property(const Metadata& m, const std::string& key) {
  for (const auto& [k, v] : m.configuration) {
    if (lower(k) == key) return lower(v);
  }
  return "";
}

}  // namespace

void check_writable(const Protocol& protocol, const Metadata& metadata,
                    const std::string& table_root, bool removes_rows) {
  auto refuse = [&](const std::string& why) {
    throw UnsupportedFeatureError("cannot write to the Delta table at " + table_root + ": " + why +
                                  "; dls does not implement that writer requirement yet");
  };
  if (protocol.min_writer_version > 7) {
    refuse("it requires writer version " + std::to_string(protocol.min_writer_version));
  }
  // Features whose requirements we meet by not using them (checked below) or by construction.
  static const std::set<std::string> kWritable = {
      "appendOnly",       "invariants",      "checkConstraints",   "changeDataFeed",
      "generatedColumns", "identityColumns", "columnMapping",      "timestampNtz",
      "domainMetadata",   "deletionVectors", "vacuumProtocolCheck"};
  if (protocol.min_writer_version == 7 && protocol.writer_features) {
    for (const auto& f : *protocol.writer_features) {
      if (!kWritable.count(f)) refuse("it uses the writer feature '" + f + "'");
    }
  }
  for (const auto& [key, value] : metadata.configuration) {
    if (key.rfind("delta.constraints.", 0) == 0) refuse("it has the CHECK constraint " + key);
  }
  // delta.enableChangeDataFeed: appends need no change data (readers take inserts from the adds),
  // overwrites none either (readers take the removed and added files); row-level changes write
  // _change_data files (DeltaTable::replace_rows) and delete_where refuses such tables itself.
  std::string mode = property(metadata, "delta.columnmapping.mode");
  if (!mode.empty() && mode != "none") refuse("it uses column mapping mode '" + mode + "'");
  if (property(metadata, "delta.enablerowtracking") == "true") refuse("it has row tracking");
  if (property(metadata, "delta.enableincommittimestamps") == "true") {
    refuse("it has in-commit timestamps");
  }
  std::string enforced =
      enforced_column_metadata(Schema::from_json_string(metadata.schema_string).fields);
  if (!enforced.empty()) refuse(enforced);
  if (removes_rows && property(metadata, "delta.appendonly") == "true") {
    throw UnsupportedFeatureError("cannot delete or overwrite rows of the Delta table at " +
                                  table_root +
                                  ": it is append-only (delta.appendOnly=true); unset the "
                                  "property to allow deletes");
  }
}

void check_vacuumable(const Protocol& protocol, const std::string& table_root) {
  // Vacuum keeps the active files, the files of unexpired tombstones, their deletion vector files
  // and everything under hidden paths (_delta_log with its checkpoints and sidecars,
  // _change_data). These features add no other kind of file to the table, so that is enough.
  static const std::set<std::string> kVacuumable = {
      "appendOnly",           "invariants",          "checkConstraints",    "changeDataFeed",
      "generatedColumns",     "identityColumns",     "columnMapping",       "timestampNtz",
      "domainMetadata",       "deletionVectors",     "vacuumProtocolCheck", "v2Checkpoint",
      "rowTracking",          "inCommitTimestamp",   "clustering",          "typeWidening",
      "typeWidening-preview", "allowColumnDefaults", "checkpointProtection"};
  std::vector<std::string> unknown;
  if (protocol.writer_features) {
    for (const auto& f : *protocol.writer_features)
      if (!kVacuumable.count(f)) unknown.push_back(f);
  }
  if (protocol.min_writer_version > 7 || !unknown.empty()) {
    std::string what;
    if (protocol.min_writer_version > 7)
      what = "writer version " + std::to_string(protocol.min_writer_version);
    for (const auto& f : unknown) what += (what.empty() ? "the writer feature '" : ", '") + f + "'";
    throw UnsupportedFeatureError(
        "cannot vacuum the Delta table at " + table_root + ": it uses " + what +
        ", which dls does not know; a feature may keep files that vacuum would take for "
        "unreferenced, so nothing was deleted");
  }
}

Protocol protocol_for_new_table(const Metadata& metadata) {
  Protocol p;
  Schema schema = Schema::from_json_string(metadata.schema_string);
  bool ntz = false;
  for (const auto& f : schema.fields) ntz = ntz || has_ntz(f.type);
  const bool dv = property(metadata, "delta.enabledeletionvectors") == "true";
  if (ntz || dv) {
    // Table features (reader 3 / writer 7); every reader feature is also a writer feature.
    p.min_reader_version = 3;
    p.min_writer_version = 7;
    p.reader_features = std::vector<std::string>{};
    p.writer_features = std::vector<std::string>{};
    if (ntz) {
      p.reader_features->push_back("timestampNtz");
      p.writer_features->push_back("timestampNtz");
    }
    if (dv) {
      p.reader_features->push_back("deletionVectors");
      p.writer_features->push_back("deletionVectors");
    }
    if (property(metadata, "delta.appendonly") == "true")
      p.writer_features->push_back("appendOnly");
    if (property(metadata, "delta.enablechangedatafeed") == "true")
      p.writer_features->push_back("changeDataFeed");
  } else if (property(metadata, "delta.enablechangedatafeed") == "true") {
    p.min_writer_version = 4;  // writer 4 implies changeDataFeed
  }
  return p;
}

std::optional<Protocol> protocol_upgrade(const Protocol& current, const Metadata& metadata) {
  Schema schema = Schema::from_json_string(metadata.schema_string);
  bool ntz = false;
  for (const auto& f : schema.fields) ntz = ntz || has_ntz(f.type);
  auto has = [](const std::optional<std::vector<std::string>>& features, const std::string& f) {
    return features && std::find(features->begin(), features->end(), f) != features->end();
  };
  if (!ntz || (has(current.reader_features, "timestampNtz") &&
               has(current.writer_features, "timestampNtz"))) {
    return std::nullopt;
  }
  Protocol next = current;
  // Reader version 2 implies columnMapping; writer versions 2..6 imply these features, in order.
  std::vector<std::string> readers;
  if (current.min_reader_version >= 3 && current.reader_features) {
    readers = *current.reader_features;
  } else if (current.min_reader_version == 2) {
    readers = {"columnMapping"};
  }
  std::vector<std::string> writers;
  if (current.min_writer_version >= 7 && current.writer_features) {
    writers = *current.writer_features;
  } else {
    static const std::vector<std::pair<int, std::string>> kImplied = {
        {2, "appendOnly"},     {2, "invariants"},       {3, "checkConstraints"},
        {4, "changeDataFeed"}, {4, "generatedColumns"}, {5, "columnMapping"},
        {6, "identityColumns"}};
    for (const auto& [version, feature] : kImplied) {
      if (current.min_writer_version >= version) writers.push_back(feature);
    }
  }
  auto add = [](std::vector<std::string>& list, const std::string& f) {
    if (std::find(list.begin(), list.end(), f) == list.end()) list.push_back(f);
  };
  add(readers, "timestampNtz");
  add(writers, "timestampNtz");
  for (const auto& r : readers) add(writers, r);  // every reader feature is a writer feature too
  next.min_reader_version = 3;
  next.min_writer_version = 7;
  next.reader_features = readers;
  next.writer_features = writers;
  return next;
}

int64_t int_property(const Metadata& metadata, const std::string& key, int64_t fallback) {
  auto it = metadata.configuration.find(key);
  if (it == metadata.configuration.end()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw InvalidMetadataError("table property " + key + "='" + it->second +
                             "' must be a positive integer");
}

int64_t interval_property_ms(const Metadata& metadata, const std::string& key,
                             int64_t fallback_ms) {
  auto it = metadata.configuration.find(key);
  if (it == metadata.configuration.end()) return fallback_ms;
  std::istringstream in(lower(it->second));
  std::string word;
  in >> word;
  if (word != "interval") in.seekg(0);
  double amount = 0;
  std::string unit;
  if (in >> amount >> unit && amount >= 0) {
    if (!unit.empty() && unit.back() == 's') unit.pop_back();
    static const std::map<std::string, double> kMs = {{"millisecond", 1.0}, {"second", 1000.0},
                                                      {"minute", 60000.0},  {"hour", 3600000.0},
                                                      {"day", 86400000.0},  {"week", 604800000.0}};
    if (auto u = kMs.find(unit); u != kMs.end()) {
      std::string rest;
      if (!(in >> rest)) return static_cast<int64_t>(amount * u->second);
    }
  }
  throw InvalidMetadataError("table property " + key + "='" + it->second +
                             "' is not an interval such as 'interval 7 days'");
}

}  // namespace dls::delta
