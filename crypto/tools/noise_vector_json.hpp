#pragma once
// Reads the JSON form of the Noise test vectors (noise-c / cacophony format) into
// swarmshare::crypto::NoiseVector. Header-only and shared by the noise-vectors tool and the
// crypto unit tests, so that the library itself needs no JSON parser.

#include "swarmshare/core/hash.hpp"
#include "swarmshare/crypto/noise.hpp"
#include "swarmshare/crypto/noise_vectors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace swarmshare::crypto::vector_json {

/// Decodes hex (either case); nullopt on odd length or a non-hex digit.
inline std::optional<Bytes> decode_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return std::nullopt;
  }
  Bytes bytes(hex.size() / 2);
  if (!core::from_hex(hex, bytes)) {
    return std::nullopt;
  }
  return bytes;
}

/// The vector's protocol name ("protocol_name" in noise-c files, "name" in cacophony ones).
inline std::string vector_name(const nlohmann::json& vector) {
  for (const char* key : {"protocol_name", "name"}) {
    if (const auto it = vector.find(key); it != vector.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return {};
}

/// Whether this build can run the vector: exactly our protocol, no pre-shared keys.
inline bool is_supported(const nlohmann::json& vector) {
  return vector_name(vector) == kNoiseProtocolName && !vector.contains("init_psks") &&
         !vector.contains("resp_psks");
}

namespace detail {

inline Bytes hex_field(const nlohmann::json& object, const char* key, bool required) {
  const auto it = object.find(key);
  if (it == object.end()) {
    if (required) {
      throw std::runtime_error(std::string("missing field \"") + key + "\"");
    }
    return {};
  }
  if (!it->is_string()) {
    throw std::runtime_error(std::string("field \"") + key + "\" is not a string");
  }
  auto bytes = decode_hex(it->get<std::string>());
  if (!bytes) {
    throw std::runtime_error(std::string("field \"") + key + "\" is not hex");
  }
  return *bytes;
}

template <class Array>
Array fixed_field(const nlohmann::json& object, const char* key) {
  const Bytes bytes = hex_field(object, key, true);
  Array out{};
  if (bytes.size() != out.size()) {
    throw std::runtime_error(std::string("field \"") + key + "\" has " +
                             std::to_string(bytes.size()) + " bytes, expected " +
                             std::to_string(out.size()));
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

} // namespace detail

/// Converts one supported vector; throws std::runtime_error (or a nlohmann::json exception)
/// naming the offending field when the vector is malformed.
inline NoiseVector to_noise_vector(const nlohmann::json& vector) {
  NoiseVector out;
  out.name = vector_name(vector);
  out.init_prologue = detail::hex_field(vector, "init_prologue", false);
  out.resp_prologue = detail::hex_field(vector, "resp_prologue", false);
  out.init_static = detail::fixed_field<Key32>(vector, "init_static");
  out.init_ephemeral = detail::fixed_field<Key32>(vector, "init_ephemeral");
  out.resp_static = detail::fixed_field<Key32>(vector, "resp_static");
  out.resp_ephemeral = detail::fixed_field<Key32>(vector, "resp_ephemeral");
  if (vector.contains("handshake_hash")) {
    out.handshake_hash = detail::fixed_field<Hash64>(vector, "handshake_hash");
  }
  for (const auto& message : vector.at("messages")) {
    out.messages.push_back({detail::hex_field(message, "payload", true),
                            detail::hex_field(message, "ciphertext", true)});
  }
  return out;
}

} // namespace swarmshare::crypto::vector_json
