// Small pieces shared by DeltaTable's writes (delta_table.cpp, row_level_write.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "delta/data_writer.h"
#include "dls/delta/action.h"
#include "dls/delta/transaction.h"

namespace dls::delta {

/// The remove action of an active file (carrying its deletion vector, so that it removes exactly
/// that logical file), with extended file metadata.
RemoveFile remove_of(const AddFile& add, int64_t timestamp);

/// Commits `tx`, deleting the written files when the commit certainly did not happen (a conflict,
/// an unsupported feature, or a skipped txn).
CommitResult commit_or_discard(Transaction& tx, const DataWriter& writer,
                               const WrittenFiles& files);

/// The absolute path of a data file of the table, from its (URI-encoded) path in the log.
std::string absolute_path(const std::string& root, const std::string& log_path);

}  // namespace dls::delta
