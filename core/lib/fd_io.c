#include "teachkit/fd_io.h"

#include <errno.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

int tk_write_full(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int tk_read_full(int fd, void *data, size_t n, int timeout_ms)
{
    char *p = data;
    while (n) {
        if (timeout_ms >= 0) {
            struct pollfd pfd = {fd, POLLIN, 0};
            int ready = poll(&pfd, 1, timeout_ms);
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready == 0)
                return -2;
        }
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int tk_wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 0;
    return status;
}
