#pragma once

#include <sys/types.h>

#include <string>

namespace kong::mock {

/// A small helper process that cleans up after mock-kong when mock-kong dies
/// without doing it itself, SIGKILL included: it reads "watch"/"forget"
/// records from a socket, and when the socket closes (every copy of
/// mock-kong's end is gone, so mock-kong is) it sends SIGTERM, then SIGKILL, to every
/// process group still watched and removes every directory still watched.
/// Started on first use.

/// mock-kong's end of the socket, for a child to register itself with
/// reaper_watch_self() between fork and exec; -1 when there is no reaper.
/// Starts the reaper when there is none yet.
int reaper_socket();

/// In a forked child, before exec (async-signal-safe): the reaper watches
/// the child's process group, from before the child runs anything, so that
/// no moment exists where mock-kong could die and leave it.
void reaper_watch_self(int socket_fd);

/// The group is about to be reaped (its leader is dead or a zombie, so the
/// id cannot be reused yet): the reaper forgets it.
void reaper_forget(pid_t group);

/// A directory mock-kong made (a private prefix), to be removed by the
/// reaper unless forgotten first; paths of up to 1000 bytes.
void reaper_watch_dir(const std::string& path);
void reaper_forget_dir(const std::string& path);

}  // namespace kong::mock
