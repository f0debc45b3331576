// The `dls` command. Everything lives in app.h and the command groups of command_groups.cpp.
#include <iostream>

#include "app.h"

int main(int argc, char** argv) {
  dls::cli::App app;
  return app.run(argc, argv, std::cout, std::cerr);
}
