#include "probes/mapped_ring.h"

#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "probes/bpf_maps.h"

namespace hs::probes {

Result<MappedRing> MappedRing::map(int fd, std::uint32_t bytes) {
  if (bytes == 0 || (bytes & (bytes - 1)) != 0) return bpf_error("ring", "map", EINVAL, "size not a power of two");
  MappedRing ring;
  ring.page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  ring.bytes_ = bytes;
  void* c = ::mmap(nullptr, ring.page_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (c == MAP_FAILED) return bpf_error("ring", "map consumer page", errno);
  ring.consumer_page_ = c;
  void* p = ::mmap(nullptr, ring.page_ + std::size_t{bytes}, PROT_READ, MAP_SHARED, fd,
                   static_cast<off_t>(ring.page_));
  if (p == MAP_FAILED) return bpf_error("ring", "map data", errno);
  ring.producer_pages_ = p;
  return ring;
}

MappedRing::MappedRing(MappedRing&& other) noexcept { *this = std::move(other); }

MappedRing& MappedRing::operator=(MappedRing&& other) noexcept {
  if (this != &other) {
    unmap();
    consumer_page_ = std::exchange(other.consumer_page_, nullptr);
    producer_pages_ = std::exchange(other.producer_pages_, nullptr);
    page_ = other.page_;
    bytes_ = other.bytes_;
    wrapped_ = std::move(other.wrapped_);
  }
  return *this;
}

MappedRing::~MappedRing() { unmap(); }

void MappedRing::unmap() {
  if (consumer_page_) ::munmap(consumer_page_, page_);
  if (producer_pages_) ::munmap(producer_pages_, page_ + std::size_t{bytes_});
  consumer_page_ = producer_pages_ = nullptr;
}

std::uint64_t MappedRing::producer() const {
  return __atomic_load_n(static_cast<const std::uint64_t*>(producer_pages_), __ATOMIC_ACQUIRE);
}

// The record at pos, if written in full before `producer`. Each has an 8-byte
// header (its length, with busy and discard bits) and is padded to 8 bytes.
bool MappedRing::next(std::uint64_t& pos, std::uint64_t producer, Record& out) const {
  if (pos >= producer || producer - pos < BPF_RINGBUF_HDR_SZ) return false;
  const auto* data = static_cast<const unsigned char*>(producer_pages_) + page_;
  const std::uint64_t offset = pos & (bytes_ - 1);  // headers are 8-byte aligned: none wraps
  const auto* header = reinterpret_cast<const std::uint32_t*>(data + offset);
  const std::uint32_t word = __atomic_load_n(header, __ATOMIC_ACQUIRE);
  if (word & BPF_RINGBUF_BUSY_BIT) return false;
  const std::uint32_t size = word & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
  const std::uint64_t step = (std::uint64_t{size} + BPF_RINGBUF_HDR_SZ + 7) & ~std::uint64_t{7};
  if (size > bytes_ || step > producer - pos) return false;  // not the kernel's writing: read no further
  pos += step;
  const void* body = header + 2;
  const std::uint64_t start = offset + BPF_RINGBUF_HDR_SZ;  // at most bytes_
  if (start >= bytes_) {
    body = data + (start - bytes_);  // the header ends the data: the body starts it
  } else if (start + size > bytes_) {
    const std::size_t head = bytes_ - start;
    wrapped_.resize((size + 7) / 8);
    auto* copy = reinterpret_cast<unsigned char*>(wrapped_.data());
    std::memcpy(copy, data + start, head);
    std::memcpy(copy + head, data, size - head);
    body = copy;
  }
  out = {body, size, (word & BPF_RINGBUF_DISCARD_BIT) != 0, pos};
  return true;
}

void MappedRing::release_to(std::uint64_t pos) {
  __atomic_store_n(static_cast<std::uint64_t*>(consumer_page_), pos, __ATOMIC_RELEASE);
}

}  // namespace hs::probes
