// SIGINT/SIGTERM as a request to cancel the running update, for `dls run`.
//
// While a CancelOnSignal lives, the first SIGINT or SIGTERM only sets a flag that the pipeline
// runner polls (PipelineOptions::cancelled): datasets not yet started are skipped, running ones
// are stopped without committing their current batch, the event log ends the update CANCELED,
// and `dls run` exits 130. The handler resets itself (SA_RESETHAND), so a second signal ends the
// process at once — commits are atomic, so even that loses nothing committed. The previous
// handlers come back when it is destroyed.
#pragma once

#include <csignal>

namespace dls::cli {

class CancelOnSignal {
 public:
  CancelOnSignal();
  ~CancelOnSignal();
  CancelOnSignal(const CancelOnSignal&) = delete;
  CancelOnSignal& operator=(const CancelOnSignal&) = delete;

  /// True once SIGINT or SIGTERM arrived (async-signal-safe to set, cheap to poll).
  static bool requested();

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace dls::cli
