#include "server/listen_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace kong::server {
namespace {

using test::ConnectUnix;
using test::ScratchDir;

bool IsSocket(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// Leaves a socket file behind, as a server that died without cleaning up does.
void MakeStaleSocket(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << path;
  ::close(fd);
  ASSERT_TRUE(IsSocket(path));
  ASSERT_EQ(ConnectUnix(path), -1) << "nobody listens on a stale socket";
}

TEST(ListenSocket, CreatesASocketThatAcceptsConnections) {
  ScratchDir dir;
  const std::string path = dir.file("plugin.socket");
  auto fd = open_listen_socket(path);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  EXPECT_TRUE(IsSocket(path));
  const int client = ConnectUnix(path);
  EXPECT_GE(client, 0) << "connecting to " << path;
  ::close(client);
  ::close(*fd);
}

TEST(ListenSocket, ReplacesAStaleSocketFile) {
  ScratchDir dir;
  const std::string path = dir.file("plugin.socket");
  MakeStaleSocket(path);
  auto fd = open_listen_socket(path);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  const int client = ConnectUnix(path);
  EXPECT_GE(client, 0) << "connecting to " << path;
  ::close(client);
  ::close(*fd);
}

TEST(ListenSocket, RefusesAndKeepsARegularFileAtThePath) {
  ScratchDir dir;
  const std::string path = dir.file("plugin.socket");
  std::ofstream(path) << "keep me";
  auto fd = open_listen_socket(path);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().message, path + " exists and is not a socket; not replacing it");
  EXPECT_EQ(test::ReadFile(path), "keep me");
}

TEST(ListenSocket, RefusesADirectoryAtThePath) {
  ScratchDir dir;
  const std::string path = dir.file("plugin.socket");
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
  auto fd = open_listen_socket(path);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().message, path + " exists and is not a socket; not replacing it");
}

TEST(ListenSocket, SaysAMissingPrefixIsNotADirectory) {
  ScratchDir dir;
  const std::string prefix = dir.file("missing");
  auto fd = open_listen_socket(prefix + "/plugin.socket");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().message, "kong prefix " + prefix + " is not a directory");
}

TEST(ListenSocket, SaysAFilePrefixIsNotADirectory) {
  ScratchDir dir;
  const std::string prefix = dir.file("file");
  std::ofstream(prefix) << "x";
  auto fd = open_listen_socket(prefix + "/plugin.socket");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().message, "kong prefix " + prefix + " is not a directory");
}

TEST(ListenSocket, SaysAnUnwritablePrefixIsNotWritable) {
  ScratchDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  const std::string prefix = dir.file("readonly");
  ASSERT_EQ(::mkdir(prefix.c_str(), 0555), 0);
  // root may write anywhere: check as nobody, in a child process.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(3);
    auto fd = open_listen_socket(prefix + "/plugin.socket");
    const std::string message = fd.ok() ? "opened" : fd.error().message;
    if (::write(pipe_fds[1], message.data(), message.size()) < 0)
      ::_exit(4);
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buf[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;)
    message.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  EXPECT_EQ(message, "kong prefix " + prefix + " is not writable: Permission denied");
}

TEST(ListenSocket, RefusesAPathTooLongForAUnixSocket) {
  const std::string path = "/tmp/" + std::string(120, 'x') + ".socket";
  auto fd = open_listen_socket(path);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().message,
            "socket path " + path + " is 132 bytes long; unix sockets allow 107");
}

}  // namespace
}  // namespace kong::server
