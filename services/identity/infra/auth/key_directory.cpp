#include "infra/auth/key_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "infra/auth/key_ring_file.hpp"
#include "platform/try.hpp"
#include "platform/uuid.hpp"

namespace identity::infra {
namespace {

namespace fs = std::filesystem;
using platform::Error;

// A ring is a few hundred bytes a key; anything near this is not one.
constexpr std::size_t kMaxRingBytes = 1024 * 1024;
constexpr std::string_view kNewKeyPrefix = "key-";
constexpr std::string_view kKeySuffix = ".pem";

std::string PathIn(const std::string& dir, std::string_view name) {
  return (fs::path(dir) / name).string();
}

std::string ErrnoText(int error) { return std::strerror(error); }

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int Get() const { return fd_; }
  // Closes now, reporting the error close() gives (a write that did not reach the disk).
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Whether the directory entry for `dir` is on disk (after a rename into it).
int SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.Get() < 0) return errno;
  return ::fsync(fd.Get()) == 0 ? 0 : errno;
}

// Writes `content` to dir/name through a temporary file of this process's own in `dir` (mode
// `mode` whatever the umask, fsynced) and a rename; 0 or the errno of what failed.
int WriteAtomically(const std::string& dir, std::string_view name, std::string_view content,
                    mode_t mode) {
  std::string tmp = PathIn(dir, "." + std::string(name) + ".XXXXXX");
  Fd fd(::mkstemp(tmp.data()));
  if (fd.Get() < 0) return errno;
  auto fail = [&tmp](int error) {
    ::unlink(tmp.c_str());
    return error;
  };
  if (::fchmod(fd.Get(), mode) != 0) return fail(errno);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.Get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(n < 0 ? errno : EIO);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.Get()) != 0) return fail(errno);
  if (const int error = fd.Close(); error != 0) return fail(error);
  if (::rename(tmp.c_str(), PathIn(dir, name).c_str()) != 0) return fail(errno);
  return SyncDirectory(dir);
}

Error WriteError(const std::string& dir, std::string_view name, int error) {
  return Error::Internal("cannot write " + PathIn(dir, name) + ": " + ErrnoText(error));
}

// keyring.json's ring, nullopt when there is none (a directory from before rings).
platform::Result<std::optional<domain::KeyRing>> ReadRing(const std::string& dir) {
  const std::string path = PathIn(dir, kKeyRingFile);
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::error_code ec;
    if (!fs::exists(path, ec) && !ec) return std::optional<domain::KeyRing>();
    return std::unexpected(Error::Internal("cannot read " + path));
  }
  std::string text(kMaxRingBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (file.bad()) return std::unexpected(Error::Internal("cannot read " + path));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > kMaxRingBytes) {
    return std::unexpected(Error::Internal(path + " is larger than 1 MiB"));
  }
  auto ring = ParseKeyRing(text);
  if (!ring) return std::unexpected(Error::Internal(dir + "/" + ring.error().detail));
  return std::optional<domain::KeyRing>(std::move(*ring));
}

// The private key in dir/file (which must exist), or an error naming the file.
platform::Result<platform::auth::SigningKey> LoadKey(const std::string& dir, std::string_view file,
                                                     bool create) {
  const std::string path = PathIn(dir, file);
  try {
    return create ? platform::auth::SigningKey::LoadOrCreate(path)
                  : platform::auth::SigningKey::Load(path);
  } catch (const std::runtime_error& e) {
    // SigningKey's messages name the file and what failed, never the key.
    return std::unexpected(Error::Internal(e.what()));
  }
}

// The ring of `dir` as it stands: keyring.json's, or the legacy key's ring (nullopt when the
// directory holds neither).
platform::Result<std::optional<domain::KeyRing>> CurrentRing(const std::string& dir) {
  TODO_TRY(auto ring, ReadRing(dir));
  if (ring) return ring;
  std::error_code ec;
  if (!fs::exists(PathIn(dir, kLegacyKeyFile), ec)) {
    if (ec) return std::unexpected(Error::Internal("cannot read " + dir + ": " + ec.message()));
    return std::optional<domain::KeyRing>();
  }
  TODO_TRY(auto key, LoadKey(dir, kLegacyKeyFile, false));
  return std::optional<domain::KeyRing>(
      domain::LegacyRing(key.KeyId(), std::string(kLegacyKeyFile)));
}

// An exclusive lock on a directory (flock on the directory itself, so no lock file ends up
// among the keys), released when it goes out of scope.
class DirectoryLock {
 public:
  static platform::Result<std::unique_ptr<DirectoryLock>> Take(const std::string& dir) {
    auto fd = std::make_unique<Fd>(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd->Get() < 0) {
      return std::unexpected(Error::Internal("cannot open " + dir + ": " + ErrnoText(errno)));
    }
    if (::flock(fd->Get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return std::unexpected(Error::Conflict("another rotation holds " + dir));
      }
      return std::unexpected(Error::Internal("cannot lock " + dir + ": " + ErrnoText(errno)));
    }
    return std::unique_ptr<DirectoryLock>(new DirectoryLock(std::move(fd)));
  }

 private:
  explicit DirectoryLock(std::unique_ptr<Fd> fd) : fd_(std::move(fd)) {}
  std::unique_ptr<Fd> fd_;  // closing it releases the lock
};

// A new private key in dir/key-<kid>.pem: generated into a temporary file (0600, fsynced, by
// SigningKey), then renamed into place.
platform::Result<std::pair<platform::auth::SigningKey, std::string>> NewKeyFile(
    const std::string& dir) {
  const std::string tmp = PathIn(dir, ".key-" + platform::RandomToken() + ".tmp");
  TODO_TRY(auto key, LoadKey(dir, fs::path(tmp).filename().string(), true));
  std::string file = std::string(kNewKeyPrefix) + key.KeyId() + std::string(kKeySuffix);
  if (::rename(tmp.c_str(), PathIn(dir, file).c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(WriteError(dir, file, error));
  }
  if (const int error = SyncDirectory(dir); error != 0) {
    return std::unexpected(WriteError(dir, file, error));
  }
  return std::pair{std::move(key), std::move(file)};
}

// Key files (the legacy one, key-*.pem, a crashed rotation's .key-*.tmp) that `ring` does not
// name: deleted after a rotation.
std::vector<std::string> UnlistedKeyFiles(const std::string& dir, const domain::KeyRing& ring) {
  std::set<std::string, std::less<>> listed;
  for (const auto& key : ring.keys) listed.insert(key.file);
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool key_file = name == kLegacyKeyFile ||
                          (name.starts_with(kNewKeyPrefix) && name.ends_with(kKeySuffix)) ||
                          (name.starts_with(".key-") && name.ends_with(".tmp"));
    if (key_file && !listed.contains(name)) out.push_back(name);
  }
  return out;
}

}  // namespace

platform::Result<KeySet> LoadKeyDirectory(const std::string& dir, std::int64_t now,
                                          bool create_first) {
  KeySet set;
  TODO_TRY(auto ring, ReadRing(dir));
  if (!ring) {
    if (create_first) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) return std::unexpected(Error::Internal("cannot create " + dir + ": " + ec.message()));
    }
    TODO_TRY(auto key, LoadKey(dir, kLegacyKeyFile, create_first));
    set.ring = domain::LegacyRing(key.KeyId(), std::string(kLegacyKeyFile));
    set.keys.emplace(key.KeyId(), std::move(key));
    set.legacy = true;
    return set;
  }
  if (auto valid = domain::ValidateRing(*ring, now); !valid) {
    return std::unexpected(
        Error::Internal(PathIn(dir, kKeyRingFile) + ": " + valid.error().detail));
  }
  for (const auto& entry : domain::PublishedAt(*ring, now)) {
    TODO_TRY(auto key, LoadKey(dir, entry.file, false));
    if (key.KeyId() != entry.kid) {
      return std::unexpected(Error::Internal(PathIn(dir, kKeyRingFile) + ": key " + entry.kid +
                                             ": " + entry.file + " holds another key (" +
                                             key.KeyId() + ")"));
    }
    set.keys.emplace(entry.kid, std::move(key));
  }
  set.ring = std::move(*ring);
  return set;
}

platform::Result<JwksFile> PublishJwks(const std::string& dir, std::string_view jwks) {
  const int error = WriteAtomically(dir, kJwksFile, jwks, 0644);
  if (error == EROFS) return JwksFile::kReadOnly;
  if (error != 0) return std::unexpected(WriteError(dir, kJwksFile, error));
  return JwksFile::kWritten;
}

std::vector<std::string> DeleteRetiredKeyFiles(const std::string& dir, const domain::KeyRing& ring,
                                               std::int64_t now) {
  std::vector<std::string> deleted;
  for (const auto& key : domain::RetiredAt(ring, now)) {
    if (::unlink(PathIn(dir, key.file).c_str()) == 0) deleted.push_back(key.file);
  }
  return deleted;
}

platform::Result<Rotation> RotateSigningKey(const std::string& dir, std::int64_t now,
                                            const domain::RotationTimes& times, bool at_once) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(Error::Internal("cannot create " + dir + ": " + ec.message()));
  TODO_TRY(auto lock, DirectoryLock::Take(dir));
  Rotation rotation;
  TODO_TRY(auto before, CurrentRing(dir));
  if (before) rotation.before = std::move(*before);

  TODO_TRY(auto created, NewKeyFile(dir));
  auto& [key, file] = created;
  rotation.kid = key.KeyId();
  domain::RingKey next{key.KeyId(), file, now, std::nullopt};
  rotation.after = at_once ? domain::RotateNow(std::move(next), now)
                           : domain::Rotate(rotation.before, std::move(next), now, times);
  if (auto valid = domain::ValidateRing(rotation.after, now); !valid) {
    ::unlink(PathIn(dir, file).c_str());
    return std::unexpected(valid.error());
  }
  if (const int error = WriteAtomically(dir, kKeyRingFile, FormatKeyRing(rotation.after), 0600);
      error != 0) {
    ::unlink(PathIn(dir, file).c_str());
    return std::unexpected(WriteError(dir, kKeyRingFile, error));
  }

  // jwks.json as a replica would publish it now (each replica rewrites it on its next reload).
  std::vector<platform::auth::VerifyingKey> published;
  for (const auto& entry : domain::PublishedAt(rotation.after, now)) {
    if (entry.kid == rotation.kid) {
      published.push_back(key.Public());
    } else {
      TODO_TRY(auto old, LoadKey(dir, entry.file, false));
      published.push_back(old.Public());
    }
  }
  TODO_TRY_VOID(PublishJwks(dir, platform::auth::JwksJson(published)));

  for (const auto& name : UnlistedKeyFiles(dir, rotation.after)) {
    if (::unlink(PathIn(dir, name).c_str()) == 0) rotation.deleted.push_back(name);
  }
  return rotation;
}

}  // namespace identity::infra
