#include "dls/loaders/spark_text_check.h"

#include "dls/core/validation.h"
#include "dls/sql/spark/text_check.h"

namespace dls {

void install_spark_text_check() {
  set_spark_text_checker(&sql::spark::check_metadata_text);
}

}  // namespace dls
