#include "run_process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace swarmshare::test {
namespace {

const std::filesystem::path kCli{SWARMSHARE_CLI};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

bool is_bare_file_id(const std::string& line) {
  static const std::regex kFileId{"^[0-9a-f]{64}$"};
  return std::regex_match(line, kFileId);
}

TEST(CliHash, printsTheFileIdAloneOnItsFirstLineAndNoOtherBareHexLine) {
  TempDir dir;
  const auto path = dir.write("golden.bin", pattern_bytes(3 * 256 * 1024 + 1000));
  const auto run = run_process(kCli, {"hash", path.string()}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = lines_of(run.out);
  ASSERT_GE(lines.size(), 2U);
  EXPECT_EQ(lines[0], "034f0a653e83bafe45f2da57b4e9649d3b85b585a6caf9894f3611b45e89a1c6");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_FALSE(is_bare_file_id(lines[i])) << lines[i];
  }
  EXPECT_NE(run.out.find("golden.bin"), std::string::npos);
  EXPECT_NE(run.out.find("chunks:     4"), std::string::npos);
  EXPECT_TRUE(run.err.empty()) << run.err; // no progress display when stderr is not a tty
}

TEST(CliHash, exitsWith3AndAMessageForAMissingFile) {
  TempDir dir;
  const auto run = run_process(kCli, {"hash", (dir.path() / "missing.bin").string()}, dir.path());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("missing.bin: file not found"), std::string::npos) << run.err;
}

TEST(CliHash, exitsWith1ForAnUnreadableFile) {
  TempDir dir;
  // A directory cannot be read as a file, whoever runs the test (root reads any file).
  const auto run = run_process(kCli, {"hash", dir.path().string()}, dir.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("not a regular file"), std::string::npos) << run.err;
}

TEST(CliHash, exitsWith1ForAFileWithoutReadPermission) {
  TempDir dir;
  const auto path = dir.write("locked.bin", pattern_bytes(10));
  std::filesystem::permissions(path, std::filesystem::perms::none);
  ProcessResult run;
  if (::geteuid() == 0) {
    // Root reads every file: run the CLI as nobody (util-linux setpriv) instead.
    const std::filesystem::path setpriv{"/usr/bin/setpriv"};
    if (!std::filesystem::exists(setpriv)) {
      GTEST_SKIP() << "running as root without /usr/bin/setpriv to drop privileges";
    }
    run = run_process(
        setpriv,
        {"--reuid=65534", "--regid=65534", "--clear-groups", kCli.string(), "hash", path.string()},
        dir.path());
  } else {
    run = run_process(kCli, {"hash", path.string()}, dir.path());
  }
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("cannot be read"), std::string::npos) << run.err;
}

TEST(CliHash, rejectsAnInvalidChunkSizeAsAUsageError) {
  TempDir dir;
  const auto path = dir.write("x.bin", pattern_bytes(10));
  const auto run = run_process(kCli, {"hash", "--chunk-size", "1000", path.string()}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("power of two"), std::string::npos) << run.err;
}

TEST(CliHash, honoursTheChunkSizeOption) {
  TempDir dir;
  const auto path = dir.write("x.bin", pattern_bytes(100 * 1024));
  const auto run = run_process(kCli, {"hash", "--chunk-size", "16384", path.string()}, dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("chunk size: 16 KiB"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("chunks:     7"), std::string::npos) << run.out;
}

TEST(CliHash, showsProgressOnStderrWhenAsked) {
  TempDir dir;
  const auto path = dir.write("p.bin", pattern_bytes(1024 * 1024));
  const auto run = run_process(kCli, {"hash", "--progress", path.string()}, dir.path());
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_NE(run.err.find("hashing"), std::string::npos);
  EXPECT_NE(run.err.find("100.0%"), std::string::npos) << run.err;
}

TEST(Cli, printsHelpAndVersion) {
  TempDir dir;
  const auto help = run_process(kCli, {"--help"}, dir.path());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("hash"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  const auto version = run_process(kCli, {"--version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("swarmshare-cli "), std::string::npos);
}

TEST(Cli, exitsWith2WithoutACommand) {
  TempDir dir;
  const auto run = run_process(kCli, {}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(run.err.empty());
}

} // namespace
} // namespace swarmshare::test
