#include "run_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <utility>

namespace dls::cli {
namespace {

/// "2.5 s" under a minute, "3m 05s" over it: for elapsed times and ETAs in progress lines.
std::string duration(int64_t ms) {
  if (ms < 60'000) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
    return buf;
  }
  const int64_t s = ms / 1000;
  char buf[48];
  if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>((s % 3600) / 60));
  }
  return buf;
}

std::string plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// The terminal's width, 100 when it cannot be asked.
size_t terminal_width() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 100;
}

/// Cuts `s` to `width` columns, counting UTF-8 continuation bytes as no column.
std::string fit(const std::string& s, size_t width) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (++cols == width) return s.substr(0, i) + "…";
  }
  return s;
}

}  // namespace

std::string seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string flow_label(const pipeline::DatasetUpdate& d) {
  if (!d.shared && !d.once) return d.name;
  return d.name + " (" + (d.once ? "once flow " : "flow ") + d.flow_name + ")";
}

std::string finished_line(const pipeline::DatasetUpdate& d) {
  std::string s = flow_label(d) + ": " + pipeline::to_string(d.status);
  if (d.once && d.status == pipeline::DatasetStatus::kUpToDate) s += " (once flow already ran)";
  if (d.status == pipeline::DatasetStatus::kFullRefresh) {
    s += " (" + std::to_string(d.rows_before.value_or(0)) + " rows before, " +
         std::to_string(d.rows_after.value_or(0)) + " after; " + std::to_string(d.num_output_rows) +
         " rows written, " + seconds(d.duration_ms) + ")";
  } else if (d.status == pipeline::DatasetStatus::kCompleted &&
             d.kind != pipeline::DatasetKind::kView) {
    s += " (" + std::to_string(d.num_input_rows) + " rows read";
    if (d.num_batches) {
      s += " in " + std::to_string(d.num_batches) + (d.num_batches == 1 ? " batch" : " batches");
    }
    s += ", " + std::to_string(d.num_output_rows) + " rows written";
    if (d.num_input_files) s += ", " + plural(d.num_input_files, "file", "files") + " read";
    if (d.dropped_records) s += ", " + std::to_string(d.dropped_records) + " dropped";
    if (d.quarantined_rows) s += ", " + std::to_string(d.quarantined_rows) + " quarantined";
    s += ", " + seconds(d.duration_ms) + ")";
  }
  if (d.error) s += ": " + *d.error;
  return s;
}

ProgressDisplay::ProgressDisplay(Context& ctx, size_t total, bool tty,
                                 std::function<Clock::time_point()> now)
    : ctx_(ctx),
      total_(total),
      tty_(tty),
      now_(now ? std::move(now) : [] { return Clock::now(); }) {}

void ProgressDisplay::update(const pipeline::DatasetProgress& p) {
  using Kind = pipeline::DatasetProgress::Kind;
  // --quiet: plain lines only, and only the end of each dataset (issue 14: "plain lines when not
  // a TTY or with --quiet"); nothing redrawn, no RUNNING or batch lines.
  if (ctx_.options().quiet) {
    if (p.kind == Kind::kFinished && p.result) ctx_.err() << finished_line(*p.result) << "\n";
    return;
  }
  if (p.kind == Kind::kFinished) {
    running_.erase(p.name);
    ++done_;
    if (tty_) clear_line();
    if (p.result) ctx_.info(finished_line(*p.result));
    if (tty_) draw();
    return;
  }
  Running& r = running_[p.name];
  r.elapsed_ms = p.elapsed_ms;
  switch (p.kind) {
    case Kind::kStarted:
      r = Running{};
      r.label = p.result ? flow_label(*p.result) : p.name;
      r.last_query_line = now_();
      if (!tty_) ctx_.info(r.label + ": RUNNING");
      break;
    case Kind::kBatchCommitted:
      if (p.result) {
        r.batches = p.result->num_batches;
        r.files = p.result->num_input_files;
        r.rows_read = p.result->num_input_rows;
      }
      r.query_percent.reset();
      r.eta_ms = p.eta_ms;
      if (!tty_) plain_line(r, p);
      break;
    case Kind::kQueryProgress:
      r.query_percent = p.query_percent;
      if (p.eta_ms) r.eta_ms = p.eta_ms;
      if (!tty_) plain_line(r, p);
      break;
    case Kind::kFinished:
      break;
  }
  if (tty_) draw();
}

void ProgressDisplay::plain_line(Running& r, const pipeline::DatasetProgress& p) {
  using Kind = pipeline::DatasetProgress::Kind;
  const Clock::time_point now = now_();
  // A log gets the first committed batch, then a batch line at most once a second, and a long
  // query's progress every 10 s: enough to see a dataset is alive without flooding the log.
  if (p.kind == Kind::kBatchCommitted) {
    if (r.last_batch_line && now - *r.last_batch_line < std::chrono::seconds(1)) return;
    r.last_batch_line = now;
    r.last_query_line = now;
  } else {
    if (now - r.last_query_line < std::chrono::seconds(10)) return;
    r.last_query_line = now;
  }
  std::string s = r.label + ": ";
  if (p.kind == Kind::kBatchCommitted && p.result) {
    const pipeline::DatasetUpdate& d = *p.result;
    s += plural(d.num_batches, "batch", "batches") + " committed (" +
         plural(d.num_input_rows, "row", "rows") + " read";
    if (d.num_input_files) s += " from " + plural(d.num_input_files, "file", "files");
    s += ", " + std::to_string(d.num_output_rows) + " written; " + duration(p.elapsed_ms);
    if (d.backlog_files && *d.backlog_files > 0) {
      s += "; " + plural(*d.backlog_files, "file", "files") + " waiting";
    }
    if (p.eta_ms && *p.eta_ms > 0) s += ", ETA " + duration(*p.eta_ms);
    s += ")";
  } else {
    s += std::to_string(static_cast<int>(std::floor(p.query_percent))) +
         "% of the current query (" + duration(p.elapsed_ms);
    if (p.eta_ms) s += ", ETA " + duration(*p.eta_ms);
    s += ")";
  }
  ctx_.info(s);
}

void ProgressDisplay::finish() {
  if (tty_ && !ctx_.options().quiet) clear_line();
}

void ProgressDisplay::clear_line() {
  ctx_.err() << "\r\033[K" << std::flush;
}

void ProgressDisplay::draw() {
  std::string line = "[" + std::to_string(done_) + "/" + std::to_string(total_) + "] ";
  if (running_.empty()) line += "running: -";
  bool first = true;
  for (const auto& [name, r] : running_) {
    line += first ? "" : " | ";
    first = false;
    line += r.label + ":";
    if (r.batches) line += " " + plural(r.batches, "batch", "batches") + ",";
    if (r.files) line += " " + plural(r.files, "file", "files") + ",";
    if (r.batches) line += " " + plural(r.rows_read, "row", "rows") + ",";
    if (r.query_percent) {
      line += " " + std::to_string(static_cast<int>(std::floor(*r.query_percent))) + "%,";
    }
    line += " " + duration(r.elapsed_ms);
    if (r.eta_ms && *r.eta_ms > 0) line += ", ETA " + duration(*r.eta_ms);
  }
  ctx_.err() << "\r\033[K" << fit(line, terminal_width() - 1) << std::flush;
}

}  // namespace dls::cli
