#include "swarmshare/core/framing.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace swarmshare::core {
namespace {

constexpr MessageType kGreeting{7};
constexpr MessageType kOther{8};

std::vector<std::uint8_t> frame_with_text(MessageType type, const std::string& text) {
  return encode_frame(type, [&](msgpack::packer<msgpack::sbuffer>& packer) { packer.pack(text); })
      .value();
}

std::string text_of(const Message& message) { return message.body().as<std::string>(); }

std::vector<std::uint8_t> header_for(std::uint32_t length) {
  return {static_cast<std::uint8_t>(length >> 24U), static_cast<std::uint8_t>(length >> 16U),
          static_cast<std::uint8_t>(length >> 8U), static_cast<std::uint8_t>(length)};
}

// Frames a raw body (whatever bytes) with a correct length prefix.
std::vector<std::uint8_t> raw_frame(const std::vector<std::uint8_t>& body) {
  auto frame = header_for(static_cast<std::uint32_t>(body.size()));
  frame.insert(frame.end(), body.begin(), body.end());
  return frame;
}

TEST(Framing, encodesLengthPrefixThenVersionTypeAndBody) {
  const auto frame = frame_with_text(kGreeting, "hi");
  // length 6; [1, 7, "hi"] = 93 01 07 a2 68 69
  const std::vector<std::uint8_t> expected = {0, 0, 0, 6, 0x93, 0x01, 0x07, 0xA2, 'h', 'i'};
  EXPECT_EQ(frame, expected);
}

TEST(FrameDecoder, decodesSeveralMessagesFedAtOnce) {
  auto stream = frame_with_text(kGreeting, "one");
  const auto second = frame_with_text(kOther, "two");
  stream.insert(stream.end(), second.begin(), second.end());
  FrameDecoder decoder;
  std::vector<std::string> texts;
  std::vector<MessageType> types;
  ASSERT_TRUE(decoder.feed(stream, [&](Message&& m) {
    texts.push_back(text_of(m));
    types.push_back(m.type);
    EXPECT_EQ(m.version, kWireVersion);
  }));
  EXPECT_EQ(texts, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(types, (std::vector<MessageType>{kGreeting, kOther}));
  EXPECT_TRUE(decoder.finish());
  EXPECT_EQ(decoder.buffered_bytes(), 0U);
}

TEST(FrameDecoder, decodesTheSameUnderOneByteFragmentation) {
  std::vector<std::uint8_t> stream;
  std::vector<std::string> sent;
  for (int i = 0; i < 20; ++i) {
    sent.emplace_back(static_cast<std::size_t>(i * 37), static_cast<char>('a' + i));
    const auto frame = frame_with_text(kGreeting, sent.back());
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  FrameDecoder decoder;
  std::vector<std::string> received;
  for (const std::uint8_t byte : stream) {
    ASSERT_TRUE(
        decoder.feed(std::span{&byte, 1}, [&](Message&& m) { received.push_back(text_of(m)); }));
  }
  EXPECT_EQ(received, sent);
  EXPECT_TRUE(decoder.finish());
}

TEST(FrameDecoder, rejectsOversizedLengthBeforeAllocating) {
  FrameLimits limits;
  limits.max_frame_bytes = 1024;
  FrameDecoder decoder(limits);
  const auto header = header_for(0xFFFFFFFFU);
  auto status = decoder.feed(header, [](Message&&) { ADD_FAILURE(); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::frame_too_large);
  EXPECT_LE(decoder.buffered_bytes(), kFrameHeaderBytes);
}

TEST(FrameDecoder, holdsOnlyWhatArrivedForAFrameAnnouncedLarge) {
  FrameDecoder decoder;
  auto bytes = header_for(kDefaultMaxFrameBytes);
  bytes.push_back(0x93);
  ASSERT_TRUE(decoder.feed(bytes, [](Message&&) { ADD_FAILURE(); }));
  EXPECT_EQ(decoder.buffered_bytes(), kFrameHeaderBytes + 1);
}

TEST(FrameDecoder, acceptsAFrameOfExactlyTheCap) {
  FrameLimits limits;
  limits.max_frame_bytes = 100;
  // [1, 7, str] with a str that makes the body exactly 100 bytes: 3 + 2 (str8 header) + 95
  const auto frame = frame_with_text(kGreeting, std::string(95, 'x'));
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + 100);
  FrameDecoder decoder(limits);
  int count = 0;
  ASSERT_TRUE(decoder.feed(frame, [&](Message&&) { ++count; }));
  EXPECT_EQ(count, 1);
}

TEST(FrameEncoder, refusesToEncodeAFrameOverTheCap) {
  auto frame = encode_frame(
      kGreeting, [](msgpack::packer<msgpack::sbuffer>& p) { p.pack(std::string(200, 'x')); }, 100);
  ASSERT_FALSE(frame);
  EXPECT_EQ(frame.error(), Errc::frame_too_large);
}

TEST(FrameDecoder, reportsAStreamThatEndsInsideAFrameAsTruncated) {
  const auto frame = frame_with_text(kGreeting, "truncated");
  for (std::size_t cut = 1; cut < frame.size(); ++cut) {
    FrameDecoder decoder;
    ASSERT_TRUE(decoder.feed(std::span{frame.data(), cut}, [](Message&&) { ADD_FAILURE(); }));
    auto end = decoder.finish();
    ASSERT_FALSE(end) << cut;
    EXPECT_EQ(end.error(), Errc::frame_truncated);
  }
}

TEST(FrameDecoder, rejectsZeroLengthFrames) {
  FrameDecoder decoder;
  auto status = decoder.feed(header_for(0), [](Message&&) { ADD_FAILURE(); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::frame_malformed);
}

TEST(FrameDecoder, rejectsBodiesThatAreNotAnEnvelope) {
  const std::vector<std::vector<std::uint8_t>> bodies = {
      {0xC1},                               // never-used msgpack byte
      {0x92, 0x01, 0x07},                   // two fields
      {0x93, 0x01, 0x00, 0xC0},             // type 0
      {0x93, 0x01, 0xCE, 0, 1, 0, 0, 0xC0}, // type over 16 bits
      {0x93, 0xA1, 'v', 0x07, 0xC0},        // version is a string
      {0x93, 0x01, 0x07, 0xC0, 0xC0},       // trailing byte
      {0x93, 0x01, 0x07},                   // body missing
      {0xDD, 0xFF, 0xFF, 0xFF, 0xFF},       // array of 4 billion elements
  };
  for (const auto& body : bodies) {
    FrameDecoder decoder;
    auto status = decoder.feed(raw_frame(body), [](Message&&) { ADD_FAILURE(); });
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error(), Errc::frame_malformed);
  }
}

TEST(FrameDecoder, rejectsNestingDeeperThanTheLimit) {
  std::vector<std::uint8_t> body = {0x93, 0x01, 0x07};
  for (int i = 0; i < 100; ++i) {
    body.push_back(0x91); // array of one element, nested 100 deep
  }
  body.push_back(0xC0);
  FrameDecoder decoder;
  auto status = decoder.feed(raw_frame(body), [](Message&&) { ADD_FAILURE(); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::frame_malformed);
}

TEST(FrameDecoder, staysFailedAfterAnError) {
  FrameDecoder decoder;
  ASSERT_FALSE(decoder.feed(header_for(0), [](Message&&) {}));
  auto again = decoder.feed(frame_with_text(kGreeting, "late"), [](Message&&) { ADD_FAILURE(); });
  EXPECT_FALSE(again);
  EXPECT_FALSE(decoder.finish());
}

TEST(FrameDecoder, survivesRandomGarbageWithAnErrorOrNothing) {
  std::mt19937 engine(12345);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::uint8_t> garbage(engine() % 512);
    for (auto& byte : garbage) {
      byte = static_cast<std::uint8_t>(engine());
    }
    if (round % 2 == 0 && garbage.size() >= 4) {
      // Half the rounds get a plausible length so the body parser sees the garbage.
      const auto fixed = header_for(static_cast<std::uint32_t>(garbage.size() - 4));
      std::copy(fixed.begin(), fixed.end(), garbage.begin());
    }
    FrameDecoder decoder;
    // Whatever happens, it is a Status: no crash, no exception, bounded buffering.
    (void)decoder.feed(garbage, [](Message&& m) { EXPECT_NE(type_value(m.type), 0); });
    EXPECT_LE(decoder.buffered_bytes(), kFrameHeaderBytes + 512);
  }
}

TEST(Framing, acceptsMessagesFromANewerVersionAndRejectsVersionZero) {
  FrameDecoder newer;
  int received = 0;
  ASSERT_TRUE(newer.feed(raw_frame({0x93, 0x05, 0x07, 0xC0}), [&](Message&& m) {
    EXPECT_EQ(m.version, 5U);
    ++received;
  }));
  EXPECT_EQ(received, 1);

  FrameDecoder ancient;
  auto status = ancient.feed(raw_frame({0x93, 0x00, 0x07, 0xC0}), [](Message&&) { ADD_FAILURE(); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), Errc::unsupported_version);
}

TEST(MessageDispatcher, routesKnownTypesAndIgnoresUnknownOnesWithoutClosing) {
  MessageDispatcher dispatcher;
  std::vector<std::string> greetings;
  dispatcher.on(kGreeting, [&](const Message& m) -> Status {
    greetings.push_back(text_of(m));
    return boost::outcome_v2::success();
  });
  FrameDecoder decoder;
  std::vector<std::uint8_t> stream = frame_with_text(MessageType{999}, "from the future");
  const auto known = frame_with_text(kGreeting, "hello");
  stream.insert(stream.end(), known.begin(), known.end());
  ASSERT_TRUE(decoder.feed(stream, [&](Message&& m) { EXPECT_TRUE(dispatcher.dispatch(m)); }));
  EXPECT_EQ(greetings, std::vector<std::string>{"hello"});
  EXPECT_EQ(dispatcher.ignored_unknown(), 1U);
}

TEST(MessageDispatcher, passesAHandlersErrorBack) {
  MessageDispatcher dispatcher;
  dispatcher.on(kGreeting, [](const Message&) -> Status { return Errc::frame_malformed; });
  FrameDecoder decoder;
  ASSERT_TRUE(decoder.feed(frame_with_text(kGreeting, "x"), [&](Message&& m) {
    auto status = dispatcher.dispatch(m);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error(), Errc::frame_malformed);
  }));
}

} // namespace
} // namespace swarmshare::core
