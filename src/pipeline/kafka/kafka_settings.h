// Kafka client settings from Databricks-style options: every option named `kafka.<setting>` is a
// client setting (`kafka.bootstrap.servers` → bootstrap.servers), given to librdkafka as is, with
// the Java client's names that librdkafka spells differently translated and the settings Spark
// refuses refused with Spark's reason.
#pragma once

#include <map>
#include <string>

#include "pipeline/kafka/kafka_client.h"

namespace dls::pipeline::kafka {

enum class ClientRole { kSource, kSink };

/// The client settings among `options` (keys compared case-insensitively for the `kafka.` prefix).
/// `what` names the user's object and field in errors ("entity 'e': read option").
/// Translated: sasl.jaas.config with a PlainLoginModule/ScramLoginModule username and password →
/// sasl.username and sasl.password. Refused (InvalidMetadataError): the Java key store settings
/// (ssl.truststore.*, ssl.keystore.*: librdkafka reads PEM files, ssl.ca.location and
/// ssl.certificate.location), and what Spark refuses: auto.offset.reset (use startingOffsets),
/// key/value (de)serializers (records are bytes), enable.auto.commit (offsets are the pipeline's)
/// and interceptor.classes.
ClientSettings client_settings(const std::map<std::string, std::string>& options,
                               const std::string& what, ClientRole role);

}  // namespace dls::pipeline::kafka
