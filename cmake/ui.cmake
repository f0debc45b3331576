# The web UI (ui/, TypeScript): type-checked (strict) and bundled by esbuild into <build>/ui-dist,
# then embedded in the server layer as byte arrays (embed_files.cmake). Needs node and ui's npm
# dependencies, which `make setup` installs (npm ci in ui/, pinned by ui/package-lock.json).
find_program(NODE_EXECUTABLE node)
if(NOT NODE_EXECUTABLE)
  message(FATAL_ERROR "node is required to build the web UI (ui/): run `make setup`")
endif()
set(DLS_UI_DIR "${CMAKE_SOURCE_DIR}/ui")
if(NOT EXISTS "${DLS_UI_DIR}/node_modules/esbuild/package.json" OR
   NOT EXISTS "${DLS_UI_DIR}/node_modules/typescript/package.json")
  message(FATAL_ERROR "the web UI's npm packages are missing in ${DLS_UI_DIR}/node_modules: "
                      "run `make setup` (npm ci --prefix ui)")
endif()
file(GLOB DLS_UI_SOURCES CONFIGURE_DEPENDS "${DLS_UI_DIR}/src/*.ts" "${DLS_UI_DIR}/static/*")
set(DLS_UI_DIST "${CMAKE_BINARY_DIR}/ui-dist")
add_custom_command(
  OUTPUT "${DLS_GENERATED_DIR}/ui_assets.cpp"
  COMMAND "${CMAKE_COMMAND}" -E rm -rf "${DLS_UI_DIST}"
  COMMAND "${NODE_EXECUTABLE}" "${DLS_UI_DIR}/node_modules/typescript/bin/tsc" --noEmit
          -p "${DLS_UI_DIR}/tsconfig.json"
  COMMAND "${NODE_EXECUTABLE}" "${DLS_UI_DIR}/build.mjs" "${DLS_UI_DIST}"
  COMMAND "${CMAKE_COMMAND}" -DMODE=ui "-DINPUT=${DLS_UI_DIST}"
          "-DOUTPUT=${DLS_GENERATED_DIR}/ui_assets.cpp"
          -P "${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake"
  DEPENDS ${DLS_UI_SOURCES} "${DLS_UI_DIR}/build.mjs" "${DLS_UI_DIR}/tsconfig.json"
          "${DLS_UI_DIR}/package-lock.json" "${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake"
  WORKING_DIRECTORY "${DLS_UI_DIR}"
  COMMENT "Building the web UI (ui/) and embedding it")
