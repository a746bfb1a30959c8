#pragma once
// Runs a program of ours as a user would, and captures what it prints. POSIX only: the
// end-to-end tests run on Linux.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace swarmshare::test {

struct ProcessResult {
  int exit_code = -1; ///< -1 when it did not exit normally
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs `program` with `args`, stdin from /dev/null, and waits for it. `env` adds or
/// overrides environment variables of this process's environment.
inline ProcessResult run_process(const std::filesystem::path& program,
                                 const std::vector<std::string>& args,
                                 const std::filesystem::path& scratch_dir,
                                 const std::map<std::string, std::string>& env = {}) {
  const auto out_path = scratch_dir / "stdout.txt";
  const auto err_path = scratch_dir / "stderr.txt";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<std::string> storage{program.string()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text{*entry};
    if (env.find(std::string{text.substr(0, text.find('='))}) == env.end()) {
      env_storage.emplace_back(text);
    }
  }
  for (const auto& [name, value] : env) {
    env_storage.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : env_storage) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  pid_t pid = 0;
  ProcessResult result;
  if (posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

} // namespace swarmshare::test
