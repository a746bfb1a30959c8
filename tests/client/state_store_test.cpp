#include "swarmshare/client/state_store.hpp"

#include "temp_dir.hpp"

#include "swarmshare/core/chunking.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace swarmshare::client {
namespace {

constexpr UnixTime kT0{std::chrono::seconds{1'700'000'000}};

UnixTime at(std::int64_t seconds_after_t0) { return kT0 + std::chrono::seconds{seconds_after_t0}; }

/// A valid manifest; different names give different File IDs.
core::Manifest make_manifest(const std::string& name, std::uint64_t size = 600U * 1024U) {
  const auto chunks = core::chunk_count_for(size, core::ChunkSize{});
  std::vector<core::Hash256> hashes(chunks);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    hashes[i].fill(static_cast<std::uint8_t>(i + name.size()));
  }
  return core::Manifest::create(name, size, core::ChunkSize{}, std::move(hashes)).value();
}

LibraryEntry make_entry(const std::string& name) {
  LibraryEntry entry{make_manifest(name)};
  entry.path = "/home/user/files/" + name;
  entry.file_size = entry.manifest.file_size();
  entry.modified_ns = 1'699'999'999'123'456'789;
  entry.source = FileSource::shared;
  entry.listed = false;
  entry.status = LibraryStatus::paused;
  entry.added_at = at(5);
  return entry;
}

DownloadRecord make_download(const core::Manifest& manifest) {
  DownloadRecord record;
  record.file_id = manifest.file_id();
  record.destination = "/home/user/Downloads";
  record.part_path = "/home/user/Downloads/" + manifest.name() + ".part";
  record.manifest = manifest;
  record.state = DownloadState::active;
  record.bytes_verified = 256U * 1024U;
  record.added_at = at(10);
  return record;
}

/// Runs SQL on the database file through a second connection: the way a test reaches
/// below the store (to damage a row or to plant a trigger).
void raw_exec(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

constexpr int kDiedInSql = 3;

// die(): a SQL function that ends the process at once, as a crash would.
void die_now(sqlite3_context* /*context*/, int /*argc*/, sqlite3_value** /*argv*/) {
  std::_Exit(kDiedInSql);
}

// Registered on every connection the process opens from then on (sqlite3_auto_extension).
int register_die(sqlite3* db, const char** /*error*/, const sqlite3_api_routines* /*api*/) {
  return sqlite3_create_function(db, "die", 0, SQLITE_UTF8, nullptr, die_now, nullptr, nullptr);
}

class StateStoreTest : public ::testing::Test {
protected:
  StateStore& store() { return *store_; }
  void reopen() {
    store_.reset();
    auto opened = StateStore::open(path_);
    ASSERT_TRUE(opened) << opened.error().message();
    store_.emplace(std::move(opened).value());
  }
  void SetUp() override { reopen(); }

  test::TempDir dir_;
  std::filesystem::path path_ = dir_.path() / StateStore::kFileName;
  std::optional<StateStore> store_;
};

void expect_same_entry(const LibraryEntry& a, const LibraryEntry& b) {
  EXPECT_EQ(a.manifest, b.manifest);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.file_size, b.file_size);
  EXPECT_EQ(a.modified_ns, b.modified_ns);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.listed, b.listed);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.added_at, b.added_at);
}

void expect_same_download(const DownloadRecord& a, const DownloadRecord& b) {
  EXPECT_EQ(a.file_id, b.file_id);
  EXPECT_EQ(a.destination, b.destination);
  EXPECT_EQ(a.part_path, b.part_path);
  EXPECT_EQ(a.manifest, b.manifest);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.bytes_verified, b.bytes_verified);
  EXPECT_EQ(a.added_at, b.added_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.final_path, b.final_path);
  EXPECT_EQ(a.last_error, b.last_error);
  EXPECT_EQ(a.share_answer, b.share_answer);
}

// Enums

TEST(StateStoreEnums, roundTripThroughTheirTextAndRefuseUnknownText) {
  for (auto v : {DownloadState::queued, DownloadState::active, DownloadState::paused,
                 DownloadState::completed, DownloadState::failed, DownloadState::cancelled}) {
    EXPECT_EQ(from_string<DownloadState>(to_string(v)).value(), v);
  }
  for (auto v : {HistoryOutcome::downloaded, HistoryOutcome::shared, HistoryOutcome::share_declined,
                 HistoryOutcome::unshared, HistoryOutcome::failed, HistoryOutcome::cancelled}) {
    EXPECT_EQ(from_string<HistoryOutcome>(to_string(v)).value(), v);
  }
  for (auto v : {LibraryStatus::active, LibraryStatus::paused, LibraryStatus::missing,
                 LibraryStatus::changed}) {
    EXPECT_EQ(from_string<LibraryStatus>(to_string(v)).value(), v);
  }
  EXPECT_EQ(from_string<FileSource>("downloaded").value(), FileSource::downloaded);
  EXPECT_EQ(from_string<ShareAnswer>("not_asked").value(), ShareAnswer::not_asked);
  EXPECT_EQ(to_string(HistoryOutcome::share_declined), "share_declined");
  EXPECT_EQ(from_string<DownloadState>("Active").error(), StateErrc::unreadable_row);
  EXPECT_EQ(from_string<ShareAnswer>("").error(), StateErrc::unreadable_row);
  EXPECT_EQ(to_string(static_cast<FileSource>(7)), "");
}

// Library

TEST_F(StateStoreTest, libraryEntryRoundTripsEveryField) {
  const LibraryEntry entry = make_entry("a.bin");
  ASSERT_TRUE(store().put_library_entry(entry));
  auto loaded = store().library_entry(entry.file_id());
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_TRUE(loaded.value().has_value());
  expect_same_entry(*loaded.value(), entry);
  EXPECT_EQ(loaded.value()->statistics.bytes_uploaded, 0U);
  EXPECT_FALSE(store().library_entry(make_manifest("other").file_id()).value().has_value());
}

TEST_F(StateStoreTest, libraryListsEntriesOldestFirst) {
  ASSERT_TRUE(store().put_library_entry(make_entry("first")));
  ASSERT_TRUE(store().put_library_entry(make_entry("second")));
  auto all = store().library();
  ASSERT_TRUE(all);
  ASSERT_EQ(all.value().size(), 2U);
  EXPECT_EQ(all.value()[0].manifest.name(), "first");
  EXPECT_EQ(all.value()[1].manifest.name(), "second");
}

TEST_F(StateStoreTest, reShareReplacesPathButKeepsCountersAndAddedAt) {
  LibraryEntry entry = make_entry("a.bin");
  ASSERT_TRUE(store().put_library_entry(entry));
  ASSERT_TRUE(store().add_uploaded(entry.file_id(), 1000));
  entry.path = "/elsewhere/a.bin";
  entry.added_at = at(99);
  entry.status = LibraryStatus::active;
  ASSERT_TRUE(store().put_library_entry(entry));
  auto loaded = store().library_entry(entry.file_id()).value().value();
  EXPECT_EQ(loaded.path, "/elsewhere/a.bin");
  EXPECT_EQ(loaded.status, LibraryStatus::active);
  EXPECT_EQ(loaded.added_at, at(5));
  EXPECT_EQ(loaded.statistics.bytes_uploaded, 1000U);
  EXPECT_EQ(store().library().value().size(), 1U);
}

TEST_F(StateStoreTest, libraryUpdatesChangeStatusListedAndFileInfo) {
  const LibraryEntry entry = make_entry("a.bin");
  ASSERT_TRUE(store().put_library_entry(entry));
  ASSERT_TRUE(store().set_library_status(entry.file_id(), LibraryStatus::changed));
  ASSERT_TRUE(store().set_library_listed(entry.file_id(), true));
  ASSERT_TRUE(store().set_library_file_info(entry.file_id(), 42, -7));
  auto loaded = store().library_entry(entry.file_id()).value().value();
  EXPECT_EQ(loaded.status, LibraryStatus::changed);
  EXPECT_TRUE(loaded.listed);
  EXPECT_EQ(loaded.file_size, 42U);
  EXPECT_EQ(loaded.modified_ns, -7);
}

TEST_F(StateStoreTest, updatesOfAMissingRowAreNotFound) {
  const auto id = make_manifest("nothing").file_id();
  EXPECT_EQ(store().set_library_status(id, LibraryStatus::missing).error(), StateErrc::not_found);
  EXPECT_EQ(store().set_library_listed(id, true).error(), StateErrc::not_found);
  EXPECT_EQ(store().set_download_state(id, DownloadState::paused).error(), StateErrc::not_found);
  EXPECT_EQ(store().set_bytes_verified(id, 1).error(), StateErrc::not_found);
  EXPECT_EQ(store().remove_download(id).error(), StateErrc::not_found);
  EXPECT_EQ(store().record_unshared(id, kT0).error(), StateErrc::not_found);
  EXPECT_EQ(store().record_download_completed(id, "/x", kT0).error(), StateErrc::not_found);
}

// Downloads

TEST_F(StateStoreTest, downloadRoundTripsEveryField) {
  DownloadRecord record = make_download(make_manifest("movie.mkv"));
  record.state = DownloadState::failed;
  record.finished_at = at(20);
  record.final_path = "/home/user/Downloads/movie.mkv";
  record.last_error = "disk full";
  record.share_answer = ShareAnswer::no;
  ASSERT_TRUE(store().add_download(record));
  auto loaded = store().download(record.file_id);
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_TRUE(loaded.value().has_value());
  expect_same_download(*loaded.value(), record);
}

TEST_F(StateStoreTest, downloadWithoutManifestRoundTripsAndGetsItLater) {
  const core::Manifest manifest = make_manifest("later.iso");
  DownloadRecord record = make_download(manifest);
  record.manifest.reset();
  record.state = DownloadState::queued;
  ASSERT_TRUE(store().add_download(record));
  expect_same_download(store().download(record.file_id).value().value(), record);

  ASSERT_TRUE(store().set_download_manifest(manifest));
  EXPECT_EQ(store().download(record.file_id).value()->manifest, manifest);
}

TEST_F(StateStoreTest, downloadRefusesAManifestOfAnotherFileAndADuplicate) {
  DownloadRecord record = make_download(make_manifest("a"));
  record.file_id = make_manifest("b").file_id();
  EXPECT_EQ(store().add_download(record).error(), StateErrc::invalid_request);
  record = make_download(make_manifest("a"));
  ASSERT_TRUE(store().add_download(record));
  EXPECT_FALSE(store().add_download(record));
  ASSERT_TRUE(store().remove_download(record.file_id));
  EXPECT_TRUE(store().add_download(record));
}

TEST_F(StateStoreTest, downloadStateAndBytesVerifiedChange) {
  const DownloadRecord record = make_download(make_manifest("a"));
  ASSERT_TRUE(store().add_download(record));
  ASSERT_TRUE(store().set_download_state(record.file_id, DownloadState::paused));
  ASSERT_TRUE(store().set_bytes_verified(record.file_id, 512U * 1024U));
  auto loaded = store().download(record.file_id).value().value();
  EXPECT_EQ(loaded.state, DownloadState::paused);
  EXPECT_EQ(loaded.bytes_verified, 512U * 1024U);
  // Terminal states come with their history line, through record_download_*.
  EXPECT_EQ(store().set_download_state(record.file_id, DownloadState::completed).error(),
            StateErrc::invalid_request);
  EXPECT_EQ(store().downloads().value().size(), 1U);
}

TEST_F(StateStoreTest, completedDownloadGetsItsHistoryLineOnceAndAwaitsTheShareQuestion) {
  const core::Manifest manifest = make_manifest("song.flac");
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  ASSERT_TRUE(store().record_download_completed(manifest.file_id(), "/dl/song.flac", at(30)));
  auto loaded = store().download(manifest.file_id()).value().value();
  EXPECT_EQ(loaded.state, DownloadState::completed);
  EXPECT_EQ(loaded.finished_at, at(30));
  EXPECT_EQ(loaded.final_path, std::filesystem::path{"/dl/song.flac"});
  EXPECT_EQ(loaded.share_answer, ShareAnswer::not_asked);

  auto history = store().history(10).value();
  ASSERT_EQ(history.size(), 1U);
  EXPECT_EQ(history[0].outcome, HistoryOutcome::downloaded);
  EXPECT_EQ(history[0].name, "song.flac");
  EXPECT_EQ(history[0].size, manifest.file_size());
  EXPECT_EQ(history[0].path, "/dl/song.flac");
  EXPECT_EQ(history[0].at, at(30));
  EXPECT_EQ(history[0].file_id, manifest.file_id());

  EXPECT_EQ(store().record_download_completed(manifest.file_id(), "/dl/x", at(31)).error(),
            StateErrc::invalid_request);
  EXPECT_EQ(store().history_count().value(), 1U);
  auto awaiting = store().downloads_awaiting_share_answer().value();
  ASSERT_EQ(awaiting.size(), 1U);
  EXPECT_EQ(awaiting[0].file_id, manifest.file_id());
}

std::vector<core::FileId> queued_ids(StateStore& store) {
  auto queued = store.queued_downloads();
  EXPECT_TRUE(queued) << queued.error().message();
  std::vector<core::FileId> ids;
  for (const auto& record : queued.value()) {
    ids.push_back(record.file_id);
  }
  return ids;
}

TEST_F(StateStoreTest, queuedDownloadsComeBackInTheOrderTheyWereQueued) {
  const core::FileId a = make_manifest("a").file_id();
  const core::FileId b = make_manifest("b").file_id();
  const core::FileId c = make_manifest("c").file_id();
  DownloadRecord first = make_download(make_manifest("a"));
  ASSERT_TRUE(store().add_download(first)); // active: not queued
  DownloadRecord second = make_download(make_manifest("b"));
  second.state = DownloadState::queued;
  ASSERT_TRUE(store().add_download(second));
  DownloadRecord third = make_download(make_manifest("c"));
  ASSERT_TRUE(store().add_download(third));
  ASSERT_TRUE(store().set_download_state(c, DownloadState::queued));
  // a, the oldest row, is queued last: it waits behind b and c.
  ASSERT_TRUE(store().set_download_state(a, DownloadState::queued));
  EXPECT_EQ(queued_ids(store()), (std::vector{b, c, a}));

  reopen();
  EXPECT_EQ(queued_ids(store()), (std::vector{b, c, a}));
  // Started, then queued again: to the back.
  ASSERT_TRUE(store().set_download_state(b, DownloadState::active));
  EXPECT_EQ(queued_ids(store()), (std::vector{c, a}));
  ASSERT_TRUE(store().set_download_state(b, DownloadState::queued));
  EXPECT_EQ(queued_ids(store()), (std::vector{c, a, b}));
  ASSERT_TRUE(store().record_download_cancelled(a, at(30)));
  EXPECT_EQ(queued_ids(store()), (std::vector{c, b}));
}

TEST_F(StateStoreTest, settingsWrittenTogetherAreSetOrRemovedAtOnce) {
  ASSERT_TRUE(store().set_string("folder", "/tmp"));
  const std::vector<StateStore::SettingValue> values{
      {"rate", "100"}, {"flag", "true"}, {"folder", std::nullopt}};
  ASSERT_TRUE(store().set_settings(values));
  EXPECT_EQ(store().get_int("rate", 0).value(), 100);
  EXPECT_TRUE(store().get_bool("flag", false).value());
  EXPECT_FALSE(store().setting("folder").value().has_value());

  // A failure half way leaves the first values unwritten.
  raw_exec(path_, "CREATE TRIGGER no_bad BEFORE INSERT ON settings WHEN NEW.key = 'bad' "
                  "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  const std::vector<StateStore::SettingValue> failing{{"rate", "200"}, {"bad", "x"}};
  EXPECT_FALSE(store().set_settings(failing));
  EXPECT_EQ(store().get_int("rate", 0).value(), 100);
}

TEST_F(StateStoreTest, downloadWithoutManifestCannotComplete) {
  DownloadRecord record = make_download(make_manifest("a"));
  record.manifest.reset();
  ASSERT_TRUE(store().add_download(record));
  EXPECT_EQ(store().record_download_completed(record.file_id, "/dl/a", kT0).error(),
            StateErrc::invalid_request);
  EXPECT_EQ(store().history_count().value(), 0U);
}

TEST_F(StateStoreTest, sharingACompletedDownloadAddsItToTheLibraryWithItsHistoryLine) {
  const core::Manifest manifest = make_manifest("doc.pdf");
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  LibraryEntry entry{manifest};
  entry.path = "/dl/doc.pdf";
  entry.file_size = manifest.file_size();
  entry.added_at = at(40);
  // Not completed yet: nothing to share.
  EXPECT_EQ(store().record_download_shared(entry, at(40)).error(), StateErrc::invalid_request);
  ASSERT_TRUE(store().record_download_completed(manifest.file_id(), "/dl/doc.pdf", at(39)));
  ASSERT_TRUE(store().record_download_shared(entry, at(40)));

  EXPECT_EQ(store().download(manifest.file_id()).value()->share_answer, ShareAnswer::yes);
  EXPECT_TRUE(store().downloads_awaiting_share_answer().value().empty());
  auto shared = store().library_entry(manifest.file_id()).value().value();
  EXPECT_EQ(shared.source, FileSource::downloaded);
  EXPECT_EQ(shared.path, "/dl/doc.pdf");
  auto history = store().history(10).value();
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].outcome, HistoryOutcome::shared);
  EXPECT_EQ(history[1].outcome, HistoryOutcome::downloaded);
}

TEST_F(StateStoreTest, decliningToShareIsRememberedWithItsHistoryLine) {
  const core::Manifest manifest = make_manifest("doc.pdf");
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  ASSERT_TRUE(store().record_download_completed(manifest.file_id(), "/dl/doc.pdf", at(39)));
  ASSERT_TRUE(store().record_share_declined(manifest.file_id(), at(41)));
  EXPECT_EQ(store().download(manifest.file_id()).value()->share_answer, ShareAnswer::no);
  EXPECT_TRUE(store().downloads_awaiting_share_answer().value().empty());
  EXPECT_FALSE(store().library_entry(manifest.file_id()).value().has_value());
  auto history = store().history(1).value();
  ASSERT_EQ(history.size(), 1U);
  EXPECT_EQ(history[0].outcome, HistoryOutcome::share_declined);
  EXPECT_EQ(history[0].path, "/dl/doc.pdf");
}

TEST_F(StateStoreTest, failedAndCancelledDownloadsKeepTheirReasonAndHistory) {
  const core::Manifest failing = make_manifest("failing");
  DownloadRecord no_manifest = make_download(make_manifest("cancelled"));
  no_manifest.manifest.reset();
  ASSERT_TRUE(store().add_download(make_download(failing)));
  ASSERT_TRUE(store().add_download(no_manifest));
  ASSERT_TRUE(store().record_download_failed(failing.file_id(), "no peers for 24 h", at(50)));
  ASSERT_TRUE(store().record_download_cancelled(no_manifest.file_id, at(51)));
  EXPECT_EQ(store().record_download_cancelled(failing.file_id(), at(52)).error(),
            StateErrc::invalid_request);

  auto failed = store().download(failing.file_id()).value().value();
  EXPECT_EQ(failed.state, DownloadState::failed);
  EXPECT_EQ(failed.last_error, "no peers for 24 h");
  EXPECT_EQ(failed.finished_at, at(50));
  EXPECT_EQ(store().download(no_manifest.file_id).value()->state, DownloadState::cancelled);

  auto history = store().history(10).value();
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].outcome, HistoryOutcome::cancelled);
  EXPECT_EQ(history[0].name, ""); // the manifest never arrived
  EXPECT_EQ(history[1].outcome, HistoryOutcome::failed);
  EXPECT_EQ(history[1].reason, "no peers for 24 h");
  EXPECT_EQ(history[1].name, "failing");

  // A retry: back in the queue, no longer finished.
  ASSERT_TRUE(store().set_download_state(failing.file_id(), DownloadState::queued));
  EXPECT_FALSE(store().download(failing.file_id()).value()->finished_at.has_value());
}

TEST_F(StateStoreTest, sharingAndUnsharingWriteTheLibraryAndHistory) {
  const LibraryEntry entry = make_entry("photo.jpg");
  ASSERT_TRUE(store().record_shared(entry, at(60)));
  ASSERT_TRUE(store().library_entry(entry.file_id()).value().has_value());
  ASSERT_TRUE(store().record_unshared(entry.file_id(), at(61)));
  EXPECT_FALSE(store().library_entry(entry.file_id()).value().has_value());
  auto history = store().history(10).value();
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].outcome, HistoryOutcome::unshared);
  EXPECT_EQ(history[0].path, entry.path);
  EXPECT_EQ(history[1].outcome, HistoryOutcome::shared);
  EXPECT_EQ(history[1].at, at(60));
}

// History

TEST_F(StateStoreTest, historyComesNewestFirstInPagesThatNewLinesDoNotShift) {
  const auto id = make_manifest("x").file_id();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    HistoryEntry line;
    line.at = at(i);
    line.file_id = id;
    line.name = "line " + std::to_string(i);
    line.outcome = HistoryOutcome::failed;
    line.reason = "reason " + std::to_string(i);
    auto added = store().add_history(line);
    ASSERT_TRUE(added);
    ids.push_back(added.value());
  }
  EXPECT_EQ(store().history_count().value(), 5U);
  auto first = store().history(2).value();
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0].name, "line 4");
  EXPECT_EQ(first[1].name, "line 3");
  EXPECT_EQ(first[0].reason, "reason 4");
  EXPECT_EQ(first[0].id, ids[4]);

  // A line added between two pages goes on top, not into the next page.
  HistoryEntry newest;
  newest.file_id = id;
  newest.name = "newest";
  ASSERT_TRUE(store().add_history(newest));
  auto second = store().history(2, first.back().id).value();
  ASSERT_EQ(second.size(), 2U);
  EXPECT_EQ(second[0].name, "line 2");
  EXPECT_EQ(second[1].name, "line 1");
  auto last = store().history(2, second.back().id).value();
  ASSERT_EQ(last.size(), 1U);
  EXPECT_EQ(last[0].name, "line 0");
  EXPECT_TRUE(store().history(2, last.back().id).value().empty());
  EXPECT_EQ(store().history(1).value()[0].name, "newest");
}

TEST_F(StateStoreTest, lastDownloadIsTheNewestDownloadedLineOfThatFileOnly) {
  const auto wanted = make_manifest("wanted").file_id();
  const auto other = make_manifest("other").file_id();
  const auto add = [this](const core::FileId& id, HistoryOutcome outcome, int when,
                          const std::string& path) {
    HistoryEntry line;
    line.at = at(when);
    line.file_id = id;
    line.name = "wanted.bin";
    line.path = path;
    line.outcome = outcome;
    ASSERT_TRUE(store().add_history(line));
  };
  EXPECT_FALSE(store().last_download(wanted).value().has_value());
  add(wanted, HistoryOutcome::failed, 1, "/failed");
  EXPECT_FALSE(store().last_download(wanted).value().has_value()); // a failure is no download
  add(wanted, HistoryOutcome::downloaded, 2, "/first");
  add(wanted, HistoryOutcome::downloaded, 3, "/second");
  add(wanted, HistoryOutcome::shared, 4, "/shared");
  add(other, HistoryOutcome::downloaded, 5, "/other");
  const auto last = store().last_download(wanted).value();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->path, "/second");
  EXPECT_EQ(last->at, at(3));
}

// Statistics

TEST_F(StateStoreTest, countersAddUpPerFileAndInTotalWithTheRatio) {
  const LibraryEntry a = make_entry("a");
  const LibraryEntry b = make_entry("b");
  ASSERT_TRUE(store().put_library_entry(a));
  ASSERT_TRUE(store().put_library_entry(b));
  EXPECT_FALSE(store().totals().value().ratio().has_value());

  ASSERT_TRUE(store().add_uploaded(a.file_id(), 300));
  ASSERT_TRUE(store().add_uploaded(a.file_id(), 200));
  ASSERT_TRUE(store().add_uploaded(b.file_id(), 1000));
  ASSERT_TRUE(store().add_peers_served(a.file_id()));
  ASSERT_TRUE(store().add_peers_served(a.file_id(), 2));
  ASSERT_TRUE(store().add_seconds_seeded(b.file_id(), 3600));
  ASSERT_TRUE(store().add_downloaded(750));
  // Not in the library (unshared meanwhile): only the total moves.
  ASSERT_TRUE(store().add_uploaded(make_manifest("gone").file_id(), 1));

  const FileStatistics sa = store().file_statistics(a.file_id()).value().value();
  EXPECT_EQ(sa.bytes_uploaded, 500U);
  EXPECT_EQ(sa.peers_served, 3U);
  EXPECT_EQ(sa.seconds_seeded, 0U);
  const FileStatistics sb = store().file_statistics(b.file_id()).value().value();
  EXPECT_EQ(sb.bytes_uploaded, 1000U);
  EXPECT_EQ(sb.seconds_seeded, 3600U);
  EXPECT_FALSE(store().file_statistics(make_manifest("gone").file_id()).value().has_value());

  const Totals totals = store().totals().value();
  EXPECT_EQ(totals.bytes_uploaded, 1501U);
  EXPECT_EQ(totals.bytes_downloaded, 750U);
  EXPECT_EQ(totals.peers_served, 3U);
  ASSERT_TRUE(totals.ratio().has_value());
  EXPECT_DOUBLE_EQ(*totals.ratio(), 1501.0 / 750.0);
}

TEST_F(StateStoreTest, countersSaturateInsteadOfOverflowing) {
  ASSERT_TRUE(store().add_downloaded(std::numeric_limits<std::uint64_t>::max()));
  ASSERT_TRUE(store().add_downloaded(5));
  EXPECT_EQ(store().totals().value().bytes_downloaded,
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

TEST_F(StateStoreTest, countersFromTwoThreadsAllCount) {
  const LibraryEntry a = make_entry("a");
  ASSERT_TRUE(store().put_library_entry(a));
  constexpr int kPerThread = 50;
  auto work = [&] {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_TRUE(store().add_uploaded(a.file_id(), 10));
      EXPECT_TRUE(store().totals());
    }
  };
  std::thread disk(work);
  std::thread network(work);
  disk.join();
  network.join();
  EXPECT_EQ(store().totals().value().bytes_uploaded, 2U * kPerThread * 10U);
  EXPECT_EQ(store().file_statistics(a.file_id()).value()->bytes_uploaded, 2U * kPerThread * 10U);
}

// Settings

TEST_F(StateStoreTest, settingsReadTheirDefaultsUntilSet) {
  EXPECT_FALSE(store().setting("name").value().has_value());
  EXPECT_EQ(store().get_string("name", "anon").value(), "anon");
  EXPECT_TRUE(store().get_bool("lan", true).value());
  EXPECT_EQ(store().get_int("port", 6881).value(), 6881);

  ASSERT_TRUE(store().set_string("name", "alice"));
  ASSERT_TRUE(store().set_bool("lan", false));
  ASSERT_TRUE(store().set_int("port", 7000));
  ASSERT_TRUE(store().set_int("offset", -42));
  EXPECT_EQ(store().get_string("name", "anon").value(), "alice");
  EXPECT_FALSE(store().get_bool("lan", true).value());
  EXPECT_EQ(store().get_int("port", 6881).value(), 7000);
  EXPECT_EQ(store().get_int("offset", 0).value(), -42);
  EXPECT_EQ(store().setting("lan").value(), "false");

  ASSERT_TRUE(store().set_int("port", 7001)); // replaces
  EXPECT_EQ(store().get_int("port", 6881).value(), 7001);
  ASSERT_TRUE(store().remove_setting("port"));
  EXPECT_EQ(store().get_int("port", 6881).value(), 6881);
  // An empty value is a value (not a missing key, not NULL).
  ASSERT_TRUE(store().set_string("name", std::string_view{}));
  EXPECT_EQ(store().get_string("name", "anon").value(), "");
}

TEST_F(StateStoreTest, settingOfTheWrongTypeIsAnError) {
  ASSERT_TRUE(store().set_string("port", "70x"));
  ASSERT_TRUE(store().set_string("lan", "yes"));
  ASSERT_TRUE(store().set_string("empty", ""));
  ASSERT_TRUE(store().set_string("huge", "99999999999999999999"));
  EXPECT_EQ(store().get_int("port", 1).error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().get_bool("lan", true).error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().get_int("empty", 1).error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().get_int("huge", 1).error(), StateErrc::unreadable_row);
}

// Durability and atomicity

TEST_F(StateStoreTest, closingAndReopeningKeepsEverything) {
  const LibraryEntry entry = make_entry("kept.bin");
  const core::Manifest manifest = make_manifest("dl.bin");
  ASSERT_TRUE(store().record_shared(entry, at(1)));
  ASSERT_TRUE(store().add_uploaded(entry.file_id(), 123));
  ASSERT_TRUE(store().add_downloaded(456));
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  ASSERT_TRUE(store().record_download_completed(manifest.file_id(), "/dl/dl.bin", at(2)));
  ASSERT_TRUE(store().set_bool("lan", false));

  reopen();

  expect_same_entry(store().library_entry(entry.file_id()).value().value(), entry);
  EXPECT_EQ(store().file_statistics(entry.file_id()).value()->bytes_uploaded, 123U);
  EXPECT_EQ(store().totals().value().bytes_downloaded, 456U);
  auto download = store().download(manifest.file_id()).value().value();
  EXPECT_EQ(download.state, DownloadState::completed);
  EXPECT_EQ(download.manifest, manifest);
  // The question was never answered before the "crash": it is asked again.
  EXPECT_EQ(store().downloads_awaiting_share_answer().value().size(), 1U);
  EXPECT_EQ(store().history_count().value(), 2U);
  EXPECT_FALSE(store().get_bool("lan", true).value());
}

TEST_F(StateStoreTest, bundleFailingAtItsLastStatementLeavesNothingBehind) {
  const core::Manifest manifest = make_manifest("doc.pdf");
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  ASSERT_TRUE(store().record_download_completed(manifest.file_id(), "/dl/doc.pdf", at(1)));
  // Another connection plants a trigger that fails every history insert: the bundle's
  // answer and library row are written, then its last statement fails.
  raw_exec(path_, "CREATE TRIGGER fail_history BEFORE INSERT ON history "
                  "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
  LibraryEntry entry{manifest};
  entry.path = "/dl/doc.pdf";
  EXPECT_FALSE(store().record_download_shared(entry, at(2)));

  EXPECT_FALSE(store().library_entry(manifest.file_id()).value().has_value());
  EXPECT_EQ(store().download(manifest.file_id()).value()->share_answer, ShareAnswer::not_asked);
  EXPECT_EQ(store().history_count().value(), 1U);
  EXPECT_EQ(store().downloads_awaiting_share_answer().value().size(), 1U);

  // The same holds for a download's own end: state and history together or neither.
  const core::Manifest other = make_manifest("other");
  ASSERT_TRUE(store().add_download(make_download(other)));
  EXPECT_FALSE(store().record_download_failed(other.file_id(), "x", at(3)));
  EXPECT_EQ(store().download(other.file_id()).value()->state, DownloadState::active);

  raw_exec(path_, "DROP TRIGGER fail_history");
  ASSERT_TRUE(store().record_download_shared(entry, at(4)));
  EXPECT_TRUE(store().library_entry(manifest.file_id()).value().has_value());
  EXPECT_EQ(store().history_count().value(), 2U);
}

TEST_F(StateStoreTest, bundleCutShortByAProcessDeathLeavesNothingBehind) {
  const core::Manifest manifest = make_manifest("doc.pdf");
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  ASSERT_TRUE(store().record_download_completed(manifest.file_id(), "/dl/doc.pdf", at(1)));
  store_.reset();
  // The child process dies inside the bundle: a trigger on the history line (its last
  // statement) calls die(), a SQL function that ends the process on the spot, after the
  // answer and the library row were written but before the commit.
  EXPECT_EXIT(
      {
        sqlite3_auto_extension(reinterpret_cast<void (*)()>(register_die));
        raw_exec(path_, "CREATE TRIGGER die BEFORE INSERT ON history BEGIN SELECT die(); END");
        auto store = StateStore::open(path_).value();
        (void)store.set_bool("before", true);
        LibraryEntry entry{manifest};
        entry.path = "/dl/doc.pdf";
        (void)store.record_download_shared(entry, at(2));
        std::_Exit(4); // not reached
      },
      ::testing::ExitedWithCode(kDiedInSql), "");
  raw_exec(path_, "DROP TRIGGER die");
  reopen();
  EXPECT_TRUE(store().get_bool("before", false).value()); // committed before the death
  EXPECT_FALSE(store().library_entry(manifest.file_id()).value().has_value());
  EXPECT_EQ(store().download(manifest.file_id()).value()->share_answer, ShareAnswer::not_asked);
  EXPECT_EQ(store().history_count().value(), 1U);
  EXPECT_EQ(store().downloads_awaiting_share_answer().value().size(), 1U);
}

// Damaged and newer databases

TEST_F(StateStoreTest, unknownEnumTextInTheDatabaseIsAnError) {
  const LibraryEntry entry = make_entry("a");
  const core::Manifest manifest = make_manifest("b");
  ASSERT_TRUE(store().record_shared(entry, kT0));
  ASSERT_TRUE(store().add_download(make_download(manifest)));
  raw_exec(path_, "UPDATE library SET status = 'exploded'; "
                  "UPDATE downloads SET state = 'teleporting'; "
                  "UPDATE history SET outcome = 'lost'");
  EXPECT_EQ(store().library_entry(entry.file_id()).error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().library().error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().download(manifest.file_id()).error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().downloads().error(), StateErrc::unreadable_row);
  EXPECT_EQ(store().history(10).error(), StateErrc::unreadable_row);
}

TEST_F(StateStoreTest, damagedManifestOrNegativeCounterIsAnError) {
  const LibraryEntry a = make_entry("a");
  const LibraryEntry b = make_entry("b");
  ASSERT_TRUE(store().put_library_entry(a));
  ASSERT_TRUE(store().put_library_entry(b));
  // a gets b's manifest: it decodes, but it is another file's.
  raw_exec(path_, "UPDATE library SET manifest = (SELECT manifest FROM library "
                  "WHERE entry_key = 2) WHERE entry_key = 1");
  EXPECT_EQ(store().library_entry(a.file_id()).error(), StateErrc::unreadable_row);
  raw_exec(path_, "UPDATE library SET manifest = x'00' WHERE entry_key = 2");
  EXPECT_EQ(store().library_entry(b.file_id()).error(), StateErrc::unreadable_row);

  ASSERT_TRUE(store().add_downloaded(1));
  raw_exec(path_, "UPDATE counters SET value = -1");
  EXPECT_EQ(store().totals().error(), StateErrc::unreadable_row);
}

TEST(StateStoreVersions, createsTheCurrentSchemaVersion) {
  test::TempDir dir;
  const auto path = dir.path() / StateStore::kFileName;
  ASSERT_TRUE(StateStore::open(path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(statement, 0), StateStore::kSchemaVersion);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST(StateStoreVersions, versionOneDatabaseIsMigratedKeepingItsDownloads) {
  test::TempDir dir;
  const auto path = dir.path() / StateStore::kFileName;
  const DownloadRecord record = make_download(make_manifest("old.iso"));
  {
    auto store = StateStore::open(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store.value().add_download(record));
  }
  // Back to version 1 as an older build left it: no queue positions.
  raw_exec(path, "ALTER TABLE downloads DROP COLUMN queue_position; PRAGMA user_version = 1");
  auto store = StateStore::open(path);
  ASSERT_TRUE(store) << store.error().message();
  expect_same_download(store.value().download(record.file_id).value().value(), record);
  ASSERT_TRUE(store.value().set_download_state(record.file_id, DownloadState::queued));
  ASSERT_EQ(store.value().queued_downloads().value().size(), 1U);
}

TEST(StateStoreVersions, refusesADatabaseOfANewerSchema) {
  test::TempDir dir;
  const auto path = dir.path() / StateStore::kFileName;
  ASSERT_TRUE(StateStore::open(path));
  raw_exec(path, "PRAGMA user_version = " + std::to_string(StateStore::kSchemaVersion + 1));
  auto opened = StateStore::open(path);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), core::Errc::unsupported_version);
}

} // namespace
} // namespace swarmshare::client
