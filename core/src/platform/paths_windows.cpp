#include "swarmshare/core/platform/paths.hpp"

#include "swarmshare/core/platform/system_error.hpp"

#include <windows.h>

#include <aclapi.h>
#include <shlobj.h>

#include <algorithm>
#include <optional>
#include <string>

namespace swarmshare::core::platform {
namespace {

std::optional<std::wstring> non_empty_env(const wchar_t* name) {
  // The wide call: a path in the environment may hold characters the ANSI code page lacks.
  const DWORD needed = ::GetEnvironmentVariableW(name, nullptr, 0);
  if (needed <= 1) {
    return std::nullopt;
  }
  std::wstring value(needed, L'\0');
  const DWORD length = ::GetEnvironmentVariableW(name, value.data(), needed);
  if (length == 0 || length >= needed) {
    return std::nullopt;
  }
  value.resize(length);
  return value;
}

class Handle {
public:
  explicit Handle(HANDLE handle) noexcept : handle_(handle) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&&) = delete;
  Handle& operator=(Handle&&) = delete;
  ~Handle() { close(); }
  [[nodiscard]] HANDLE get() const noexcept { return handle_; }
  [[nodiscard]] bool valid() const noexcept {
    return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE;
  }
  bool close() noexcept {
    const bool closed = !valid() || ::CloseHandle(handle_) != 0;
    handle_ = nullptr;
    return closed;
  }

private:
  HANDLE handle_;
};

// The TOKEN_USER of this process: the account it runs as, whose SID the owner-only ACLs
// name. Kept as the bytes GetTokenInformation filled (the SID lives inside them).
Result<std::vector<std::uint8_t>> current_user() {
  HANDLE raw = nullptr;
  if (::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &raw) == 0) {
    return last_system_error();
  }
  const Handle token{raw};
  DWORD size = 0;
  (void)::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  if (size == 0) {
    return last_system_error();
  }
  std::vector<std::uint8_t> user(size);
  if (::GetTokenInformation(token.get(), TokenUser, user.data(), size, &size) == 0) {
    return last_system_error();
  }
  return user;
}

PSID sid_of(std::vector<std::uint8_t>& token_user) noexcept {
  return reinterpret_cast<TOKEN_USER*>(token_user.data())->User.Sid;
}

// The ACL of owner-only access (what mode 0700 / 0600 is on POSIX systems): one entry that
// lets `user` do everything, inherited by what is made inside a folder.
Result<std::vector<std::uint8_t>> owner_only_acl(PSID user) {
  const DWORD size =
      sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + ::GetLengthSid(user);
  std::vector<std::uint8_t> acl(size);
  auto* list = reinterpret_cast<PACL>(acl.data());
  if (::InitializeAcl(list, size, ACL_REVISION) == 0 ||
      ::AddAccessAllowedAceEx(list, ACL_REVISION, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE,
                              FILE_ALL_ACCESS, user) == 0) {
    return last_system_error();
  }
  return acl;
}

// owner_only_acl for the user this process runs as.
Result<std::vector<std::uint8_t>> current_user_only_acl() {
  auto user = current_user();
  if (!user) {
    return user.error();
  }
  return owner_only_acl(sid_of(user.value()));
}

bool write_all(HANDLE file, std::span<const std::uint8_t> bytes) noexcept {
  constexpr std::size_t kMaxPiece = std::size_t{1} << 30; // WriteFile takes a DWORD
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto piece = static_cast<DWORD>(std::min(bytes.size() - done, kMaxPiece));
    DWORD wrote = 0;
    if (::WriteFile(file, bytes.data() + done, piece, &wrote, nullptr) == 0 || wrote == 0) {
      return false;
    }
    done += wrote;
  }
  return true;
}

} // namespace

Result<std::filesystem::path> default_data_dir() {
  if (auto home = non_empty_env(L"SWARMSHARE_HOME")) {
    return std::filesystem::path{*home};
  }
  // The local (not roaming) application data: databases and resume records belong to this
  // machine's downloads.
  PWSTR folder = nullptr;
  const HRESULT found =
      ::SHGetKnownFolderPath(FOLDERID_LocalAppData, KF_FLAG_DEFAULT, nullptr, &folder);
  if (FAILED(found) || folder == nullptr) {
    ::CoTaskMemFree(folder);
    return Errc::file_not_found;
  }
  std::filesystem::path path{folder};
  ::CoTaskMemFree(folder);
  return path / "Swarmshare";
}

Status create_private_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return error;
  }
  auto acl = current_user_only_acl();
  if (!acl) {
    return acl.error();
  }
  // Protected: the entries the parent folder would pass down are dropped, as chmod 0700
  // drops the group and other bits.
  const DWORD set = ::SetNamedSecurityInfoW(
      const_cast<wchar_t*>(dir.c_str()), SE_FILE_OBJECT,
      DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr,
      reinterpret_cast<PACL>(acl.value().data()), nullptr);
  if (set != ERROR_SUCCESS) {
    return windows_error(set);
  }
  return boost::outcome_v2::success();
}

Status write_private_file_atomically(const std::filesystem::path& path,
                                     std::span<const std::uint8_t> bytes) {
  auto acl = current_user_only_acl();
  if (!acl) {
    return acl.error();
  }
  SECURITY_DESCRIPTOR descriptor{};
  if (::InitializeSecurityDescriptor(&descriptor, SECURITY_DESCRIPTOR_REVISION) == 0 ||
      ::SetSecurityDescriptorDacl(&descriptor, TRUE, reinterpret_cast<PACL>(acl.value().data()),
                                  FALSE) == 0 ||
      ::SetSecurityDescriptorControl(&descriptor, SE_DACL_PROTECTED, SE_DACL_PROTECTED) == 0) {
    return last_system_error();
  }
  SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), &descriptor, FALSE};

  std::filesystem::path temporary = path;
  temporary += L".tmp-" + std::to_wstring(::GetCurrentProcessId());
  // A leftover of a crashed run would keep its own ACL if opened again (the security
  // attributes count only when a file is created): remove it and create afresh.
  (void)::DeleteFileW(temporary.c_str());
  Handle file{::CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, &attributes, CREATE_NEW,
                            FILE_ATTRIBUTE_NORMAL, nullptr)};
  if (!file.valid()) {
    return last_system_error();
  }
  if (!write_all(file.get(), bytes) || ::FlushFileBuffers(file.get()) == 0) {
    const auto error = last_system_error();
    (void)file.close();
    (void)::DeleteFileW(temporary.c_str());
    return error;
  }
  (void)file.close();
  // Write-through: the rename is on disk when the call returns (Windows has no fsync of a
  // folder).
  if (::MoveFileExW(temporary.c_str(), path.c_str(),
                    MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
    const auto error = last_system_error();
    (void)::DeleteFileW(temporary.c_str());
    return error;
  }
  return boost::outcome_v2::success();
}

Result<bool> is_owner_only(const std::filesystem::path& path) {
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD got = ::GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT,
                                            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                            &owner, nullptr, &dacl, nullptr, &descriptor);
  if (got != ERROR_SUCCESS) {
    return windows_error(got);
  }
  auto user = current_user();
  if (!user) {
    ::LocalFree(descriptor);
    return user.error();
  }
  const PSID self = sid_of(user.value());
  // No DACL at all grants everyone everything.
  bool owner_only = dacl != nullptr;
  ACL_SIZE_INFORMATION size{};
  if (owner_only && ::GetAclInformation(dacl, &size, sizeof(size), AclSizeInformation) == 0) {
    owner_only = false;
  }
  for (DWORD i = 0; owner_only && i < size.AceCount; ++i) {
    void* entry = nullptr;
    if (::GetAce(dacl, i, &entry) == 0) {
      owner_only = false;
      break;
    }
    const auto* header = static_cast<const ACE_HEADER*>(entry);
    if (header->AceType == ACCESS_DENIED_ACE_TYPE) {
      continue; // taking access away never shares a file
    }
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) {
      owner_only = false; // object and callback entries: not ours, so not trusted
      break;
    }
    auto* sid = static_cast<PSID>(&static_cast<ACCESS_ALLOWED_ACE*>(entry)->SidStart);
    // The system and the administrators can read any file anyway, as root can on POSIX
    // systems; Windows gives them entries by default.
    const bool trusted = ::EqualSid(sid, self) != 0 ||
                         (owner != nullptr && ::EqualSid(sid, owner) != 0) ||
                         ::IsWellKnownSid(sid, WinLocalSystemSid) != 0 ||
                         ::IsWellKnownSid(sid, WinBuiltinAdministratorsSid) != 0;
    owner_only = trusted;
  }
  ::LocalFree(descriptor);
  return owner_only;
}

} // namespace swarmshare::core::platform
