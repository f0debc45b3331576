#include <iostream>

int main() {
  std::cout << "dls " << DLS_VERSION << "\n";
  return 0;
}
