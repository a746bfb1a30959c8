#include "swarmshare/core/platform/terminal.hpp"

#include <windows.h>

#include <array>
#include <io.h>

namespace swarmshare::core::platform {
namespace {

HANDLE input_handle() noexcept { return ::GetStdHandle(STD_INPUT_HANDLE); }

// A console signals its handle for every input event, key releases, focus and mouse
// included; only a key press that types a character means a read will return soon. The
// other events are taken out of the way so the next wait does not wake for them again.
bool console_has_typed_key(HANDLE console) noexcept {
  constexpr DWORD kEventsAtOnce = 16;
  std::array<INPUT_RECORD, kEventsAtOnce> events{};
  for (;;) {
    DWORD count = 0;
    if (::PeekConsoleInputW(console, events.data(), kEventsAtOnce, &count) == 0 || count == 0) {
      return false;
    }
    for (DWORD i = 0; i < count; ++i) {
      const auto& event = events[i];
      if (event.EventType == KEY_EVENT && event.Event.KeyEvent.bKeyDown != 0 &&
          event.Event.KeyEvent.uChar.UnicodeChar != 0) {
        return true;
      }
    }
    DWORD removed = 0;
    if (::ReadConsoleInputW(console, events.data(), count, &removed) == 0) {
      return false;
    }
  }
}

} // namespace

bool is_terminal(std::FILE* stream) noexcept {
  // _isatty is true for any character device, the NUL device too; a console answers
  // GetConsoleMode.
  const auto handle = reinterpret_cast<HANDLE>(::_get_osfhandle(::_fileno(stream)));
  DWORD mode = 0;
  return handle != INVALID_HANDLE_VALUE && ::GetConsoleMode(handle, &mode) != 0;
}

bool wait_for_input(std::chrono::milliseconds timeout) noexcept {
  const HANDLE input = input_handle();
  if (input == nullptr || input == INVALID_HANDLE_VALUE) {
    return true; // no input at all: a read says so at once
  }
  const auto millis = static_cast<DWORD>(timeout.count());
  DWORD mode = 0;
  if (::GetConsoleMode(input, &mode) != 0) {
    if (::WaitForSingleObject(input, millis) != WAIT_OBJECT_0) {
      return false;
    }
    return console_has_typed_key(input);
  }
  if (::GetFileType(input) == FILE_TYPE_PIPE) {
    DWORD available = 0;
    if (::PeekNamedPipe(input, nullptr, 0, nullptr, &available, nullptr) == 0) {
      return true; // the writer closed it: the end of input is there to read
    }
    if (available == 0) {
      ::Sleep(millis);
      return false;
    }
    return true;
  }
  return true; // a file never makes a read wait
}

std::optional<char> read_input_byte() noexcept {
  char c = 0;
  DWORD got = 0;
  if (::ReadFile(input_handle(), &c, 1, &got, nullptr) == 0 || got != 1) {
    return std::nullopt;
  }
  return c;
}

} // namespace swarmshare::core::platform
