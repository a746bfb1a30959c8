// bench_transfer_floor: the CPU a one-to-one transfer cannot avoid on this machine, per GiB,
// measured part by part, and the throughput that bounds on the cores it has.
//
//   encrypt   crypto_secretstream_xchacha20poly1305 push of 64 KiB records (the seeder)
//   decrypt   the matching pull (the downloader)
//   hash      BLAKE2b-256 of each 256 KiB chunk (the downloader verifies every chunk)
//   tcp       1 GiB through a loopback TCP connection in 64 KiB writes and reads, two
//             threads, no other work: both threads' CPU time, kernel included
//
// The protocol fixes the first three (docs/PROTOCOL.md); the fourth is the least a byte
// costs to cross loopback. Reading the shared file, the messages, the event loops and the
// disk writes come on top. Each part runs `rounds` times; the figures are medians of CPU
// time (getrusage per thread), so a busy machine inflates them less than wall time.
//
//   bench_transfer_floor [rounds, default 5] [cores to share, default 2]

#include <sodium.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kGiB = std::size_t{1} << 30;
constexpr std::size_t kRecordBytes = 64 * 1024;
constexpr std::size_t kChunkBytes = 256 * 1024;

double thread_cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) {
    throw std::runtime_error("getrusage failed");
  }
  const auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds of the calling thread for `work`.
double cpu_of(const std::function<void()>& work) {
  const double before = thread_cpu_seconds();
  work();
  return thread_cpu_seconds() - before;
}

struct Crypto {
  std::vector<unsigned char> plain = std::vector<unsigned char>(kRecordBytes, 0x5a);
  std::vector<unsigned char> sealed = std::vector<unsigned char>(
      (kGiB / kRecordBytes) * (kRecordBytes + crypto_secretstream_xchacha20poly1305_ABYTES));
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES]{};
  unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES]{};

  double encrypt() {
    crypto_secretstream_xchacha20poly1305_keygen(key);
    crypto_secretstream_xchacha20poly1305_state state;
    crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
    return cpu_of([&] {
      unsigned char* out = sealed.data();
      for (std::size_t i = 0; i < kGiB / kRecordBytes; ++i) {
        unsigned long long length = 0;
        crypto_secretstream_xchacha20poly1305_push(&state, out, &length, plain.data(), plain.size(),
                                                   nullptr, 0, 0);
        out += length;
      }
    });
  }

  double decrypt() {
    crypto_secretstream_xchacha20poly1305_state state;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key) != 0) {
      throw std::runtime_error("init_pull failed");
    }
    return cpu_of([&] {
      const unsigned char* in = sealed.data();
      const std::size_t sealed_record = kRecordBytes + crypto_secretstream_xchacha20poly1305_ABYTES;
      for (std::size_t i = 0; i < kGiB / kRecordBytes; ++i) {
        unsigned long long length = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data(), &length, &tag, in,
                                                       sealed_record, nullptr, 0) != 0) {
          throw std::runtime_error("a record failed to decrypt");
        }
        in += sealed_record;
      }
    });
  }
};

double hash_gib(const std::vector<unsigned char>& data) {
  return cpu_of([&] {
    unsigned char digest[32];
    for (std::size_t done = 0; done < kGiB; done += kChunkBytes) {
      const std::size_t offset = done % (data.size() - kChunkBytes + 1);
      crypto_generichash(digest, sizeof digest, data.data() + offset, kChunkBytes, nullptr, 0);
    }
  });
}

// Both threads' CPU for one GiB through loopback TCP.
double tcp_gib() {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t address_length = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &address_length) != 0) {
    throw std::runtime_error("loopback listener failed");
  }
  double sender_cpu = 0;
  std::thread sender([&] {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::abort();
    }
    std::vector<unsigned char> buffer(kRecordBytes, 0x5a);
    sender_cpu = cpu_of([&] {
      for (std::size_t sent = 0; sent < kGiB;) {
        const ssize_t n = send(fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) {
          std::abort();
        }
        sent += std::size_t(n);
      }
    });
    close(fd);
  });
  const int fd = accept(listener, nullptr, nullptr);
  std::vector<unsigned char> buffer(kRecordBytes);
  const double receiver_cpu = cpu_of([&] {
    for (;;) {
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
      if (n <= 0) {
        break;
      }
    }
  });
  sender.join();
  close(fd);
  close(listener);
  return sender_cpu + receiver_cpu;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const int cores = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  if (sodium_init() < 0) {
    std::fprintf(stderr, "sodium_init failed\n");
    return 1;
  }
  Crypto crypto;
  std::vector<unsigned char> hash_input(std::size_t{64} << 20);
  randombytes_buf(hash_input.data(), hash_input.size());
  std::vector<double> encrypt, decrypt, hash, tcp;
  for (int round = 0; round < rounds; ++round) {
    encrypt.push_back(crypto.encrypt());
    decrypt.push_back(crypto.decrypt());
    hash.push_back(hash_gib(hash_input));
    tcp.push_back(tcp_gib());
    std::fprintf(stderr, "round %d: encrypt %.3f s, decrypt %.3f s, hash %.3f s, tcp %.3f s\n",
                 round + 1, encrypt.back(), decrypt.back(), hash.back(), tcp.back());
  }
  const double e = median(encrypt), d = median(decrypt), h = median(hash), t = median(tcp);
  const double floor_s = e + d + h + t;
  const double bound_mbps = double(kGiB) / (floor_s / cores) / 1e6;
  std::printf("encrypt_cpu_s_per_gib=%.3f decrypt_cpu_s_per_gib=%.3f hash_cpu_s_per_gib=%.3f "
              "tcp_cpu_s_per_gib=%.3f floor_cpu_s_per_gib=%.3f cores=%d bound_MBps=%.1f\n",
              e, d, h, t, floor_s, cores, bound_mbps);
  return 0;
}
