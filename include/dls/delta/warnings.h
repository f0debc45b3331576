// Warnings of the delta layer: events that do not fail an operation but that a user should see,
// such as a checkpoint that could not be written after a successful commit.
//
// The handler is process-wide. The default writes "dls: warning: MESSAGE" to stderr, so every
// front end (CLI, pipelines, Python) shows them without wiring; a front end may install its own.
// Thread-safe: the handler is called under a lock, one message at a time.
#pragma once

#include <functional>
#include <string_view>

namespace dls::delta {

using WarningHandler = std::function<void(std::string_view message)>;

/// Replaces the process-wide handler (an empty function restores the default); returns the old.
WarningHandler set_warning_handler(WarningHandler handler);

/// Reports `message` to the current handler. Never throws.
void warn(std::string_view message);

}  // namespace dls::delta
