#pragma once

// ThreadSanitizer follows threads, not the stacks a thread switches between.
// Boost.Context (1.74) does not tell it of its switches, so Event does,
// through these: without them TSan would take a handler resumed on the I/O
// thread for the code it interrupted, and report races that are not, or
// miss some that are. In other builds they cost nothing.
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace kong::server::tsan {

#if defined(__SANITIZE_THREAD__)
inline void* current_fiber() {
  return __tsan_get_current_fiber();
}
inline void* create_fiber() {
  return __tsan_create_fiber(0);
}
inline void destroy_fiber(void* fiber) {
  __tsan_destroy_fiber(fiber);
}
/// Right before switching stacks: the code that runs next is `fiber`'s.
inline void switch_to_fiber(void* fiber) {
  __tsan_switch_to_fiber(fiber, 0);
}
#else
inline void* current_fiber() {
  return nullptr;
}
inline void* create_fiber() {
  return nullptr;
}
inline void destroy_fiber(void*) {}
inline void switch_to_fiber(void*) {}
#endif

}  // namespace kong::server::tsan
