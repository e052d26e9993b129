/*
 * ideal-hit: the lower bound of any compiler-wrapper cache, for warm-rebuild.sh.
 *
 * Installed as links named gcc, g++ … first on PATH, like ccache's or cache's. A call
 * that compiles (-c with -o FILE) is looked up by its working directory and arguments
 * alone in $IDEAL_STORE: when stored, the object is copied into place and the call exits 0
 * (one exec and one file copy, nothing hashed, no header checked); when not, the real
 * compiler ($IDEAL_REAL_DIR/<name>, default /usr/bin) runs and a successful output is
 * stored. Every other call (links, -E, --version …) runs the real compiler as is. With
 * $IDEAL_COUNT set, each "hit" appends an 'h' to that file and each stored miss an 'm'.
 *
 * This is NOT a cache: it never notices an edited source or header. It only answers
 * "how fast could a warm rebuild through a wrapper be, if a hit cost nothing but the exec
 * and the copy", so that a rebuild's floor (make, shells, links, archives) is measured in
 * the same run as the caches. Build: gcc -O2 -o ideal-hit ideal-hit.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what, const char *arg) {
    fprintf(stderr, "ideal-hit: %s %s: %s\n", what, arg, strerror(errno));
    exit(127);
}

/* Copies src to dst (created or truncated); 0 on success. */
static int copy_file(const char *src, const char *dst, mode_t mode) {
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return -1;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0) {
        close(in);
        return -1;
    }
    int rc = 0;
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            char buf[1 << 16];
            ssize_t r; /* copy_file_range unsupported here: plain read/write */
            while ((r = read(in, buf, sizeof buf)) > 0) {
                if (write(out, buf, (size_t) r) != r) {
                    rc = -1;
                    break;
                }
            }
            if (r < 0) {
                rc = -1;
            }
            break;
        }
    }
    if (close(out) != 0) {
        rc = -1;
    }
    close(in);
    return rc;
}

static void count(char what) {
    const char *file = getenv("IDEAL_COUNT");
    if (file && *file) {
        int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            if (write(fd, &what, 1) != 1) {
                /* a counter, nothing to do */
            }
            close(fd);
        }
    }
}

static uint64_t fnv(uint64_t h, const char *s) {
    for (; *s; s++) {
        h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
    }
    return (h ^ 0xff) * 0x100000001b3ULL; /* separator */
}

int main(int argc, char **argv) {
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    const char *real_dir = getenv("IDEAL_REAL_DIR");
    char real[PATH_MAX];
    snprintf(real, sizeof real, "%s/%s", real_dir && *real_dir ? real_dir : "/usr/bin", name);
    argv[0] = real;

    const char *output = NULL;
    int compile = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0) {
            compile = 1;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            output = argv[i + 1];
        } else if (strncmp(argv[i], "-o", 2) == 0 && argv[i][2]) {
            output = argv[i] + 2;
        }
    }
    const char *store = getenv("IDEAL_STORE");
    if (!compile || !output || !store || !*store) {
        execv(real, argv);
        die("cannot run", real);
    }

    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        die("getcwd", "");
    }
    uint64_t h = fnv(0xcbf29ce484222325ULL, cwd);
    for (int i = 0; i < argc; i++) {
        h = fnv(h, i == 0 ? name : argv[i]);
    }
    char entry[PATH_MAX];
    snprintf(entry, sizeof entry, "%s/%016llx", store, (unsigned long long) h);

    mode_t mask = umask(0);
    umask(mask);
    if (copy_file(entry, output, 0666 & ~mask) == 0) {
        count('h');
        return 0; /* the "hit" */
    }

    pid_t pid = fork();
    if (pid < 0) {
        die("fork", "");
    }
    if (pid == 0) {
        execv(real, argv);
        die("cannot run", real);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            die("waitpid", "");
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        char tmp[PATH_MAX + 16];
        snprintf(tmp, sizeof tmp, "%s.%d", entry, (int) getpid());
        if (copy_file(output, tmp, 0644) == 0 && rename(tmp, entry) == 0) {
            count('m');
        } else {
            unlink(tmp);
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
