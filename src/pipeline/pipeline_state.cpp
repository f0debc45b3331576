#include "dls/pipeline/pipeline_state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dls/core/error.h"
#include "pipeline/durable_file.h"

namespace dls::pipeline {

PipelineState::PipelineState(std::filesystem::path pipeline_dir) : dir_(std::move(pipeline_dir)) {}

std::filesystem::path PipelineState::checkpoint_dir(const std::string& flow) const {
  return dir_ / "checkpoints" / flow;
}

std::filesystem::path PipelineState::source_state_dir(const std::string& flow) const {
  return checkpoint_dir(flow) / "source";
}

std::filesystem::path PipelineState::cdc_state_dir(const std::string& flow) const {
  return checkpoint_dir(flow) / "cdc_state";
}

std::optional<nlohmann::json> PipelineState::load(const std::string& flow) const {
  std::ifstream in(dir_ / "state" / (flow + ".json"));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;  // damaged: recompute
  return j;
}

void PipelineState::save(const std::string& flow, const nlohmann::json& state) {
  write_file_durably(dir_ / "state" / (flow + ".json"), state.dump() + "\n");
}

void PipelineState::begin_full_refresh(const std::string& flow) {
  write_file_durably(dir_ / "state" / (flow + ".full_refresh"), "{}\n");
}

bool PipelineState::full_refresh_pending(const std::string& flow) const {
  return std::filesystem::exists(dir_ / "state" / (flow + ".full_refresh"));
}

void PipelineState::finish_full_refresh(const std::string& flow) {
  remove_durably(checkpoint_dir(flow));
  remove_durably(dir_ / "state" / (flow + ".json"));
  remove_durably(dir_ / "state" / (flow + ".full_refresh"));
}

PipelineLock::PipelineLock(const std::filesystem::path& pipeline_dir, const std::string& pipeline) {
  std::filesystem::create_directories(pipeline_dir);
  std::filesystem::path path = pipeline_dir / "lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error("cannot open the lock file " + path.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw Error("another update of pipeline '" + pipeline + "' is running (it holds " +
                path.string() + "); wait for it to finish");
  }
}

PipelineLock::~PipelineLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace dls::pipeline
