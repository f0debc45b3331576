#include "pipeline/target_table.h"

#include <algorithm>
#include <cctype>

#include "dls/core/error.h"
#include "dls/delta/table_scan.h"
#include "dls/delta/transaction.h"
#include "dls/pipeline/table_ownership.h"
#include "dls/sql/quote.h"

namespace dls::pipeline {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

delta::Schema schema_of(sql::Connection& con, const std::string& select_sql,
                        const std::string& table) {
  delta::Schema schema;
  for (const auto& row :
       con.query("DESCRIBE SELECT * FROM (" + select_sql + ") AS __dls_rows").rows()) {
    const std::string name = row.at(0).as_string();
    const std::string type = row.at(1).as_string();
    delta::StructField f;
    f.name = name;
    try {
      if (type == "\"NULL\"" || type == "NULL") {
        f.type = delta::DataType::primitive("string");
      } else if (type == "HUGEINT" || type == "UHUGEINT") {
        f.type = delta::DataType::decimal(38, 0);  // e.g. DuckDB's sum of integers
      } else if (type == "UBIGINT") {
        f.type = delta::DataType::decimal(20, 0);
      } else {
        f.type = delta::DataType::from_duckdb(type);
      }
    } catch (const Error& e) {
      throw InvalidMetadataError("the column '" + name + "' of " + table + " has the type " + type +
                                 ", which a Delta table cannot store (" + e.what() +
                                 "); cast it in select_expr");
    }
    f.nullable = true;
    schema.fields.push_back(std::move(f));
  }
  return schema;
}

}  // namespace

TargetTable::TargetTable(std::filesystem::path root, std::string display_name,
                         const DeltaLiveEntity& entity, std::string owner)
    : root_(std::move(root)),
      name_(std::move(display_name)),
      entity_(entity),
      owner_(std::move(owner)) {}

bool TargetTable::exists() const {
  return delta::DeltaTable::exists(root_.string());
}

delta::CreateOptions TargetTable::create_options() const {
  delta::CreateOptions options;
  options.partition_columns = entity_.partition_cols;
  options.properties = entity_.table_properties;
  for (const auto& [k, v] : entity_.tags) options.properties["dls.tag." + k] = v;
  options.comment = entity_.comment;
  if (!owner_.empty()) options.properties[kOwnerProperty] = owner_;
  return options;
}

std::optional<int64_t> TargetTable::sync_metadata() {
  if (!exists()) return std::nullopt;
  delta::Snapshot snap = delta::DeltaTable::open(root_.string()).snapshot();
  const delta::CreateOptions wanted = create_options();
  delta::Metadata metadata = snap.metadata();
  auto& config = metadata.configuration;
  nlohmann::json set = nlohmann::json::object();
  nlohmann::json unset = nlohmann::json::array();
  for (auto it = config.begin(); it != config.end();) {
    if (it->first.starts_with("dls.tag.") && wanted.properties.count(it->first) == 0) {
      unset.push_back(it->first);
      it = config.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, value] : wanted.properties) {
    auto it = config.find(key);
    if (it != config.end() && it->second == value) continue;
    config[key] = value;
    set[key] = value;
  }
  const bool comment_changed = metadata.description != wanted.comment;
  metadata.description = wanted.comment;
  if (set.empty() && unset.empty() && !comment_changed) return std::nullopt;
  nlohmann::json parameters = nlohmann::json::object();
  if (!set.empty()) parameters["properties"] = set;
  if (!unset.empty()) parameters["removed_properties"] = unset;
  if (comment_changed) parameters["comment"] = wanted.comment.value_or("");
  delta::Transaction tx(snap);
  tx.set_metadata(metadata);
  tx.set_operation(set.empty() && unset.empty() ? "CHANGE COMMENT" : "SET TBLPROPERTIES",
                   parameters);
  return tx.commit().version;
}

int64_t TargetTable::row_count(sql::Connection& con) const {
  if (!exists()) return 0;
  delta::DeltaTable table = delta::DeltaTable::open(root_.string());
  if (auto n = table.describe().num_records) return *n;
  return con
      .query("SELECT count(*) FROM (" + delta::TableScan(table.snapshot()).sql(con) +
             ") AS __dls_rows")
      .rows()
      .at(0)
      .at(0)
      .as_int();
}

std::optional<int64_t> TargetTable::txn_version(const std::string& app_id) const {
  if (!exists()) return std::nullopt;
  return delta::DeltaTable::open(root_.string()).snapshot().transaction_version(app_id);
}

std::optional<int64_t> TargetTable::version() const {
  if (!exists()) return std::nullopt;
  return delta::DeltaTable::open(root_.string()).snapshot().version();
}

void TargetTable::ensure_schema(sql::Connection& con, const std::string& select_sql, bool replace) {
  delta::Schema wanted = schema_of(con, select_sql, name_);
  if (!exists()) {
    for (const auto& p : entity_.partition_cols) {
      if (!wanted.find(p)) {
        throw InvalidMetadataError("entity '" + entity_.entity_id + "': the partition column '" +
                                   p + "' is not a column of " + name_);
      }
    }
    delta::DeltaTable::create(root_.string(), wanted, create_options());
    return;
  }
  delta::DeltaTable table = delta::DeltaTable::open(root_.string());
  delta::Snapshot snap = table.snapshot();
  const delta::Schema& current = snap.schema();
  if (current == wanted) return;
  delta::Schema next = current;
  bool replacing = replace || snap.files().empty();
  if (replacing) {
    bool same_names = current.fields.size() == wanted.fields.size();
    for (size_t i = 0; same_names && i < wanted.fields.size(); ++i) {
      same_names = lower(current.fields[i].name) == lower(wanted.fields[i].name) &&
                   current.fields[i].type == wanted.fields[i].type;
    }
    if (same_names) return;
    next = wanted;
  } else {
    bool added = false;
    for (const auto& f : wanted.fields) {
      if (!current.find(f.name)) {
        next.fields.push_back(f);
        added = true;
      }
    }
    if (!added) return;  // type differences are checked (and widened) by the writer
  }
  delta::Metadata metadata = snap.metadata();
  metadata.schema_string = next.to_json_string();
  if (replacing) {
    std::vector<std::string> partitions;
    for (const auto& p : metadata.partition_columns) {
      if (next.find(p)) partitions.push_back(p);
    }
    metadata.partition_columns = partitions;
  }
  delta::Transaction tx(snap);
  tx.set_metadata(metadata);
  tx.mark_read_data();
  tx.set_operation(replacing ? "REPLACE COLUMNS" : "ADD COLUMNS");
  tx.commit();
}

delta::CommitResult TargetTable::append(sql::Connection& con, const std::string& select_sql,
                                        const delta::WriteOptions& options) {
  return delta::DeltaTable::open(root_.string()).append(con, select_sql, options);
}

delta::CommitResult TargetTable::overwrite(sql::Connection& con, const std::string& select_sql,
                                           const delta::WriteOptions& options) {
  return delta::DeltaTable::open(root_.string()).overwrite(con, select_sql, options);
}

void TargetTable::clear(sql::Connection& con) {
  if (!exists()) return;
  delta::DeltaTable table = delta::DeltaTable::open(root_.string());
  delta::Snapshot snap = table.snapshot();
  if (snap.files().empty()) return;
  std::string select;
  for (const auto& f : snap.schema().fields) {
    select += (select.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + f.type.to_duckdb() +
              ") AS " + sql::quote_identifier(f.name);
  }
  delta::WriteOptions options;
  options.operation = "TRUNCATE";
  table.overwrite(con, "SELECT " + select + " WHERE false", options);
}

}  // namespace dls::pipeline
