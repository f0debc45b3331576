#include <algorithm>
#include <cstdint>
#include <map>
#include <string_view>

#include "delta/duckdb_actions.h"
#include "dls/core/error.h"
#include "dls/delta/delta_error.h"
#include "dls/sql/quote.h"

namespace dls::delta {

using nlohmann::json;

namespace {

/// The field names and types of a DuckDB STRUCT type as DESCRIBE prints it:
/// STRUCT(path VARCHAR, "offset" INTEGER, deletionVector STRUCT(...), ...).
std::map<std::string, std::string> struct_fields(std::string_view type) {
  std::map<std::string, std::string> out;
  if (type.rfind("STRUCT(", 0) != 0 || type.back() != ')') return out;
  std::string_view body = type.substr(7, type.size() - 8);
  size_t pos = 0;
  while (pos < body.size()) {
    while (pos < body.size() && body[pos] == ' ') ++pos;
    std::string name;
    if (pos < body.size() && body[pos] == '"') {
      for (++pos; pos < body.size(); ++pos) {
        if (body[pos] == '"') {
          if (pos + 1 < body.size() && body[pos + 1] == '"') {
            name += '"';
            ++pos;
            continue;
          }
          ++pos;
          break;
        }
        name += body[pos];
      }
    } else {
      while (pos < body.size() && body[pos] != ' ') name += body[pos++];
    }
    ++pos;  // the space before the type
    size_t begin = pos;
    int depth = 0;
    for (; pos < body.size(); ++pos) {
      if (body[pos] == '(') ++depth;
      if (body[pos] == ')') --depth;
      if (body[pos] == ',' && depth == 0) break;
    }
    out[name] = std::string(body.substr(begin, pos - begin));
    ++pos;  // the comma
  }
  return out;
}

std::string quote_list(const std::vector<std::string>& files) {
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i) list += ", ";
    list += sql::quote_literal(files[i]);
  }
  return list + "]";
}

/// The columns of the add struct read directly (by position in the query).
enum AddColumn {
  kPath,
  kSize,
  kModificationTime,
  kDataChange,
  kStats,
  kStatsParsed,
  kPartitionValues,
  kTags,
  kDvStorageType,
  kDvPath,
  kDvOffset,
  kDvSize,
  kDvCardinality,
  kBaseRowId,
  kDefaultRowCommitVersion,
  kClusteringProvider,
  kAddColumns
};

[[noreturn]] void bad_add(const std::string& where, const std::string& what) {
  throw CorruptTableError("checkpoint " + where + " has an invalid add action: " + what);
}

/// A JSON object of strings (or nulls) as a map: partitionValues and tags arrive as DuckDB MAPs
/// rendered with to_json (small; most tables have none).
PartitionValues string_map_of(const std::string& text, const std::string& where,
                              const char* field) {
  PartitionValues out;
  json j = json::parse(text);
  if (!j.is_object()) bad_add(where, std::string(field) + " is not a map");
  for (auto& [k, v] : j.items()) {
    if (v.is_null())
      out[k] = std::nullopt;
    else if (v.is_string())
      out[k] = v.get<std::string>();
    else
      bad_add(where, std::string(field) + " value of '" + k + "' is not a string");
  }
  return out;
}

AddFile add_of_row(const sql::DataChunk& chunk, size_t row, size_t base, const std::string& where) {
  auto null = [&](int c) { return chunk.is_null(base + c, row); };
  auto str = [&](int c) { return chunk.get_string(base + c, row); };
  auto num = [&](int c) { return chunk.get_int(base + c, row); };
  AddFile a;
  a.path = str(kPath);
  if (!null(kSize)) {
    a.size = num(kSize);
    if (a.size < 0) bad_add(where, "negative size for " + a.path);
  }
  if (!null(kModificationTime)) a.modification_time = num(kModificationTime);
  if (!null(kDataChange)) a.data_change = chunk.value(base + kDataChange, row).as_bool();
  if (!null(kStats)) {
    a.stats = str(kStats);
  } else if (!null(kStatsParsed)) {
    // delta-rs/Spark may write only the struct form of the stats.
    json parsed = json::parse(str(kStatsParsed));
    if (!parsed.is_null()) a.stats = parsed.dump();
  }
  if (!null(kPartitionValues))
    a.partition_values = string_map_of(str(kPartitionValues), where, "partitionValues");
  if (!null(kTags)) {
    std::map<std::string, std::string> tags;
    for (auto& [k, v] : string_map_of(str(kTags), where, "tags")) {
      if (v) tags[k] = *v;
    }
    a.tags = std::move(tags);
  }
  if (!null(kDvStorageType)) {
    DeletionVectorDescriptor dv;
    dv.storage_type = str(kDvStorageType);
    if (null(kDvPath) || null(kDvSize) || null(kDvCardinality))
      bad_add(where, "incomplete deletionVector for " + a.path);
    dv.path_or_inline_dv = str(kDvPath);
    if (!null(kDvOffset)) {
      int64_t off = num(kDvOffset);
      if (off < 0 || off > INT32_MAX) bad_add(where, "deletionVector offset out of range");
      dv.offset = static_cast<int32_t>(off);
    }
    int64_t size = num(kDvSize);
    if (size < 0 || size > INT32_MAX) bad_add(where, "deletionVector sizeInBytes out of range");
    dv.size_in_bytes = static_cast<int32_t>(size);
    dv.cardinality = num(kDvCardinality);
    if (dv.cardinality < 0) bad_add(where, "negative deletionVector cardinality");
    a.deletion_vector = std::move(dv);
  }
  if (!null(kBaseRowId)) a.base_row_id = num(kBaseRowId);
  if (!null(kDefaultRowCommitVersion)) a.default_row_commit_version = num(kDefaultRowCommitVersion);
  if (!null(kClusteringProvider)) a.clustering_provider = str(kClusteringProvider);
  return a;
}

}  // namespace

// The add column — one row per active file, nearly all of a large checkpoint — is read field by
// field into AddFile (only its maps, partitionValues and tags, pass through to_json); the few rows
// of the other actions are converted with to_json and the commit codec.
std::vector<Action> duckdb_read_parquet_actions(sql::Connection& con,
                                                const std::vector<std::string>& files,
                                                const std::vector<std::string>& columns) {
  std::vector<Action> out;
  const std::string source = "read_parquet(" + quote_list(files) + ", union_by_name = true)";
  const std::string where = files.size() == 1 ? files[0] : files[0] + " (and other parts)";
  try {
    std::map<std::string, std::string> top;
    for (auto& row : con.query("DESCRIBE SELECT * FROM " + source).rows())
      top[row.at(0).as_string()] = row.at(1).as_string();

    std::string select;
    size_t add_base = 0;
    auto wanted = [&](const std::string& name) {
      return top.count(name) > 0 &&
             std::find(columns.begin(), columns.end(), name) != columns.end();
    };
    const bool has_add = wanted("add");
    if (has_add) {
      const auto fields = struct_fields(top["add"]);
      const auto dv = fields.count("deletionVector") ? struct_fields(fields.at("deletionVector"))
                                                     : std::map<std::string, std::string>{};
      auto field = [&](const std::string& name, const std::string& expr = std::string()) {
        return fields.count(name) ? (expr.empty() ? "add." + sql::quote_identifier(name) : expr)
                                  : std::string("NULL");
      };
      auto dv_field = [&](const std::string& name) {
        return dv.count(name) ? "add.deletionVector." + sql::quote_identifier(name)
                              : std::string("NULL");
      };
      std::vector<std::string> cols(kAddColumns);
      cols[kPath] = field("path");
      cols[kSize] = field("size");
      cols[kModificationTime] = field("modificationTime");
      cols[kDataChange] = field("dataChange");
      cols[kStats] = field("stats");
      cols[kStatsParsed] = field("stats_parsed", "to_json(add.stats_parsed)::VARCHAR");
      // Most tables are unpartitioned: an empty map reads as NULL, without a JSON document.
      cols[kPartitionValues] = field("partitionValues",
                                     "CASE WHEN cardinality(add.partitionValues) > 0 THEN "
                                     "to_json(add.partitionValues)::VARCHAR END");
      cols[kTags] = field("tags", "to_json(add.tags)::VARCHAR");
      cols[kDvStorageType] = dv_field("storageType");
      cols[kDvPath] = dv_field("pathOrInlineDv");
      cols[kDvOffset] = dv_field("offset");
      cols[kDvSize] = dv_field("sizeInBytes");
      cols[kDvCardinality] = dv_field("cardinality");
      cols[kBaseRowId] = field("baseRowId");
      cols[kDefaultRowCommitVersion] = field("defaultRowCommitVersion");
      cols[kClusteringProvider] = field("clusteringProvider");
      if (cols[kPath] == "NULL")
        throw CorruptTableError("checkpoint " + where + ": the add column has no path field");
      for (const auto& c : cols) select += (select.empty() ? "" : ", ") + c;
    }
    // The other actions: the columns asked for that exist in these files.
    std::vector<std::string> others;
    for (const auto& name : columns) {
      if (name != "add" && wanted(name)) others.push_back(name);
    }
    for (const auto& name : others)
      select += (select.empty() ? "" : ", ") + std::string("to_json(") +
                sql::quote_identifier(name) + ")::VARCHAR";
    if (select.empty()) return out;
    sql::Result result = con.query("SELECT " + select + " FROM " + source);
    const size_t others_base = has_add ? static_cast<size_t>(kAddColumns) : 0;
    while (auto chunk = result.next_chunk()) {
      for (size_t row = 0; row < chunk->size(); ++row) {
        if (has_add && !chunk->is_null(add_base + kPath, row)) {
          out.push_back(add_of_row(*chunk, row, add_base, where));
        }
        for (size_t i = 0; i < others.size(); ++i) {
          const size_t col = others_base + i;
          if (chunk->is_null(col, row)) continue;
          json body = json::parse(chunk->get_string(col, row));
          if (body.is_null()) continue;
          // A writer may store a struct of nulls instead of a null struct for the other rows.
          if (others[i] == "remove" && (!body.contains("path") || body["path"].is_null())) continue;
          json line = json::object();
          line[others[i]] = std::move(body);
          out.push_back(action_from_json(line));
        }
      }
    }
  } catch (const CorruptTableError&) {
    throw;
  } catch (const json::exception& e) {
    throw CorruptTableError("checkpoint " + where + " is unreadable: " + e.what());
  } catch (const Error& e) {
    throw CorruptTableError("checkpoint " + where + " is unreadable: " + e.what());
  }
  return out;
}

}  // namespace dls::delta
