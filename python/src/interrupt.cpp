// run_interruptible: long C++ work without holding the GIL, yet responsive to Ctrl-C.
//
// Python delivers SIGINT to the main thread as a flag checked by PyErr_CheckSignals(); a thread
// blocked in C++ never checks it. So the work runs on a worker thread while the calling thread
// waits in short slices, checking signals between them with the GIL held. On KeyboardInterrupt the
// work is asked to stop (on_interrupt: cancel the pipeline update, interrupt the DuckDB query) and
// is still waited for, so that no commit is left half done and no C++ object is destroyed while in
// use; then the KeyboardInterrupt is raised.
#include <chrono>
#include <exception>
#include <future>
#include <thread>

#include "bindings.h"

namespace dls::python {

void run_interruptible(const std::function<void()>& work,
                       const std::function<void()>& on_interrupt) {
  std::packaged_task<void()> task(work);
  std::future<void> done = task.get_future();
  std::thread worker(std::move(task));
  bool interrupted = false;
  for (;;) {
    std::future_status status;
    {
      nb::gil_scoped_release release;
      status = done.wait_for(std::chrono::milliseconds(50));
    }
    if (status == std::future_status::ready) break;
    if (!interrupted && PyErr_CheckSignals() != 0) {
      interrupted = true;  // the signal's exception is now set; raise it after the work stops
      if (on_interrupt) on_interrupt();
    }
  }
  worker.join();
  if (interrupted) {
    // Work that finished anyway (or failed because it was interrupted) ends in the interrupt.
    try {
      done.get();
    } catch (...) {
    }
    throw nb::python_error();
  }
  done.get();  // rethrows the work's exception
}

}  // namespace dls::python
