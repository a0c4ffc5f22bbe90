// Boost.Context's ucontext fibers (BOOST_USE_UCONTEXT, which sanitizer builds
// choose for their ASan annotations) call fiber_activation_record::current(),
// which only a Boost.Context library built for ucontext defines; Debian's is
// built for fcontext. pdk/CMakeLists.txt adds this file when the library
// lacks it, and mock-kong/CMakeLists.txt for --bench's fibers.
#if defined(BOOST_USE_UCONTEXT)

#include <boost/context/fiber.hpp>

namespace boost::context::detail {

fiber_activation_record*& fiber_activation_record::current() noexcept {
  // The running context of this thread; at first, the thread's own.
  thread_local fiber_activation_record thread_context;
  thread_local fiber_activation_record* running = &thread_context;
  return running;
}

}  // namespace boost::context::detail

#endif
