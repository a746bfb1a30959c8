#pragma once
// Setting and clearing environment variables in tests, the same call on every system
// (POSIX setenv/unsetenv; _putenv_s on Windows, where an empty value removes the variable).
#include <cstdlib>

namespace swarmshare::test {

inline bool set_env(const char* name, const char* value) {
#ifdef _WIN32
  return ::_putenv_s(name, value) == 0;
#else
  return ::setenv(name, value, 1) == 0;
#endif
}

inline bool unset_env(const char* name) {
#ifdef _WIN32
  return ::_putenv_s(name, "") == 0;
#else
  return ::unsetenv(name) == 0;
#endif
}

} // namespace swarmshare::test
