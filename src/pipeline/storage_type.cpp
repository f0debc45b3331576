#include "pipeline/storage_type.h"

#include "dls/sql/quote.h"

namespace dls::pipeline {

using K = sql::spark::SparkType::Kind;

std::string storage_duckdb_type(const sql::spark::SparkType& type) {
  switch (type.kind) {
    case K::kTimestamp:
      return "TIMESTAMP WITH TIME ZONE";
    case K::kArray:
      return storage_duckdb_type(type.element()) + "[]";
    case K::kMap:
      return "MAP(" + storage_duckdb_type(type.children.at(0)) + ", " +
             storage_duckdb_type(type.children.at(1)) + ")";
    case K::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < type.fields.size(); ++i) {
        if (i) out += ", ";
        out += sql::quote_identifier(type.fields[i].name) + " " +
               storage_duckdb_type(type.fields[i].type);
      }
      return out + ")";
    }
    default:
      return type.duckdb_name();
  }
}

std::string inferred_storage_type(const std::string& duckdb_type) {
  if (duckdb_type == "TIMESTAMP") return "TIMESTAMP WITH TIME ZONE";
  return duckdb_type;
}

}  // namespace dls::pipeline
