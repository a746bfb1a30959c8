// swarmshare-tracker: the Swarmshare tracker server, and operator commands on its database.

#include <utility> // before Boost.Asio: Boost 1.74 uses std::exchange without including it

#include "options.hpp"

#include "swarmshare/core/platform/paths.hpp"
#include "swarmshare/crypto/certificate.hpp"
#include "swarmshare/crypto/identity.hpp"
#include "swarmshare/tracker/server.hpp"
#include "swarmshare/tracker/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <exception>
#include <iostream>

namespace swarmshare::tracker_server {
namespace {

void set_up_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("tracker");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
  logger->set_level(level == "off"       ? spdlog::level::off
                    : level == "debug"   ? spdlog::level::debug
                    : level == "warning" ? spdlog::level::warn
                    : level == "error"   ? spdlog::level::err
                                         : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void log_from_server(tracker::LogLevel level, const std::string& text) {
  switch (level) {
  case tracker::LogLevel::debug: spdlog::debug(text); break;
  case tracker::LogLevel::info: spdlog::info(text); break;
  case tracker::LogLevel::warning: spdlog::warn(text); break;
  case tracker::LogLevel::error: spdlog::error(text); break;
  }
}

[[nodiscard]] core::Result<tracker::Store> open_store(const Options& options,
                                                      const std::filesystem::path& path) {
  if (auto made = core::platform::create_private_dir(path.parent_path()); !made) {
    spdlog::error("cannot create {}: {}", path.parent_path().string(), made.error().message());
    return made.error();
  }
  auto store_options = options.store;
  store_options.entry_ttl = std::chrono::seconds{options.ttl_seconds};
  auto store = tracker::Store::open(path, store_options);
  if (!store) {
    spdlog::error("cannot open the database {}: {}", path.string(), store.error().message());
  }
  return store;
}

int run_operator_command(const Options& options, const std::filesystem::path& path) {
  // A typo in --db must not create an empty registry and report success on it.
  if (std::error_code error; !std::filesystem::exists(path, error)) {
    std::cerr << "swarmshare-tracker: no tracker database at " << path.string() << '\n';
    return kExitFailure;
  }
  auto store = open_store(options, path);
  if (!store) {
    return kExitFailure;
  }
  if (options.delete_file->parsed()) {
    auto file_id = core::FileId::parse(options.delete_file_id);
    if (!file_id) {
      std::cerr << "swarmshare-tracker: not a File ID: " << options.delete_file_id << '\n';
      return kExitUsage;
    }
    if (auto deleted = store.value().delete_file(file_id.value(), std::chrono::system_clock::now());
        !deleted) {
      spdlog::error("delete-file failed: {}", deleted.error().message());
      return kExitFailure;
    }
    std::cout << "deleted file " << options.delete_file_id << '\n';
    return kExitOk;
  }
  auto peer = crypto::PeerId::parse(options.ban_peer_id);
  if (!peer) {
    std::cerr << "swarmshare-tracker: not a Peer ID: " << options.ban_peer_id << '\n';
    return kExitUsage;
  }
  if (auto banned = store.value().ban_peer(peer.value()); !banned) {
    spdlog::error("ban-peer failed: {}", banned.error().message());
    return kExitFailure;
  }
  std::cout << "banned peer " << peer.value().to_string() << '\n';
  return kExitOk;
}

int serve(const Options& options, const std::filesystem::path& path) {
  auto listen = parse_listen_address(options.listen);
  if (!listen) {
    std::cerr << "swarmshare-tracker: --listen: not an ADDR:PORT: " << options.listen << '\n';
    return kExitUsage;
  }
  tracker::ServerOptions server_options;
  server_options.listen = listen.value();
  server_options.limits = options.limits;
  server_options.limits.handshake_timeout = std::chrono::milliseconds{
      static_cast<std::int64_t>(options.handshake_timeout_seconds * 1000)};
  server_options.limits.idle_timeout =
      std::chrono::milliseconds{static_cast<std::int64_t>(options.idle_timeout_seconds * 1000)};
  server_options.io_threads = options.threads;
  for (const auto& text : options.admins) {
    auto admin = crypto::PeerId::parse(text);
    if (!admin) {
      std::cerr << "swarmshare-tracker: --admin: not a Peer ID: " << text << '\n';
      return kExitUsage;
    }
    server_options.admins.push_back(admin.value());
  }

  auto store = open_store(options, path);
  if (!store) {
    return kExitFailure;
  }
  // The tracker's own identity, beside its database: clients pin it as PEERID@HOST:PORT.
  auto identity = crypto::load_or_create_identity(path.parent_path());
  if (!identity) {
    spdlog::error("{}: {}", crypto::identity_file_path(path.parent_path()).string(),
                  identity.error().message());
    return kExitFailure;
  }
  std::cout << "tracker id " << identity.value().peer_id().to_string() << std::endl;
  crypto::StaticKeyManager keys(identity.value(), crypto::NetworkId::public_network(),
                                core::real_clock());

  // Before anything is printed: a script that reads `listening on` and at once sends SIGTERM
  // must get a clean stop, not the default action of the signal.
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code&, int signal) { received = signal; });

  auto server = tracker::Server::start(store.value(), keys, server_options, core::real_clock(),
                                       log_from_server);
  if (!server) {
    spdlog::error("cannot listen on {}: {}", options.listen, server.error().message());
    return kExitFailure;
  }
  const auto local = server.value()->local_endpoint().to_string();
  spdlog::info("database {}, entry TTL {} s", path.string(), options.ttl_seconds);
  // Scripts and tests wait for this line: it comes once connections are accepted.
  std::cout << "listening on " << local << std::endl;

  signals_context.run();
  spdlog::info("{}: stopping", received == SIGINT ? "SIGINT" : "SIGTERM");
  server.value()->stop();
  const auto counters = server.value()->counters();
  spdlog::info("served {} connections, {} requests; stopped", counters.connections_accepted,
               counters.requests);
  return kExitOk;
}

} // namespace
} // namespace swarmshare::tracker_server

int main(int argc, char** argv) {
  using namespace swarmshare::tracker_server;
  CLI::App app{"swarmshare-tracker: the Swarmshare tracker, the registry peers announce their "
               "files to and find sources in"};
  app.set_version_flag("--version", std::string{"swarmshare-tracker "} + SWARMSHARE_VERSION);
  app.footer("Exit codes: 0 success, 1 failure, 2 usage error.");
  Options options;
  options.add_to(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    set_up_logging(options.log_level);
    auto path = options.database_path();
    if (!path) {
      std::cerr << "swarmshare-tracker: cannot find the data directory (set HOME or "
                   "SWARMSHARE_HOME, or pass --db)\n";
      return kExitFailure;
    }
    if (options.delete_file->parsed() || options.ban_peer->parsed()) {
      return run_operator_command(options, path.value());
    }
    return serve(options, path.value());
  } catch (const std::exception& error) {
    std::cerr << "swarmshare-tracker: " << error.what() << '\n';
    return kExitFailure;
  }
}
