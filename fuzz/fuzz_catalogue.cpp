// Fuzzes the LAN catalogue's decoders (transfer/catalogue.hpp) as a peer server and a
// dialler run them: the input is the plaintext of one secure-channel record from a peer.
//
// Must never crash. Also checked: a refusal of a page is one of the decoder's own codes;
// whatever decodes re-encodes (the encoder accepts everything the decoder does) to bytes
// that decode to an equal value (nothing is lost).
//
// Seeds: fuzz/seeds/catalogue/ (a request, and a page of two entries).

#include "swarmshare/transfer/catalogue.hpp"
#include "swarmshare/transfer/error.hpp"

#include <cstdlib>

namespace {

using namespace swarmshare::transfer;

void check_request(std::span<const std::uint8_t> input) {
  const auto request = decode_catalogue_request(input);
  if (!request) {
    return;
  }
  const auto again = encode(*request);
  if (!again || decode_catalogue_request(again.value()) != request) {
    std::abort();
  }
}

void check_page(std::span<const std::uint8_t> input) {
  const auto page = decode_catalogue_page(input);
  if (!page) {
    if (page.error() != Errc::message_malformed && page.error() != Errc::limit_exceeded) {
      std::abort();
    }
    return;
  }
  const auto again = encode(page.value());
  if (!again) {
    std::abort(); // accepted something we would refuse to send
  }
  const auto round_trip = decode_catalogue_page(again.value());
  if (!round_trip || round_trip.value() != page.value()) {
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  check_request(input);
  check_page(input);
  return 0;
}
