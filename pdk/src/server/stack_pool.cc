#include "server/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace kong::server {
namespace {

std::size_t page_size() {
  static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

StackPool::StackPool(std::size_t stack_bytes, std::size_t max_idle)
    : stack_bytes_((stack_bytes + page_size() - 1) / page_size() * page_size()),
      max_idle_(max_idle) {}

StackPool::~StackPool() {
  for (auto& sc : idle_) {
    ::munmap(static_cast<char*>(sc.sp) - sc.size - page_size(), sc.size + page_size());
  }
}

boost::context::stack_context StackPool::allocate() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto sc = idle_.back();
      idle_.pop_back();
      return sc;
    }
  }
  const std::size_t total = stack_bytes_ + page_size();
  void* base = ::mmap(nullptr, total, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    throw std::bad_alloc();
  ::mprotect(base, page_size(), PROT_NONE);  // guard page: stacks grow down
  boost::context::stack_context sc;
  sc.size = stack_bytes_;
  sc.sp = static_cast<char*>(base) + total;
  return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) {
  {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(sc);
      return;
    }
  }
  ::munmap(static_cast<char*>(sc.sp) - sc.size - page_size(), sc.size + page_size());
}

}  // namespace kong::server
