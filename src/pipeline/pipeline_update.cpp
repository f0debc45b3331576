#include "dls/pipeline/pipeline_update.h"

namespace dls::pipeline {

std::string to_string(DatasetStatus status) {
  switch (status) {
    case DatasetStatus::kCompleted:
      return "COMPLETED";
    case DatasetStatus::kUpToDate:
      return "UP_TO_DATE";
    case DatasetStatus::kFailed:
      return "FAILED";
    case DatasetStatus::kSkipped:
      return "SKIPPED";
    case DatasetStatus::kFullRefresh:
      return "FULL_REFRESH";
  }
  return "?";
}

int64_t DatasetUpdate::failed_expectation_records() const {
  int64_t n = 0;
  for (const auto& m : expectations) n += m.failed_records;
  return n;
}

bool PipelineUpdate::ok() const {
  return exit_code() == ExitCode::kOk;
}

ExitCode PipelineUpdate::exit_code() const {
  if (cancelled) return ExitCode::kCancelled;
  bool failed = false;
  for (const auto& d : datasets) {
    if (d.status == DatasetStatus::kFailed) {
      if (d.error_code == ExitCode::kDataQuality) return ExitCode::kDataQuality;
      failed = true;
    }
    if (d.status == DatasetStatus::kSkipped) failed = true;
  }
  return failed ? ExitCode::kFailure : ExitCode::kOk;
}

std::string PipelineUpdate::failure_summary() const {
  std::string out;
  for (const auto& d : datasets) {
    if (d.status != DatasetStatus::kFailed && d.status != DatasetStatus::kSkipped) continue;
    out += (out.empty() ? "" : "\n") + d.name + ": " + to_string(d.status) + ": " +
           d.error.value_or("");
  }
  return out;
}

const DatasetUpdate* PipelineUpdate::find(const std::string& qualified_name) const {
  for (const auto& d : datasets) {
    if (d.name == qualified_name) return &d;
  }
  return nullptr;
}

}  // namespace dls::pipeline
