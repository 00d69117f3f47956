#include "security/seccomp_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "orun/fd.hpp"

namespace orun::security::seccomp {

namespace {

// File:  magic | u32 entry count | entries, newest first when written
// Entry: u64 last use | key (64 hex) | u32 instruction count | instructions
//        | SHA-256 of key, count and instructions
// Native byte order: the key names the architecture.
constexpr char kMagic[8] = {'O', 'R', 'U', 'N', 'S', 'C', 'C', '2'};
constexpr size_t kKeyLen = 64;
constexpr size_t kHeader = sizeof(kMagic) + sizeof(uint32_t);
constexpr size_t kDigestLen = 32;
constexpr size_t kMaxFile = 16u << 20;  // never read more than this

size_t entry_size(size_t insns) {
  return sizeof(uint64_t) + kKeyLen + sizeof(uint32_t) + insns * sizeof(sock_filter) + kDigestLen;
}

struct Entry {
  std::string key;
  uint64_t used = 0;
  size_t start = 0;  // offset of the entry (its `used` field) in the file
  size_t count = 0;  // instructions
  size_t size() const { return entry_size(count); }
  size_t insns_at() const { return start + sizeof(uint64_t) + kKeyLen + sizeof(uint32_t); }
};

bool valid_key(const std::string& key) {
  if (key.size() != 64) return false;
  for (char c : key)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Every entry, or nullopt when the file is not a cache of this format.
std::optional<std::vector<Entry>> parse(const std::string& buf) {
  if (buf.size() < kHeader || std::memcmp(buf.data(), kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  uint32_t n = 0;
  std::memcpy(&n, buf.data() + sizeof(kMagic), sizeof(n));
  std::vector<Entry> out;
  size_t off = kHeader;
  for (uint32_t i = 0; i < n; i++) {
    if (buf.size() - off < entry_size(0)) return std::nullopt;
    Entry e;
    e.start = off;
    std::memcpy(&e.used, buf.data() + off, sizeof(e.used));
    e.key = buf.substr(off + sizeof(uint64_t), kKeyLen);
    uint32_t count = 0;
    std::memcpy(&count, buf.data() + off + sizeof(uint64_t) + kKeyLen, sizeof(count));
    if (count == 0 || count > BPF_MAXINSNS || buf.size() - off < entry_size(count)) return std::nullopt;
    e.count = count;
    out.push_back(std::move(e));
    off += out.back().size();
  }
  if (off != buf.size()) return std::nullopt;
  return out;
}

// Whether the entry's program is the one written (checked only for the
// entries used: hashing the whole file on every hit would cost more than
// the cache saves).
bool intact(const std::string& buf, const Entry& e) {
  size_t body = e.size() - sizeof(uint64_t) - kDigestLen;
  auto digest = sha256(std::string_view(buf).substr(e.start + sizeof(uint64_t), body));
  return std::memcmp(digest.data(), buf.data() + e.start + sizeof(uint64_t) + body, kDigestLen) == 0;
}

// The cache file, if it is ours: a regular file (a symlink is not
// followed), owned by this user and writable by no one else.
UniqueFd open_ours(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return {};
  UniqueFd f(fd);
  struct stat st{};
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0 ||
      st.st_size > static_cast<off_t>(kMaxFile))
    return {};
  return f;
}

std::optional<std::string> read_all(int fd) {
  struct stat st{};
  if (fstat(fd, &st) < 0) return std::nullopt;
  std::string buf(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    got += static_cast<size_t>(n);
  }
  return buf;
}

uint64_t newest(const std::vector<Entry>& entries) {
  uint64_t n = 0;
  for (auto& e : entries) n = std::max(n, e.used);
  return n;
}

}  // namespace

std::optional<std::vector<sock_filter>> cache_read(const std::string& path, const std::string& key) {
  if (!valid_key(key)) return std::nullopt;
  UniqueFd f = open_ours(path, O_RDWR);
  bool writable = static_cast<bool>(f);
  if (!f) f = open_ours(path, O_RDONLY);  // a read-only root: hits are not recorded
  if (!f) return std::nullopt;
  auto buf = read_all(f.get());
  if (!buf) return std::nullopt;
  auto entries = parse(*buf);
  if (!entries) return std::nullopt;
  auto it = std::find_if(entries->begin(), entries->end(), [&](const Entry& e) { return e.key == key; });
  if (it == entries->end() || !intact(*buf, *it)) return std::nullopt;
  std::vector<sock_filter> prog(it->count);
  std::memcpy(prog.data(), buf->data() + it->insns_at(), it->count * sizeof(sock_filter));
  uint64_t top = newest(*entries);
  if (writable && it->used != top) {
    // Least-recently-used order: mark this entry the newest. An 8-byte
    // write outside the checksummed part; racing a writer's rename, it
    // lands in the replaced file and is lost, which costs nothing.
    uint64_t used = top + 1;
    (void)!pwrite(f.get(), &used, sizeof(used), static_cast<off_t>(it->start));
  }
  return prog;
}

void cache_write(const std::string& path, const std::string& key, const std::vector<sock_filter>& prog,
                 const CacheLimits& limits) {
  if (!valid_key(key) || prog.empty() || prog.size() > BPF_MAXINSNS) return;
  size_t total = kHeader + entry_size(prog.size());
  if (limits.max_entries == 0 || total > limits.max_bytes) return;

  std::string old;
  std::vector<Entry> kept;
  if (UniqueFd f = open_ours(path, O_RDONLY)) {
    if (auto b = read_all(f.get())) old = std::move(*b);
    if (auto es = parse(old)) kept = std::move(*es);
  }
  uint64_t used = newest(kept) + 1;
  std::erase_if(kept, [&](const Entry& e) { return e.key == key || !intact(old, e); });
  std::stable_sort(kept.begin(), kept.end(), [](const Entry& a, const Entry& b) { return a.used > b.used; });
  // Keep the most recently used entries that fit beside the new one.
  size_t n = 1;
  for (auto& e : kept) {
    if (n + 1 > limits.max_entries || total + e.size() > limits.max_bytes) break;
    total += e.size();
    n++;
  }
  kept.resize(n - 1);

  std::string out;
  out.reserve(total);
  out.append(kMagic, sizeof(kMagic));
  uint32_t count32 = static_cast<uint32_t>(n);
  out.append(reinterpret_cast<const char*>(&count32), sizeof(count32));
  out.append(reinterpret_cast<const char*>(&used), sizeof(used));
  size_t body = out.size();
  out += key;
  uint32_t insns = static_cast<uint32_t>(prog.size());
  out.append(reinterpret_cast<const char*>(&insns), sizeof(insns));
  out.append(reinterpret_cast<const char*>(prog.data()), prog.size() * sizeof(sock_filter));
  auto digest = sha256(std::string_view(out).substr(body));
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  for (auto& e : kept) out.append(old, e.start, e.size());

  // Not a container id either (':'); a crashed writer's leftover of the
  // same name is replaced.
  std::string tmp = path + "." + std::to_string(getpid()) + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST && unlink(tmp.c_str()) == 0)
    fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  UniqueFd f(fd);
  bool ok = write_all(fd, out.data(), out.size());
  f.reset();
  // rename(2) is atomic: a reader sees the old file or the whole new one.
  if (!ok || rename(tmp.c_str(), path.c_str()) < 0) unlink(tmp.c_str());
}

}  // namespace orun::security::seccomp
