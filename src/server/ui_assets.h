// The web UI's built files (ui/, bundled by esbuild), embedded in the binary at build time
// (cmake/embed_files.cmake generates their definition). Internal to the server layer.
#pragma once

#include <cstddef>
#include <string>

namespace dls::server {

struct UiAsset {
  const char* path;          // "/index.html", "/assets/app.js"
  const char* content_type;  // "text/html; charset=utf-8", ...
  const char* data;
  size_t size;
};

/// The asset served at `path`, or nullptr.
const UiAsset* find_ui_asset(const std::string& path);

}  // namespace dls::server
