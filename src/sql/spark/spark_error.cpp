#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {

std::string describe_position(const std::string& what, std::string_view input, size_t position) {
  std::string out = what + " at position " + std::to_string(position);
  if (input.find('\n') == std::string_view::npos && input.size() <= 200) {
    out += ":\n  ";
    out += input;
    out += "\n  ";
    out += std::string(std::min(position, input.size()), ' ');
    out += '^';
  }
  return out;
}

}  // namespace dls::sql::spark
