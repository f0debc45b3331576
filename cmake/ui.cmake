# The web UI (ui/): not built yet; the server embeds an empty asset list.
add_custom_command(
  OUTPUT "${DLS_GENERATED_DIR}/ui_assets.cpp"
  COMMAND "${CMAKE_COMMAND}" -DMODE=ui "-DINPUT=${CMAKE_BINARY_DIR}/ui-dist-none"
          "-DOUTPUT=${DLS_GENERATED_DIR}/ui_assets.cpp"
          -P "${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake"
  DEPENDS "${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake"
  COMMENT "Embedding the web UI")
