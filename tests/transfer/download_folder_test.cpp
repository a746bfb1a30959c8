#include "swarmshare/transfer/download_folder.hpp"

#include "as_unprivileged.hpp"
#include "temp_dir.hpp"

#include "swarmshare/core/file_name.hpp"
#include "swarmshare/transfer/part_file.hpp"
#include "swarmshare/transfer/resume_record.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace swarmshare::transfer {
namespace {

namespace fs = std::filesystem;

std::string contents_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A disk on which the first exists() lies: the name looks free, but the move finds it
// taken, as when another program creates it between the look and the move.
class RacingDiskIo final : public DiskIo {
public:
  core::Result<bool> exists(const fs::path& path) override {
    if (!lied_) {
      lied_ = true;
      return false;
    }
    return real_.exists(path);
  }
  core::Result<FileHandle> open(const fs::path& path, OpenMode mode) override {
    return real_.open(path, mode);
  }
  core::Status close(FileHandle file) override { return real_.close(file); }
  core::Status pwrite(FileHandle file, std::uint64_t offset,
                      std::span<const std::uint8_t> bytes) override {
    return real_.pwrite(file, offset, bytes);
  }
  core::Result<std::size_t> pread(FileHandle file, std::uint64_t offset,
                                  std::span<std::uint8_t> out) override {
    return real_.pread(file, offset, out);
  }
  core::Status fsync(FileHandle file) override { return real_.fsync(file); }
  core::Status fallocate(FileHandle file, std::uint64_t size) override {
    return real_.fallocate(file, size);
  }
  core::Result<FileStat> stat(FileHandle file) override { return real_.stat(file); }
  core::Result<FileStat> stat(const fs::path& path) override { return real_.stat(path); }
  core::Status rename(const fs::path& from, const fs::path& to) override {
    return real_.rename(from, to);
  }
  core::Status rename_no_replace(const fs::path& from, const fs::path& to) override {
    return real_.rename_no_replace(from, to);
  }
  core::Status remove(const fs::path& path) override { return real_.remove(path); }
  core::Status sync_folder(const fs::path& folder) override { return real_.sync_folder(folder); }
  core::Result<std::uint64_t> free_space(const fs::path& folder) override {
    return real_.free_space(folder);
  }

private:
  DiskIo& real_ = posix_disk_io();
  bool lied_ = false;
};

// Makes a folder read-only for the test's duration (restoring it so TempDir can clean up).
class ReadOnlyFolder {
public:
  explicit ReadOnlyFolder(fs::path folder) : folder_(std::move(folder)) {
    ::chmod(folder_.c_str(), 0500);
  }
  ~ReadOnlyFolder() { ::chmod(folder_.c_str(), 0700); }
  ReadOnlyFolder(const ReadOnlyFolder&) = delete;
  ReadOnlyFolder& operator=(const ReadOnlyFolder&) = delete;

private:
  fs::path folder_;
};

TEST(FinalPath, hostileNamesStayDirectlyInsideTheFolder) {
  test::TempDir dir;
  const std::vector<std::string> names = {"../../etc/passwd",
                                          "a/b",
                                          "",
                                          "..",
                                          ".",
                                          "/etc/passwd",
                                          "..\\..\\windows\\system32",
                                          std::string("evil\x01\x1b[31m\nname\x7f.txt"),
                                          std::string("nul\0byte", 8),
                                          "C:\\boot.ini",
                                          std::string(1000, '/')};
  for (const auto& name : names) {
    auto path = final_path(dir.path(), name);
    ASSERT_TRUE(path) << name << ": " << path.error().message();
    EXPECT_EQ(path.value().parent_path(), dir.path()) << name;
    const auto file_name = path.value().filename().string();
    EXPECT_NE(file_name, ".");
    EXPECT_NE(file_name, "..");
    EXPECT_EQ(file_name.find('/'), std::string::npos);
    for (const char c : file_name) {
      EXPECT_GE(static_cast<unsigned char>(c), 0x20U) << "control character in " << file_name;
    }
  }
}

TEST(FinalPath, aFreeNameIsUsedAsSanitized) {
  test::TempDir dir;
  EXPECT_EQ(final_path(dir.path(), "movie.mkv").value(), dir.path() / "movie.mkv");
  EXPECT_EQ(final_path(dir.path(), "").value(), dir.path() / std::string{core::kDefaultFileName});
}

TEST(FinalPath, takenNamesGetANumberBeforeTheExtension) {
  test::TempDir dir;
  write_text(dir.path() / "movie.mkv", "a");
  EXPECT_EQ(final_path(dir.path(), "movie.mkv").value(), dir.path() / "movie (1).mkv");
  write_text(dir.path() / "movie (1).mkv", "b");
  EXPECT_EQ(final_path(dir.path(), "movie.mkv").value(), dir.path() / "movie (2).mkv");
}

TEST(FinalPath, takenNamesWithoutAnExtensionGetTheNumberAtTheEnd) {
  test::TempDir dir;
  write_text(dir.path() / "README", "a");
  EXPECT_EQ(final_path(dir.path(), "README").value(), dir.path() / "README (1)");
  write_text(dir.path() / "README (1)", "b");
  EXPECT_EQ(final_path(dir.path(), "README").value(), dir.path() / "README (2)");
  write_text(dir.path() / ".profile", "c");
  EXPECT_EQ(final_path(dir.path(), ".profile").value(), dir.path() / ".profile (1)");
}

TEST(FinalPath, aDanglingSymlinkCountsAsTaken) {
  test::TempDir dir;
  fs::create_symlink(dir.path() / "nowhere", dir.path() / "movie.mkv");
  EXPECT_EQ(final_path(dir.path(), "movie.mkv").value(), dir.path() / "movie (1).mkv");
}

TEST(FinalPath, numberedLongNamesStayWithinTheNameLimitOnACharacterBoundary) {
  test::TempDir dir;
  std::string stem;
  while (stem.size() + 2 + 4 <= core::kMaxFileNameBytes) {
    stem += "\xC3\xA9"; // é
  }
  const std::string name = core::sanitize_file_name(stem + ".bin");
  ASSERT_LE(name.size(), core::kMaxFileNameBytes);
  write_text(dir.path() / name, "a");
  const auto numbered = final_path(dir.path(), name).value().filename().string();
  EXPECT_LE(numbered.size(), core::kMaxFileNameBytes);
  EXPECT_TRUE(numbered.ends_with(" (1).bin")) << numbered;
  EXPECT_TRUE(core::is_valid_utf8(numbered));
}

TEST(PartPath, isTheSanitizedNameWithThePartSuffixInsideTheFolder) {
  test::TempDir dir;
  EXPECT_EQ(part_path_for(dir.path(), "movie.mkv"), dir.path() / "movie.mkv.part");
  EXPECT_EQ(part_path_for(dir.path(), "../../x").parent_path(), dir.path());
}

TEST(Finish, movesThePartIntoPlaceAndRemovesTheRecord) {
  test::TempDir dir;
  const auto part = dir.path() / "movie.mkv.part";
  write_text(part, "the movie");
  write_text(resume_path_for(part), "record");
  auto done = finish(part, dir.path(), "movie.mkv");
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(done.value(), dir.path() / "movie.mkv");
  EXPECT_EQ(contents_of(done.value()), "the movie");
  EXPECT_FALSE(fs::exists(part));
  EXPECT_FALSE(fs::exists(resume_path_for(part)));
}

TEST(Finish, neverOverwritesAnExistingFile) {
  test::TempDir dir;
  const auto part = dir.path() / "movie.mkv.part";
  write_text(part, "downloaded");
  write_text(dir.path() / "movie.mkv", "mine");
  auto done = finish(part, dir.path(), "movie.mkv");
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(done.value(), dir.path() / "movie (1).mkv");
  EXPECT_EQ(contents_of(dir.path() / "movie.mkv"), "mine");
  EXPECT_EQ(contents_of(done.value()), "downloaded");
}

TEST(Finish, aNameTakenAfterTheLookMovesOnToTheNextFreeOne) {
  test::TempDir dir;
  const auto part = dir.path() / "movie.mkv.part";
  write_text(part, "downloaded");
  write_text(dir.path() / "movie.mkv", "theirs");
  RacingDiskIo disk;
  auto done = finish(part, dir.path(), "movie.mkv", disk);
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(done.value(), dir.path() / "movie (1).mkv");
  EXPECT_EQ(contents_of(dir.path() / "movie.mkv"), "theirs");
  EXPECT_EQ(contents_of(done.value()), "downloaded");
}

TEST(Finish, movesFromAnotherFolderOnTheSameFileSystem) {
  test::TempDir dir;
  fs::create_directory(dir.path() / "incomplete");
  fs::create_directory(dir.path() / "done");
  const auto part = dir.path() / "incomplete" / "x.part";
  write_text(part, "x");
  auto done = finish(part, dir.path() / "done", "x");
  ASSERT_TRUE(done) << done.error().message();
  EXPECT_EQ(done.value(), dir.path() / "done" / "x");
  EXPECT_FALSE(fs::exists(part));
}

TEST(Finish, aMissingPartFileIsReportedAndNothingIsCreated) {
  test::TempDir dir;
  auto done = finish(dir.path() / "gone.part", dir.path(), "gone");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error(), std::errc::no_such_file_or_directory);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Finish, anUnwritableFolderIsAClearErrorAndKeepsThePart) {
  test::TempDir dir;
  fs::create_directory(dir.path() / "done");
  const auto part = dir.path() / "x.part";
  write_text(part, "x");
  const ReadOnlyFolder read_only{dir.path() / "done"};
  test::as_unprivileged([&] {
    auto done = finish(part, dir.path() / "done", "x");
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error(), std::errc::permission_denied);
    EXPECT_TRUE(fs::exists(part));
  });
}

TEST(EnsureFolder, createsTheFolderAndItsParents) {
  test::TempDir dir;
  const auto folder = dir.path() / "a" / "b" / "c";
  ASSERT_TRUE(ensure_folder(folder));
  EXPECT_TRUE(fs::is_directory(folder));
  EXPECT_TRUE(ensure_folder(folder)); // already there is fine
}

TEST(EnsureFolder, aFileInTheWayIsNotADirectory) {
  test::TempDir dir;
  write_text(dir.path() / "file", "x");
  auto made = ensure_folder(dir.path() / "file");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error(), std::errc::not_a_directory);
  EXPECT_FALSE(ensure_folder(dir.path() / "file" / "sub"));
}

TEST(EnsureFolder, anUnwritableFolderIsPermissionDenied) {
  test::TempDir dir;
  const auto parent = dir.path() / "locked";
  fs::create_directory(parent);
  const ReadOnlyFolder read_only{parent};
  test::as_unprivileged([&] {
    auto existing = ensure_folder(parent);
    ASSERT_FALSE(existing);
    EXPECT_EQ(existing.error(), std::errc::permission_denied);
    auto below = ensure_folder(parent / "sub");
    ASSERT_FALSE(below);
    EXPECT_EQ(below.error(), std::errc::permission_denied);
  });
}

TEST(FreeSpace, isReportedForARealFolder) {
  test::TempDir dir;
  auto space = free_space(dir.path());
  ASSERT_TRUE(space) << space.error().message();
  EXPECT_TRUE(check_free_space(dir.path(), 0));
  EXPECT_EQ(free_space(dir.path() / "missing").error(), std::errc::no_such_file_or_directory);
}

TEST(FreeSpace, tooLittleIsNoSpaceOnDevice) {
  test::TempDir dir;
  FaultInjectingDiskIo disk;
  disk.set_free_space(1000);
  EXPECT_EQ(free_space(dir.path(), disk).value(), 1000U);
  EXPECT_TRUE(check_free_space(dir.path(), 1000, disk));
  auto short_by_one = check_free_space(dir.path(), 1001, disk);
  ASSERT_FALSE(short_by_one);
  EXPECT_EQ(short_by_one.error(), std::errc::no_space_on_device);
}

} // namespace
} // namespace swarmshare::transfer
