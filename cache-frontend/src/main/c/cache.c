/*
 * cache.c - the native thin client of the `cache` compile cache.
 *
 * The client runs once per compiler invocation, thousands of times per build, so
 * it does as little as possible: it resolves the real compiler, packs the whole
 * invocation into one request, sends it to the per-user daemon over a Unix
 * socket and relays the daemon's answer.  Whenever anything goes wrong - no
 * daemon, a protocol error, a "not cacheable" answer - it execs the real
 * compiler itself, so a build never fails because of the cache.
 *
 * The wire format and the daemon's start-up are specified in
 * docs/client-protocol.md; this file follows it.  Depends on libc only.
 *
 * Modes (chosen by the basename of argv[0]):
 *   cache|ccache COMPILER ARGS...   compile through the cache (prefix mode)
 *   cache|ccache --OPTION ...       client-side commands or an admin request
 *   anything else                   masquerade: act as the compiler of that name
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CACHE_BUILD_VERSION
#define CACHE_BUILD_VERSION "dev"
#endif

extern char **environ;

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Size of sockaddr_un.sun_path (108 on Linux); the socket path must fit in it. */
#define SOCK_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

#define POLL_INTERVAL_MS 5
#define DEFAULT_START_TIMEOUT_MS 15000
#define OLD_DAEMON_EXIT_WAIT_MS 2000
/* --stop-daemon returns once the daemon's process is gone (RocksDB closed), or after this. */
#define STOP_WAIT_MS 30000
#define REPLY_READ_CHUNK 65536
/* No honest reply record comes near this; a bigger length means garbage. */
#define MAX_REPLY_RECORD (1u << 30)

/* JVM options placed before $CACHE_JAVA_OPTS (which win), tuned for a small,
 * long-lived daemon that shares the machine with the build it serves.
 * C1 only (-XX:TieredStopAtLevel=1): C2's compiles of the request path cost a new
 * daemon seconds of CPU in the middle of the build that started it (about a quarter
 * of the daemon's CPU in a cold 1,000-job run on 2 cores), its arenas ~20 MiB of
 * resident memory, and the hits they speed up are mostly system calls (stat of each
 * header); measured side by side (docs/benchmarks.md, issue 17), C1 alone gives a new
 * daemon less CPU and memory, and later hits no slower in wall time at 2 cores.
 * CACHE_JAVA_OPTS=-XX:TieredStopAtLevel=4 brings C2 back.
 * Memory (issue 17, docs/benchmarks.md): the JVM's default initial heap is 1/64 of the
 * machine's memory, and with it a young generation that a run of hits fills and keeps
 * resident (240-390 MiB after 1,000 hits); a small start and young generation keep it
 * near 130 MiB (the live set is ~13 MiB; a young collection every ~40 hits, ~1 ms each).
 * One arena each for Netty's pooled allocator instead of two per CPU. */
static const char *const jvm_defaults[] = {
	"-XX:+UseSerialGC",        "-Xss1m",
	"-XX:TieredStopAtLevel=1",
	"-XX:+UseCompressedOops",  "-Xmx2g",
	"-Xms32m",                 "-XX:MaxNewSize=32m",
	"-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10",
	"-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1",
	"-Dfile.encoding=UTF-8",
	/* FileStat reads the JDK's stat record directly (no attribute map, no exception per missing file) */
	"--add-opens=java.base/sun.nio.fs=ALL-UNNAMED",
	/* FileWatch: the inotify events' direct buffer's address, and a poll of /proc/self/mountinfo */
	"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
};

/* Everything one invocation learns along the way; passed around instead of globals. */
struct client {
	int debug;               /* CACHE_DEBUG_CLIENT: explain every fallback on stderr */
	long start_timeout_ms;   /* CACHE_START_TIMEOUT_MS */
	int self_known;          /* self_dev/self_ino identify this binary */
	dev_t self_dev;
	ino_t self_ino;
	char self[PATH_MAX];     /* realpath of /proc/self/exe; "" until needed */
	char cwd[PATH_MAX];      /* getcwd(); "" until needed */
	char run_dir[SOCK_PATH_MAX];
	/* lock and log have the same length as sock, so they fit when sock does. */
	char sock[SOCK_PATH_MAX];
	char lock[SOCK_PATH_MAX];
	char log[SOCK_PATH_MAX];
	char reason[512];        /* why the last step failed, for messages */
};

/* Records `u8 tag, u32 len, bytes` accumulate here; failures are sticky so that
 * callers can append freely and check once at the end. */
struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

/* A daemon reply: the raw records, with the final one at final_at. */
struct reply {
	struct buf data;
	size_t final_at;
};

/* --- small utilities ---------------------------------------------------- */

/* Records cl->reason and returns -1, so failures read `return fail(...)`. */
__attribute__((format(printf, 2, 3)))
static int fail(struct client *cl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cl->reason, sizeof cl->reason, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* an early wake-up only shortens one poll step */
}

static void put_u32(char *dst, uint32_t v)
{
	dst[0] = (char)(v >> 24);
	dst[1] = (char)(v >> 16);
	dst[2] = (char)(v >> 8);
	dst[3] = (char)v;
}

static uint32_t get_u32(const char *src)
{
	const unsigned char *s = (const unsigned char *)src;

	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
}

/* Writes all of p, retrying on EINTR and partial writes.  Sockets use send()
 * with MSG_NOSIGNAL: a vanished daemon then yields EPIPE instead of SIGPIPE, so
 * the signal disposition never has to be touched (and is inherited unchanged by
 * a fallback compiler). */
static int write_all(int fd, const char *p, size_t n, int is_socket)
{
	while (n > 0) {
		ssize_t w = is_socket ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Restores default dispositions and an empty mask, so processes we start do not
 * inherit ignored or blocked signals from whoever started us. */
static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL); /* fails harmlessly for libc-reserved signals */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* --- growable buffer ------------------------------------------------------ */

static int buf_reserve(struct buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->failed)
		return -1;
	if (extra <= b->cap - b->len)
		return 0;
	cap = b->cap ? b->cap : 16384;
	while (cap - b->len < extra) {
		if (cap > SIZE_MAX / 2) {
			b->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static void buf_record(struct buf *b, char tag, const char *value, size_t n)
{
	if (n > UINT32_MAX) {
		b->failed = 1;
		return;
	}
	if (buf_reserve(b, 5 + n) != 0)
		return;
	b->p[b->len] = tag;
	put_u32(b->p + b->len + 1, (uint32_t)n);
	memcpy(b->p + b->len + 5, value, n);
	b->len += 5 + n;
}

static void buf_record_str(struct buf *b, char tag, const char *s)
{
	buf_record(b, tag, s, strlen(s));
}

static uint32_t rec_len(const struct buf *b, size_t at)
{
	return get_u32(b->p + at + 1);
}

static const char *rec_value(const struct buf *b, size_t at)
{
	return b->p + at + 5;
}

/* --- identity of this binary, cwd ---------------------------------------- */

/* Identifies this binary by inode, which also catches hard links and symlinks to
 * it in one stat().  Without /proc the basename rule in leads_to_client() remains. */
static void note_self(struct client *cl)
{
	struct stat st;

	if (cl->self_known || stat("/proc/self/exe", &st) != 0)
		return;
	cl->self_dev = st.st_dev;
	cl->self_ino = st.st_ino;
	cl->self_known = 1;
}

static const char *self_path(struct client *cl)
{
	if (!cl->self[0] && !realpath("/proc/self/exe", cl->self)) {
		fail(cl, "cannot resolve /proc/self/exe: %s", strerror(errno));
		cl->self[0] = '\0';
		return NULL;
	}
	return cl->self;
}

static const char *get_cwd(struct client *cl)
{
	if (!cl->cwd[0] && !getcwd(cl->cwd, sizeof cl->cwd)) {
		fail(cl, "cannot get the current directory: %s", strerror(errno));
		cl->cwd[0] = '\0';
		return NULL;
	}
	return cl->cwd;
}

/* --- resolving the real compiler ------------------------------------------ */

enum candidate { CAND_MISSING, CAND_CLIENT, CAND_NOT_EXEC, CAND_COMPILER };

/* True when path, whose target is described by st, is this client or another
 * copy of it: running it would come straight back here (or ping-pong between
 * two installs), so it must never be taken for the real compiler. */
static int leads_to_client(struct client *cl, const char *path,
			   const struct stat *st, int is_link)
{
	char real[PATH_MAX];

	if (cl->self_known && st->st_dev == cl->self_dev && st->st_ino == cl->self_ino)
		return 1;
	/* Only a link can give another copy of the client a compiler's name. */
	if (!is_link || !realpath(path, real))
		return 0;
	return strcmp(base_name(real), "cache") == 0;
}

/* Costs one lstat() for the common case of a PATH directory without the name. */
static enum candidate examine(struct client *cl, const char *path)
{
	struct stat st;
	int is_link;

	if (lstat(path, &st) != 0)
		return CAND_MISSING;
	is_link = S_ISLNK(st.st_mode);
	if (is_link && stat(path, &st) != 0)
		return CAND_MISSING;
	if (leads_to_client(cl, path, &st, is_link))
		return CAND_CLIENT;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111) || access(path, X_OK) != 0)
		return CAND_NOT_EXEC;
	return CAND_COMPILER;
}

/* PATH as execvp() reads it: unset means the glibc default. */
static const char *path_list(void)
{
	const char *p = getenv("PATH");

	return p ? p : "/bin:/usr/bin";
}

/* Copies the PATH entry starting at p into dir (an empty entry means the cwd,
 * as for execvp) and returns where the next entry starts, NULL after the last.
 * *len is the entry's length, or 0 when it does not fit in size bytes. */
static const char *path_entry(const char *p, char *dir, size_t size, size_t *len)
{
	const char *end = strchrnul(p, ':');
	size_t n = (size_t)(end - p);

	if (n == 0) {
		p = ".";
		n = 1;
	}
	*len = n < size ? n : 0;
	if (*len) {
		memcpy(dir, p, n);
		dir[n] = '\0';
	}
	return *end ? end + 1 : NULL;
}

/* Finds name on PATH like execvp() would, skipping this client's own links.
 * out (PATH_MAX bytes) receives the path to exec. */
static int search_path(struct client *cl, const char *name, char *out)
{
	size_t nlen = strlen(name), dlen;

	for (const char *p = path_list(); p;) {
		p = path_entry(p, out, PATH_MAX, &dlen);
		if (dlen == 0 || dlen + 1 + nlen >= PATH_MAX)
			continue;
		out[dlen] = '/';
		memcpy(out + dlen + 1, name, nlen + 1);
		if (examine(cl, out) == CAND_COMPILER)
			return 0;
	}
	return -1;
}

/* A name with a slash is used as given; a bare name is searched on PATH.  A path
 * that leads back to this client (`cache /opt/links/gcc ...`) would make the
 * daemon run us again, so it is treated like masquerade mode instead. */
static int resolve_compiler(struct client *cl, const char *name, char *out)
{
	note_self(cl);
	if (strchr(name, '/')) {
		if (examine(cl, name) != CAND_CLIENT) {
			if (strlen(name) >= PATH_MAX)
				return -1;
			strcpy(out, name);
			return 0;
		}
		name = base_name(name);
	}
	return search_path(cl, name, out);
}

/* --- where the daemon lives ----------------------------------------------- */

/* The runtime directory holds the socket, so only its owner may use it: it must
 * be a real directory (not a link) owned by us with no group/other access. */
static int check_run_dir(struct client *cl)
{
	struct stat st;

	if (lstat(cl->run_dir, &st) != 0) {
		if (errno != ENOENT)
			return fail(cl, "%s: %s", cl->run_dir, strerror(errno));
		if (mkdir(cl->run_dir, 0700) != 0 && errno != EEXIST)
			return fail(cl, "cannot create %s: %s", cl->run_dir, strerror(errno));
		(void)chmod(cl->run_dir, 0700); /* in case the umask removed owner bits */
		if (lstat(cl->run_dir, &st) != 0)
			return fail(cl, "%s: %s", cl->run_dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return fail(cl, "%s is not a directory", cl->run_dir);
	if (st.st_uid != getuid())
		return fail(cl, "%s is not owned by uid %u", cl->run_dir, (unsigned)getuid());
	if (st.st_mode & 077)
		return fail(cl, "%s is accessible by other users (mode %03o)",
			    cl->run_dir, (unsigned)(st.st_mode & 0777));
	return 0;
}

static int find_run_dir(struct client *cl)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	/* Must be absolute: the daemon runs in / and gets the socket path verbatim. */
	if (xdg && xdg[0] == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode))
		n = snprintf(cl->run_dir, sizeof cl->run_dir, "%s/cache", xdg);
	else
		n = snprintf(cl->run_dir, sizeof cl->run_dir, "/tmp/cache-%u",
			     (unsigned)getuid());
	if (n < 0 || (size_t)n >= sizeof cl->run_dir)
		return fail(cl, "the runtime directory path is too long for a socket");
	return check_run_dir(cl);
}

/* One daemon per user: it serves every cache directory the calls name (each
 * call's configuration says which), so the paths depend on the runtime directory
 * alone. */
static int setup_paths(struct client *cl)
{
	int n;

	if (find_run_dir(cl) != 0)
		return -1;
	n = snprintf(cl->sock, sizeof cl->sock, "%s/d.sock", cl->run_dir);
	if (n < 0 || (size_t)n >= sizeof cl->sock)
		return fail(cl, "socket path in %s does not fit a sockaddr_un", cl->run_dir);
	/* Same length as the socket path, so these cannot be truncated. */
	n = snprintf(cl->lock, sizeof cl->lock, "%s/d.lock", cl->run_dir);
	n |= snprintf(cl->log, sizeof cl->log, "%s/d.log", cl->run_dir);
	return n < 0 ? fail(cl, "cannot format the daemon paths") : 0;
}

/* --- the request ----------------------------------------------------------- */

/* The daemon does not share our cwd, so C must be absolute; a relative path is
 * anchored at the cwd without resolving links. */
static void put_compiler(struct client *cl, struct buf *b, const char *compiler)
{
	char abs[2 * PATH_MAX];
	int n;

	if (compiler[0] == '/') {
		buf_record_str(b, 'C', compiler);
		return;
	}
	n = snprintf(abs, sizeof abs, "%s/%s", cl->cwd, compiler);
	if (n < 0 || (size_t)n >= sizeof abs)
		b->failed = 1;
	else
		buf_record(b, 'C', abs, (size_t)n);
}

/* Packs the whole invocation into one buffer so it goes out in one send(). */
static int build_request(struct client *cl, struct buf *b, const char *kind,
			 const char *name, const char *compiler, char *const *args)
{
	char num[32];
	char tty[3];
	struct timespec now;
	mode_t mask;
	int n;

	if (!get_cwd(cl))
		return -1;
	if (buf_reserve(b, 4) != 0)
		return fail(cl, "out of memory");
	b->len = 4; /* body length, filled in below */
	buf_record_str(b, 'V', CACHE_BUILD_VERSION);
	buf_record_str(b, 'K', kind);
	if (name)
		buf_record_str(b, 'N', name);
	if (compiler)
		put_compiler(cl, b, compiler);
	for (; *args; args++)
		buf_record_str(b, 'A', *args);
	buf_record_str(b, 'D', cl->cwd);
	for (char **e = environ; e && *e; e++)
		buf_record_str(b, 'E', *e);
	mask = umask(0); /* the only way to read it; restored at once */
	umask(mask);
	n = snprintf(num, sizeof num, "%03o", (unsigned)mask);
	buf_record(b, 'U', num, (size_t)n);
	tty[0] = isatty(0) ? '1' : '0';
	tty[1] = isatty(1) ? '1' : '0';
	tty[2] = isatty(2) ? '1' : '0';
	buf_record(b, 'T', tty, 3);
	n = snprintf(num, sizeof num, "%ld", (long)getpid());
	buf_record(b, 'P', num, (size_t)n);
	/* The clock that stamps files, read before the daemon or the compiler reads any: a file
	 * stamped before it cannot be rewritten with the same stamps later (docs/client-protocol.md). */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0 && now.tv_sec > 0) {
		n = snprintf(num, sizeof num, "%lld%09ld", (long long)now.tv_sec, (long)now.tv_nsec);
		buf_record(b, 'S', num, (size_t)n);
	}
	if (b->failed || b->len - 4 > UINT32_MAX)
		return fail(cl, "cannot build the request (out of memory or too large)");
	put_u32(b->p, (uint32_t)(b->len - 4));
	return 0;
}

/* --- the reply ------------------------------------------------------------- */

static int is_final_tag(char tag)
{
	return tag == 'X' || tag == 'L' || tag == 'F' || tag == 'R';
}

/* Checks the records complete in r->data from *pos on.  Returns the final tag
 * once it is complete, 0 when more bytes are needed (*need = how many at least),
 * -1 on a malformed record. */
static int scan_reply(struct client *cl, struct reply *r, size_t *pos, size_t *need)
{
	const struct buf *b = &r->data;

	while (b->len - *pos >= 5) {
		char tag = b->p[*pos];
		uint32_t n = rec_len(b, *pos);

		if ((!is_final_tag(tag) && tag != '1' && tag != '2' && tag != 'C') ||
		    n > MAX_REPLY_RECORD)
			return fail(cl, "malformed reply record (tag 0x%02x, length %u)",
				    (unsigned char)tag, n);
		if (tag == 'X' && n != 4)
			return fail(cl, "malformed X record (length %u)", n);
		if (b->len - *pos - 5 < n) {
			*need = n - (b->len - *pos - 5);
			return 0;
		}
		if (is_final_tag(tag)) {
			r->final_at = *pos;
			return tag;
		}
		*pos += 5 + n;
	}
	*need = 5;
	return 0;
}

/* Reads until a final record.  No timeout: a compile may take minutes; a dead
 * daemon shows up as EOF, which means "run the compiler yourself". */
static int read_reply(struct client *cl, int fd, struct reply *r)
{
	size_t pos = 0, need = 0;

	for (;;) {
		int tag = scan_reply(cl, r, &pos, &need);
		ssize_t got;

		if (tag != 0)
			return tag;
		if (buf_reserve(&r->data, need > REPLY_READ_CHUNK ? need : REPLY_READ_CHUNK))
			return fail(cl, "out of memory reading the reply");
		got = recv(fd, r->data.p + r->data.len, r->data.cap - r->data.len, 0);
		if (got > 0)
			r->data.len += (size_t)got;
		else if (got == 0)
			return fail(cl, "the daemon closed the connection before a final record");
		else if (errno != EINTR)
			return fail(cl, "reading the reply: %s", strerror(errno));
	}
}

static int write_stream(const struct reply *r, char tag, int fd)
{
	const struct buf *b = &r->data;
	int rc = 0;

	for (size_t at = 0; at < r->final_at; at += 5 + rec_len(b, at))
		if (b->p[at] == tag && rc == 0)
			rc = write_all(fd, rec_value(b, at), rec_len(b, at), 0);
	return rc;
}

/* `C` before `L`/`F`: the compiler the configuration chose (ccache's `compiler`
 * and `path`), to run instead of the one we found. Copied into out; 0 if none. */
static int chosen_compiler(const struct reply *r, char *out, size_t size)
{
	const struct buf *b = &r->data;

	for (size_t at = 0; at < r->final_at; at += 5 + rec_len(b, at)) {
		uint32_t n = rec_len(b, at);

		if (b->p[at] == 'C' && n > 0 && n < size &&
		    memchr(rec_value(b, at), '\0', n) == NULL) {
			memcpy(out, rec_value(b, at), n);
			out[n] = '\0';
			return 1;
		}
	}
	return 0;
}

/* `X`: all of stdout, then all of stderr, then the compiler's exit code. */
static int relay(const struct reply *r)
{
	int32_t code = (int32_t)get_u32(rec_value(&r->data, r->final_at));
	int out_err = 0, err_err = 0;

	if (write_stream(r, '1', STDOUT_FILENO) != 0)
		out_err = errno;
	if (write_stream(r, '2', STDERR_FILENO) != 0)
		err_err = errno;
	if (out_err) {
		fprintf(stderr, "cache: writing the compiler's output: %s\n", strerror(out_err));
		return code ? code : 1;
	}
	return err_err && !code ? 1 : code;
}

/* --- talking to the daemon ------------------------------------------------- */

/* Returns a connected socket, or -1 with errno from socket()/connect(). */
static int try_connect(const char *sock_path)
{
	struct sockaddr_un addr;
	int fd, err;

	memset(&addr, 0, sizeof addr);
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, sock_path, strlen(sock_path) + 1); /* fits: setup_paths */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* Connection errors that mean "no daemon listens there (yet)". */
static int no_daemon_errno(int err)
{
	return err == ENOENT || err == ECONNREFUSED;
}

static int exchange(struct client *cl, int fd, const struct buf *req, struct reply *r)
{
	r->data.len = 0;
	if (write_all(fd, req->p, req->len, 1) != 0) {
		int err = errno;
		int tag;

		/* A daemon that refuses us (R) may close before reading everything;
		 * its reply is still readable, so look for it before giving up. */
		if (err == EPIPE || err == ECONNRESET) {
			tag = read_reply(cl, fd, r);
			if (tag > 0)
				return tag;
		}
		return fail(cl, "sending the request: %s", strerror(err));
	}
	return read_reply(cl, fd, r);
}

/* --- starting the daemon --------------------------------------------------- */

/* What the detached launcher reports through its close-on-exec pipe: the
 * daemon's pid, or the step that failed with its errno.  8 bytes < PIPE_BUF, so
 * messages from the two launcher processes never interleave. */
struct spawn_msg {
	int stage;
	int value;
};

struct java_cmd {
	char **argv;
	char *words;               /* copy of $CACHE_JAVA_OPTS, split in place */
	char java[PATH_MAX];       /* $JAVA_HOME/bin/java when that is used */
	char lib[PATH_MAX];        /* <client dir>/../lib */
	char aot_java[PATH_MAX];   /* the java named by lib/cache.aot.java, if any */
	char aot_opt[PATH_MAX + 32]; /* -XX:AOTCache=<lib>/cache.aot */
	char libpath[PATH_MAX + 32]; /* -Djava.library.path=<lib>/native */
	char cp[PATH_MAX + 16];    /* -cp value: every jar in <client dir>/../lib */
};

/* lib/cache.aot.java says which java wrote lib/cache.aot, the JDK 25 AOT cache of the
 * daemon's classes and profiles made with dist/ (aot-cache.sh), and for which build:
 * line 1 the java's absolute path, line 2 the build version. Fills jc->aot_java when the
 * file is this build's (the jars beside it are then the ones the cache was made from:
 * the JVM does not notice changed jars on its own, measured with 25.0.3) and names an
 * executable; "" otherwise. */
static void read_aot_java(struct java_cmd *jc)
{
	char path[PATH_MAX + 32], version[256];
	FILE *f;

	jc->aot_java[0] = '\0';
	snprintf(path, sizeof path, "%s/cache.aot.java", jc->lib);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(jc->aot_java, sizeof jc->aot_java, f) || !fgets(version, sizeof version, f))
		jc->aot_java[0] = version[0] = '\0';
	fclose(f);
	jc->aot_java[strcspn(jc->aot_java, "\n")] = '\0';
	version[strcspn(version, "\n")] = '\0';
	if (jc->aot_java[0] != '/' || strcmp(version, CACHE_BUILD_VERSION) != 0 ||
	    access(jc->aot_java, X_OK) != 0)
		jc->aot_java[0] = '\0';
}

/* $CACHE_JAVA, else the java the AOT cache was made by (the build chose it for the
 * daemon: JAVA_HOME is the user's project's setting, and a CI job that sets it to JDK 17
 * must not lose the AOT cache), else $JAVA_HOME/bin/java, else java on PATH. */
static const char *java_binary(struct java_cmd *jc)
{
	const char *java = getenv("CACHE_JAVA");
	const char *home = getenv("JAVA_HOME");
	int n;

	if (java && *java)
		return java;
	if (jc->aot_java[0])
		return jc->aot_java;
	if (home && *home) {
		n = snprintf(jc->java, sizeof jc->java, "%s/bin/java", home);
		if (n > 0 && (size_t)n < sizeof jc->java && access(jc->java, X_OK) == 0)
			return jc->java;
	}
	return "java"; /* found by execvp on PATH */
}

/* The java that runs is the one that wrote lib/cache.aot (the same file, whichever way
 * it was named): -XX:AOTCache is only known to JDK 25+ (JDK 17 refuses to start with it),
 * and a cache is only valid for the JVM build that wrote it. Anything else: no option.
 * A stale or damaged cache is not fatal: the JVM logs that and starts without it. */
static int aot_usable(struct java_cmd *jc, const char *java)
{
	static const char opt[] = "-XX:AOTCache=";
	char a[PATH_MAX], b[PATH_MAX];

	if (!jc->aot_java[0] || !strchr(java, '/'))
		return 0;
	snprintf(jc->aot_opt, sizeof jc->aot_opt, "%s%s/cache.aot", opt, jc->lib);
	if (access(jc->aot_opt + sizeof opt - 1, R_OK) != 0)
		return 0;
	return realpath(java, a) && realpath(jc->aot_java, b) && strcmp(a, b) == 0;
}

static int java_command(struct client *cl, struct java_cmd *jc)
{
	const char *self = self_path(cl);
	const char *opts = getenv("CACHE_JAVA_OPTS");
	char *save = NULL;
	size_t n = 0;

	if (!self)
		return -1;
	/* A string of length L holds at most L/2+1 space-separated words. */
	jc->argv = calloc((opts ? strlen(opts) / 2 + 1 : 0) + ARRAY_LEN(jvm_defaults) + 15,
			  sizeof *jc->argv);
	jc->words = opts ? strdup(opts) : NULL;
	if (!jc->argv || (opts && !jc->words))
		return fail(cl, "out of memory");
	/* self is absolute, so base_name() - 1 is its last slash. */
	snprintf(jc->lib, sizeof jc->lib, "%.*s/../lib", (int)(base_name(self) - 1 - self), self);
	read_aot_java(jc);
	jc->argv[n++] = (char *)java_binary(jc);
	/* The user's options last: for the JVM the last of two settings wins. */
	for (size_t i = 0; i < ARRAY_LEN(jvm_defaults); i++)
		jc->argv[n++] = (char *)jvm_defaults[i];
	/* RocksDB's JNI library, extracted into lib/native by the build: found there, it is not
	 * unpacked into /tmp at every start (14 MB, and left behind by a killed daemon). */
	snprintf(jc->libpath, sizeof jc->libpath, "-Djava.library.path=%s/native", jc->lib);
	jc->argv[n++] = jc->libpath;
	if (aot_usable(jc, jc->argv[0])) {
		jc->argv[n++] = jc->aot_opt;
		/* With the training run's profiles the warm-up need not push its calls in
		 * between the first user's: it only uses the gaps (measured, issue 17). */
		jc->argv[n++] = (char *)"-Dcache.warmupEagerMillis=0";
	}
	for (char *w = opts ? strtok_r(jc->words, " ", &save) : NULL; w;
	     w = strtok_r(NULL, " ", &save))
		jc->argv[n++] = w;
	snprintf(jc->cp, sizeof jc->cp, "%s/*", jc->lib);
	jc->argv[n++] = (char *)"-cp";
	jc->argv[n++] = jc->cp;
	jc->argv[n++] = (char *)"cache.frontend.daemon.DaemonMain";
	jc->argv[n++] = (char *)"--socket";
	jc->argv[n++] = cl->sock;
	jc->argv[n++] = (char *)"--client";
	jc->argv[n++] = (char *)self;
	jc->argv[n] = NULL;
	return 0;
}

__attribute__((noreturn))
static void report_and_exit(int fd, int stage, int value)
{
	struct spawn_msg m = { stage, value };
	ssize_t ignored = write(fd, &m, sizeof m);

	(void)ignored; /* nobody left to tell if this fails */
	_exit(stage == 'p' ? 0 : 1);
}

/* Closes every descriptor >= from, so nothing of ours or of make's (jobserver
 * pipes) lives on in the daemon. */
static void close_fds_from(int from)
{
	DIR *d;
	struct dirent *e;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)from, ~0U, 0) == 0)
		return;
#endif
	d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = from; fd < 1024; fd++)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);

		if (fd >= from && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

/* The daemon process: detached stdio, cwd /, no inherited descriptors except the
 * close-on-exec report pipe (moved to fd 3), then exec java. */
__attribute__((noreturn))
static void daemon_child(struct client *cl, char **argv, int report)
{
	int in, out;

	reset_signals();
	/* Keep the pipe clear of 0-2 whatever state our stdio was in. */
	report = fcntl(report, F_DUPFD_CLOEXEC, 10);
	if (report < 0)
		_exit(1);
	if (chdir("/") != 0)
		report_and_exit(report, 'c', errno);
	in = open("/dev/null", O_RDONLY);
	if (in < 0)
		report_and_exit(report, 'n', errno);
	out = open(cl->log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
	if (out < 0)
		report_and_exit(report, 'l', errno);
	/* out > in, so each dup2 only replaces a descriptor already copied. */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 ||
	    dup3(report, 3, O_CLOEXEC) < 0)
		report_and_exit(report, 'd', errno);
	close_fds_from(4);
	/* RocksDB allocates through malloc from several threads: glibc's default of up to
	 * 8 arenas per CPU keeps each one's free memory resident. The user's value wins. */
	setenv("MALLOC_ARENA_MAX", "2", 0);
	execvp(argv[0], argv);
	report_and_exit(3, 'x', errno);
}

/* First fork: a new session, so the daemon has no controlling terminal and is
 * not in the build's process group; the second fork reparents it to init. */
__attribute__((noreturn))
static void daemon_launcher(struct client *cl, char **argv, int report)
{
	pid_t pid;

	if (setsid() < 0)
		report_and_exit(report, 's', errno);
	pid = fork();
	if (pid < 0)
		report_and_exit(report, 'f', errno);
	if (pid == 0)
		daemon_child(cl, argv, report);
	report_and_exit(report, 'p', (int)pid);
}

static const char *stage_name(int stage)
{
	switch (stage) {
	case 's': return "setsid";
	case 'f': return "fork";
	case 'c': return "chdir /";
	case 'n': return "open /dev/null";
	case 'l': return "open the log";
	case 'd': return "dup2";
	case 'x': return "exec java";
	default: return "unknown step";
	}
}

/* Reads launcher reports until EOF, which comes once java was exec'd (the pipe
 * is close-on-exec) or the launch failed. */
static int read_spawn_report(struct client *cl, int fd, pid_t *daemon_pid)
{
	struct spawn_msg m;
	ssize_t got;

	*daemon_pid = -1;
	while ((got = read(fd, &m, sizeof m)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)sizeof m)
			return fail(cl, "starting the daemon: lost the launcher's report");
		if (m.stage != 'p')
			return fail(cl, "starting the daemon: %s: %s", stage_name(m.stage),
				    strerror(m.value));
		*daemon_pid = (pid_t)m.value;
	}
	if (*daemon_pid <= 0)
		return fail(cl, "starting the daemon: the launcher died");
	return 0;
}

static int spawn_daemon(struct client *cl, pid_t *daemon_pid)
{
	struct java_cmd jc;
	int pipefd[2], status, rc = -1;
	pid_t mid;

	memset(&jc, 0, sizeof jc);
	if (java_command(cl, &jc) != 0)
		goto out;
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		fail(cl, "pipe: %s", strerror(errno));
		goto out;
	}
	mid = fork();
	if (mid == 0)
		daemon_launcher(cl, jc.argv, pipefd[1]);
	close(pipefd[1]);
	if (mid < 0) {
		fail(cl, "fork: %s", strerror(errno));
	} else {
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
		rc = read_spawn_report(cl, pipefd[0], daemon_pid);
	}
	close(pipefd[0]);
out:
	free(jc.argv);
	free(jc.words);
	return rc;
}

/* A pidfd becomes readable when the daemon exits, so a JVM that dies at start
 * (bad options, no java) ends the wait at once instead of after the timeout. */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0); /* always close-on-exec */
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Waits one poll step; returns 1 if the daemon is known to have exited. */
static int daemon_gone_within(int pidfd, long ms)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	if (pidfd < 0) {
		sleep_ms(ms);
		return 0;
	}
	return poll(&p, 1, (int)ms) > 0;
}

static int wait_for_socket(struct client *cl, pid_t pid, long long deadline)
{
	int pidfd = open_pidfd(pid);
	int dead = pidfd < 0 && errno == ESRCH;
	long long left;
	int fd;

	for (;;) {
		fd = try_connect(cl->sock);
		if (fd >= 0)
			break;
		if (!no_daemon_errno(errno)) {
			fail(cl, "connecting to %s: %s", cl->sock, strerror(errno));
			break;
		}
		if (dead) {
			fail(cl, "the daemon exited during start-up (see %s)", cl->log);
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			fail(cl, "the daemon did not answer within %ld ms (see %s)",
			     cl->start_timeout_ms, cl->log);
			break;
		}
		dead = daemon_gone_within(pidfd, left < POLL_INTERVAL_MS ? left : POLL_INTERVAL_MS);
	}
	if (pidfd >= 0)
		close(pidfd);
	return fd;
}

/* flock() has no timeout; poll LOCK_NB so a stuck starter cannot hang a build. */
static int lock_until(struct client *cl, int fd, long long deadline)
{
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return fail(cl, "locking %s: %s", cl->lock, strerror(errno));
		if (now_ms() >= deadline)
			return fail(cl, "timed out waiting for the start lock %s", cl->lock);
		sleep_ms(POLL_INTERVAL_MS);
	}
	return 0;
}

/* Under the start lock only one client spawns a daemon; the others find it
 * answering when they get the lock.  The lock is released by close(). */
static int start_daemon(struct client *cl)
{
	long long deadline = now_ms() + cl->start_timeout_ms;
	int lock, fd = -1;
	pid_t pid;

	lock = open(cl->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0)
		return fail(cl, "opening %s: %s", cl->lock, strerror(errno));
	if (lock_until(cl, lock, deadline) == 0) {
		fd = try_connect(cl->sock);
		if (fd < 0 && !no_daemon_errno(errno))
			fail(cl, "connecting to %s: %s", cl->sock, strerror(errno));
		else if (fd < 0 && spawn_daemon(cl, &pid) == 0)
			fd = wait_for_socket(cl, pid, deadline);
	}
	close(lock);
	return fd;
}

static int connect_or_start(struct client *cl)
{
	int fd = try_connect(cl->sock);

	if (fd >= 0)
		return fd;
	if (!no_daemon_errno(errno))
		return fail(cl, "connecting to %s: %s", cl->sock, strerror(errno));
	return start_daemon(cl);
}

/* After `R` the old daemon exits; give it a moment to stop answering. */
static void wait_daemon_exit(struct client *cl)
{
	long long deadline = now_ms() + OLD_DAEMON_EXIT_WAIT_MS;
	int fd;

	while ((fd = try_connect(cl->sock)) >= 0) {
		close(fd);
		if (now_ms() >= deadline)
			return;
		sleep_ms(POLL_INTERVAL_MS);
	}
}

/* One request and its final answer, starting the daemon when none answers and
 * retrying once after a version refusal.  Returns the final tag or -1. */
static int converse(struct client *cl, const struct buf *req, struct reply *r)
{
	for (int attempt = 0;; attempt++) {
		int fd = connect_or_start(cl);
		int tag;

		if (fd < 0)
			return -1;
		tag = exchange(cl, fd, req, r);
		close(fd);
		if (tag != 'R')
			return tag;
		if (attempt > 0)
			return fail(cl, "the daemon refused client version %s twice",
				    CACHE_BUILD_VERSION);
		wait_daemon_exit(cl);
	}
}

/* --- compile mode ------------------------------------------------------------ */

/* execv(path) (search == 0) or execvp(path) (search != 0), with glibc execvp()'s
 * rule for both, which musl's execvp() and every execv() lack: a file the kernel
 * will not run (ENOEXEC, a script without "#!") is run by /bin/sh, as the shell
 * that make starts would run it. Returns only on failure, with errno set. */
static void exec_as_shell_would(const char *path, char **argv, int search)
{
	char found[PATH_MAX], **sh;
	size_t n = 0, dlen, plen = strlen(path);

	if (search)
		execvp(path, argv);
	else
		execv(path, argv);
	if (errno != ENOEXEC)
		return;
	if (search && !strchr(path, '/')) {
		/* the PATH entry execvp() tried: the first regular executable there */
		struct stat st;
		const char *p = path_list();

		found[0] = '\0';
		while (p && !found[0]) {
			p = path_entry(p, found, sizeof found, &dlen);
			if (dlen == 0 || dlen + 1 + plen >= sizeof found) {
				found[0] = '\0';
				continue;
			}
			found[dlen] = '/';
			memcpy(found + dlen + 1, path, plen + 1);
			if (stat(found, &st) != 0 || !S_ISREG(st.st_mode) || access(found, X_OK) != 0)
				found[0] = '\0';
		}
		if (!found[0]) {
			errno = ENOEXEC;
			return;
		}
		path = found;
	}
	while (argv[n])
		n++;
	sh = malloc((n + 2) * sizeof *sh);
	if (!sh) {
		errno = ENOEXEC;
		return;
	}
	sh[0] = "/bin/sh";
	sh[1] = (char *)path;
	memcpy(sh + 2, argv + 1, n * sizeof *sh); /* argv[1..n], its NULL included */
	execv("/bin/sh", sh);
	free(sh);
	errno = ENOEXEC;
}

/* Every fallback ends here: the compiler runs as if invoked directly, with the
 * user's arguments, our signal dispositions untouched and all our descriptors
 * close-on-exec. argv[0] becomes the resolved path: gcc finds cc1 and as
 * relative to argv[0], searching PATH when it has no slash, and PATH starts
 * with our masquerade directory (ccache execs the resolved path too). gcc names
 * itself by argv[0]'s basename in diagnostics, so messages stay the same. */
__attribute__((noreturn))
static void exec_compiler(struct client *cl, const char *path, char **argv)
{
	int err;

	char **in, **out;

	if (cl->debug)
		fprintf(stderr, "cache: running %s directly: %s\n", path, cl->reason);
	argv[0] = (char *)path;
	/* ccache's --ccache-skip: the word after it reaches the compiler as is, and
	 * --ccache-skip itself never does (the daemon does the same for its runs). */
	for (in = out = argv + 1; *in; in++) {
		if (strcmp(*in, "--ccache-skip") == 0 && in[1])
			in++;
		else if (strcmp(*in, "--ccache-skip") == 0)
			continue;
		*out++ = *in;
	}
	*out = NULL;
	exec_as_shell_would(path, argv, 0);
	err = errno;
	fprintf(stderr, "cache: %s: %s\n", argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* As ccache: "ccache ccache gcc …" (a script that adds ccache to a compiler that
 * already has it) is "ccache gcc …". Leading words naming ccache (a base name
 * starting with "ccache") or this program ("cache") are dropped while a word
 * follows them. */
static char **skip_self(char **cargv)
{
	while (cargv[0] && cargv[1]) {
		const char *b = base_name(cargv[0]);
		if (strncmp(b, "ccache", 6) != 0 && strcmp(b, "cache") != 0)
			break;
		cargv++;
	}
	return cargv;
}

/* "ccache" when run through a link of that name, else "cache": how messages begin. */
static const char *self_name = "cache";

/* cargv[0] is the compiler as the user named it, followed by its arguments. */
static int run_compile(struct client *cl, char **cargv)
{
	const char *name = cargv[0];
	char compiler[PATH_MAX];
	struct buf req = { 0 };
	struct reply rep = { 0 };
	int tag = -1;

	if (resolve_compiler(cl, name, compiler) != 0) {
		/* ccache's message and status (1: its error exit, not a shell's 127). */
		fprintf(stderr, "%s: error: Could not find compiler \"%s\" in PATH\n", self_name, name);
		return 1;
	}
	if (setup_paths(cl) == 0 &&
	    build_request(cl, &req, "compile", name, compiler, cargv + 1) == 0)
		tag = converse(cl, &req, &rep);
	if (tag == 'X')
		return relay(&rep);
	if (tag == 'L' || tag == 'F') {
		fail(cl, "%s: %.*s", tag == 'L' ? "not cacheable" : "daemon failure",
		     (int)rec_len(&rep.data, rep.final_at), rec_value(&rep.data, rep.final_at));
		chosen_compiler(&rep, compiler, sizeof compiler);
	}
	exec_compiler(cl, compiler, cargv);
}

/* --- admin mode -------------------------------------------------------------- */

static int finish_admin(struct client *cl, int tag, const struct reply *r)
{
	if (tag == 'X')
		return relay(r);
	if (tag == 'L' || tag == 'F')
		fprintf(stderr, "cache: the daemon failed: %.*s\n",
			(int)rec_len(&r->data, r->final_at), rec_value(&r->data, r->final_at));
	else
		fprintf(stderr, "cache: cannot reach the daemon: %s\n", cl->reason);
	return 1;
}

/* Long options of ccache that take an argument (getopt_long accepts any unique
 * prefix; a prefix of one of these takes the next argument too). */
static const char *const long_with_arg[] = {
	"checksum-file", "config-path", "dir", "directory", "dump-manifest", "dump-result",
	"evict-namespace", "evict-older-than", "extract-result", "get-config", "hash-file",
	"inspect", "max-files", "max-size", "recompress", "set-config", "trim-dir",
	"trim-max-size", "trim-method",
};

/* -d/--dir and --config-path choose the cache (and so the daemon): ccache applies
 * them as CCACHE_DIR and CCACHE_CONFIGPATH wherever they stand, and so do we
 * before finding the socket. The daemon parses the whole command line itself. */
static void apply_admin_settings(char **args)
{
	for (; *args; args++) {
		const char *a = *args, *val = NULL;

		if (strcmp(a, "--") == 0)
			return;
		if (a[0] == '-' && a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const char *env = NULL;
			int takes = 0;

			if (len == 0)
				continue;
			for (size_t i = 0; i < sizeof long_with_arg / sizeof *long_with_arg; i++)
				if (strncmp(long_with_arg[i], name, len) == 0)
					takes = 1;
			if (len >= 2 && strncmp("directory", name, len) == 0)
				env = "CCACHE_DIR";
			else if (len >= 2 && strncmp("config-path", name, len) == 0)
				env = "CCACHE_CONFIGPATH";
			if (eq)
				val = eq + 1;
			else if (takes && args[1])
				val = *++args;
			if (env && val)
				setenv(env, val, 1);
		} else if (a[0] == '-') {
			for (const char *c = a + 1; *c; c++) {
				if (!strchr("dFkMoX", *c))
					continue;
				val = c[1] ? c + 1 : args[1];
				if (!c[1] && args[1])
					args++;
				if (*c == 'd' && val)
					setenv("CCACHE_DIR", val, 1);
				break;
			}
		}
	}
}

/* args: everything after argv[0], sent as A records; program is argv[0]'s basename
 * (cache or ccache), which the daemon's messages and --version follow. */
static int run_admin(struct client *cl, const char *program, char **args)
{
	struct buf req = { 0 };
	struct reply rep = { 0 };
	int tag = -1;

	apply_admin_settings(args);
	if (setup_paths(cl) == 0 && build_request(cl, &req, "admin", program, NULL, args) == 0)
		tag = converse(cl, &req, &rep);
	return finish_admin(cl, tag, &rep);
}

/* cache --monitor [SECONDS]: the farm's jobs in flight, in distccmon-text's columns; once,
 * or every SECONDS (a decimal, as distccmon-text takes it) until interrupted. Each refresh is
 * one "monitor" request: the daemon answers with the table and an exit status. A monitor
 * never starts a daemon: with none running there is no job, and the refresh is the blank
 * line distccmon-text prints for an empty farm. */
static int cmd_monitor(struct client *cl, const char *program, const char *every)
{
	char *none[] = { NULL };
	double delay = 0;

	if (every) {
		char *end;

		errno = 0;
		delay = strtod(every, &end);
		if (end == every || *end || errno || !(delay >= 0 && delay <= 86400)) {
			fprintf(stderr, "cache: --monitor: not a number of seconds: %s\n", every);
			return 1;
		}
	}
	for (;;) {
		struct buf req = { 0 };
		struct reply rep = { 0 };
		struct timespec ts;
		int tag = -1, rc;

		int fd = -1;

		if (setup_paths(cl) == 0 && build_request(cl, &req, "monitor", program, NULL, none) == 0) {
			fd = try_connect(cl->sock);
			if (fd >= 0)
				tag = exchange(cl, fd, &req, &rep);
			else if (no_daemon_errno(errno))
				tag = 0;
			else
				fail(cl, "connecting to %s: %s", cl->sock, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
		if (tag == 0) {
			fputs("\n", stdout);
			fflush(stdout);
			rc = 0;
		} else {
			rc = finish_admin(cl, tag, &rep);
		}
		free(req.p);
		free(rep.data.p);
		if (rc != 0 || delay == 0)
			return rc;
		ts.tv_sec = (time_t)delay;
		ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
}

static int cmd_start_daemon(struct client *cl)
{
	int fd = -1;

	if (setup_paths(cl) == 0)
		fd = connect_or_start(cl);
	if (fd < 0) {
		fprintf(stderr, "cache: cannot start the daemon: %s\n", cl->reason);
		return 1;
	}
	close(fd);
	return 0;
}

/* The pid of the process that listens on the other end of the connected Unix socket fd. */
static pid_t peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
		return -1;
	return cred.pid;
}

/* Whether process pid has exited: gone, or a zombie its parent (often init, which in
 * some containers reaps late) has not collected yet. */
static int process_exited(pid_t pid)
{
	char path[64], buf[512];
	const char *state;
	ssize_t n;
	int fd;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	state = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold anything but not end the field */
	return state && state[1] == ' ' && (state[2] == 'Z' || state[2] == 'X');
}

/* Waits until process pid has exited; 0 once it has, -1 after ms. */
static int wait_pid_exit(pid_t pid, long ms)
{
	long long deadline = now_ms() + ms;
	int pidfd = open_pidfd(pid);
	int rc = -1;

	if (pidfd < 0 && errno == ESRCH)
		return 0;
	for (;;) {
		long long left;

		if (pidfd < 0 && process_exited(pid)) {
			rc = 0;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0)
			break;
		if (daemon_gone_within(pidfd, left < 50 ? left : 50)) {
			rc = 0;
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

/* Never starts a daemon just to stop it. Returns once the daemon has exited, so that
 * `cache --stop-daemon; cache --start-daemon` restarts it rather than finding the old
 * one still answering (and then gone). */
static int cmd_stop_daemon(struct client *cl, const char *program)
{
	char *args[] = { (char *)"--stop-daemon", NULL };
	struct buf req = { 0 };
	struct reply rep = { 0 };
	int fd, rc, tag = -1;
	pid_t pid = -1;

	if (setup_paths(cl) != 0)
		return finish_admin(cl, -1, &rep);
	fd = try_connect(cl->sock);
	if (fd < 0 && no_daemon_errno(errno)) {
		fprintf(stderr, "cache: no daemon running\n");
		return 0;
	}
	if (fd < 0)
		fail(cl, "connecting to %s: %s", cl->sock, strerror(errno));
	else if (build_request(cl, &req, "admin", program, NULL, args) == 0) {
		pid = peer_pid(fd);
		tag = exchange(cl, fd, &req, &rep);
	}
	if (fd >= 0)
		close(fd);
	if (tag == 'R') {
		/* A daemon of another version exits when it refuses us: stopped too. */
		if (pid <= 0 || wait_pid_exit(pid, STOP_WAIT_MS) != 0)
			wait_daemon_exit(cl);
		fprintf(stderr, "cache: stopped a daemon of another version\n");
		return 0;
	}
	rc = finish_admin(cl, tag, &rep);
	if (rc == 0 && pid > 0 && wait_pid_exit(pid, STOP_WAIT_MS) != 0)
		fprintf(stderr, "cache: the daemon (pid %ld) has not exited after %d s\n", (long)pid,
			STOP_WAIT_MS / 1000);
	return rc;
}

/* --- supervised compiles ----------------------------------------------------- */

/* Needed by the signal handler, hence global. */
static volatile sig_atomic_t supervised_pgid;

static void supervise_on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (supervised_pgid > 0)
		kill(-(pid_t)supervised_pgid, SIGKILL);
	errno = saved;
}

/* The supervisor's own failures (it could not tie itself to the daemon, fork,
 * exec, wait) end in this status with SUPERVISE_MARK first on stderr, so the
 * daemon never takes them for the compiler's answer (SupervisedProcessRunner). */
#define SUPERVISE_FAILED 125
#define SUPERVISE_MARK "cache: --cache-supervise: "

__attribute__((noreturn))
static void supervised_child(char **argv)
{
	setpgid(0, 0);
	reset_signals();
	exec_as_shell_would(argv[0], argv, 1);
	fprintf(stderr, SUPERVISE_MARK "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(SUPERVISE_FAILED);
}

/* `--cache-supervise COMPILER ARGS...`: run the compiler in its own process group
 * and take the whole group down when the daemon dies or asks us to stop, so no
 * orphaned compiler keeps writing an object a fallback compile also writes. */
static int run_supervise(char **argv)
{
	struct sigaction sa;
	sigset_t stops, old;
	pid_t pid;
	int status;

	if (!argv[0]) {
		fprintf(stderr, SUPERVISE_MARK "needs a compiler\n");
		return SUPERVISE_FAILED;
	}
	/* The "parent" of PR_SET_PDEATHSIG is the daemon THREAD that spawned us: the
	 * daemon must wait for us on that thread (SupervisedProcessRunner.run does). */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
		fprintf(stderr, SUPERVISE_MARK "prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
		return SUPERVISE_FAILED;
	}
	if (getppid() == 1) {
		/* the daemon died before we could tie ourselves to it */
		fprintf(stderr, SUPERVISE_MARK "the daemon is gone\n");
		return SUPERVISE_FAILED;
	}
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	/* Blocked until the group exists, so a stop request cannot slip between. */
	sigprocmask(SIG_BLOCK, &stops, &old);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = supervise_on_signal;
	sa.sa_mask = stops;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, SUPERVISE_MARK "fork: %s\n", strerror(errno));
		return SUPERVISE_FAILED;
	}
	if (pid == 0)
		supervised_child(argv);
	/* Also set here: whichever of us runs first, the group exists before the
	 * signals are unblocked.  EACCES means the child already exec'd (after its
	 * own setpgid). */
	setpgid(pid, pid);
	supervised_pgid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, SUPERVISE_MARK "waitpid: %s\n", strerror(errno));
			return SUPERVISE_FAILED;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127;
}

/* --- --install-links ----------------------------------------------------------- */

static const char *const fixed_links[] = { "cc", "c++", "gcc", "g++", "clang", "clang++" };

static const char *const link_patterns[] = {
	"gcc-[0-9]*", "g++-[0-9]*", "clang-[0-9]*", "clang++-[0-9]*",
	"*-linux-gnu-gcc", "*-linux-gnu-g++",
	"*-linux-gnu-gcc-[0-9]*", "*-linux-gnu-g++-[0-9]*",
};

/* Names already linked, so a compiler found in several PATH dirs is done once. */
struct names {
	char **v;
	size_t n, cap;
};

/* 1 when added, 0 when already present, -1 when out of memory. */
static int names_add(struct names *s, const char *name)
{
	char **v;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 0;
	if (s->n == s->cap) {
		v = realloc(s->v, (s->cap ? s->cap * 2 : 64) * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	s->v[s->n] = strdup(name);
	return s->v[s->n] ? (s->n++, 1) : -1;
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];

	if (strlen(dir) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(tmp, dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Creates dir/name -> target.  An existing symlink is replaced atomically (via
 * rename) so a running build never sees the name missing; anything else that
 * already has the name is the user's and is left alone. */
static void make_link(const char *dir, const char *name, const char *target)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
	    snprintf(tmp, sizeof tmp, "%s/.%s.cache-link-%ld", dir, name,
		     (long)getpid()) >= (int)sizeof tmp) {
		fprintf(stderr, "cache: %s/%s: path too long\n", dir, name);
		return;
	}
	if (symlink(target, path) != 0) {
		if (errno != EEXIST) {
			fprintf(stderr, "cache: cannot create %s: %s\n", path, strerror(errno));
			return;
		}
		if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
			fprintf(stderr, "cache: %s exists and is not a symbolic link; left alone\n",
				path);
			return;
		}
		unlink(tmp);
		if (symlink(target, tmp) != 0 || rename(tmp, path) != 0) {
			fprintf(stderr, "cache: cannot replace %s: %s\n", path, strerror(errno));
			unlink(tmp);
			return;
		}
	}
	printf("%s -> %s\n", path, target);
}

static int is_compiler_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(link_patterns); i++)
		if (fnmatch(link_patterns[i], name, 0) == 0)
			return 1;
	return 0;
}

static void link_compilers_in(const char *pdir, const char *dir, struct names *seen,
			      const char *target)
{
	DIR *d = opendir(pdir);
	struct dirent *e;
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!is_compiler_name(e->d_name) ||
		    fstatat(dirfd(d), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode) ||
		    faccessat(dirfd(d), e->d_name, X_OK, 0) != 0)
			continue;
		if (names_add(seen, e->d_name) > 0)
			make_link(dir, e->d_name, target);
	}
	closedir(d);
}

/* Every PATH directory except dir itself (linking our own links would be silly). */
static void link_path_compilers(const char *dir, const struct stat *dst,
				struct names *seen, const char *target)
{
	char pdir[PATH_MAX];
	struct stat st;
	size_t len;

	for (const char *p = path_list(); p;) {
		p = path_entry(p, pdir, sizeof pdir, &len);
		if (len && stat(pdir, &st) == 0 &&
		    !(st.st_dev == dst->st_dev && st.st_ino == dst->st_ino))
			link_compilers_in(pdir, dir, seen, target);
	}
}

static int cmd_install_links(struct client *cl, const char *dir)
{
	const char *target = self_path(cl);
	struct names seen = { 0 };
	struct stat dst;

	if (!target) {
		fprintf(stderr, "cache: %s\n", cl->reason);
		return 1;
	}
	if (mkdir_p(dir) != 0 || stat(dir, &dst) != 0) {
		fprintf(stderr, "cache: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(dst.st_mode)) {
		fprintf(stderr, "cache: %s is not a directory\n", dir);
		return 1;
	}
	for (size_t i = 0; i < ARRAY_LEN(fixed_links); i++)
		if (names_add(&seen, fixed_links[i]) > 0)
			make_link(dir, fixed_links[i], target);
	link_path_compilers(dir, &dst, &seen, target);
	names_free(&seen);
	return 0;
}

/* --- entry point ------------------------------------------------------------- */

static int usage(void)
{
	fputs("usage: cache COMPILER [ARGS...]     compile through the cache\n"
	      "       cache --start-daemon           start the daemon if it is not running\n"
	      "       cache --stop-daemon            stop the daemon\n"
	      "       cache --install-links DIR      create compiler-named links to cache in DIR\n"
	      "       cache --monitor [SECONDS]      the farm's jobs in flight, like distccmon-text\n"
	      "       cache --OPTION [ARGS...]       ask the daemon (try --help)\n"
	      "Run under a compiler's name (through such a link), cache acts as that compiler.\n",
	      stderr);
	return 1;
}

static void init_client(struct client *cl)
{
	const char *t = getenv("CACHE_START_TIMEOUT_MS");
	char *end;
	long ms;

	cl->debug = getenv("CACHE_DEBUG_CLIENT") != NULL;
	cl->start_timeout_ms = DEFAULT_START_TIMEOUT_MS;
	if (t && *t) {
		errno = 0;
		ms = strtol(t, &end, 10);
		if (!*end && errno == 0 && ms >= 0)
			cl->start_timeout_ms = ms;
	}
	cl->self[0] = cl->cwd[0] = cl->reason[0] = '\0';
	cl->self_known = 0;
}

/* Options of `cache` itself; anything else starting with '-' goes to the daemon. */
static int run_cache_command(struct client *cl, int argc, char **argv)
{
	const char *opt = argv[1];

	if (strcmp(opt, "--cache-supervise") == 0)
		return run_supervise(argv + 2);
	if (strcmp(opt, "--install-links") == 0)
		return argc == 3 ? cmd_install_links(cl, argv[2]) : usage();
	if (strcmp(opt, "--start-daemon") == 0 && argc == 2)
		return cmd_start_daemon(cl);
	if (strcmp(opt, "--stop-daemon") == 0 && argc == 2)
		return cmd_stop_daemon(cl, base_name(argv[0]));
	if (strcmp(opt, "--monitor") == 0 && argc <= 3)
		return cmd_monitor(cl, base_name(argv[0]), argc == 3 ? argv[2] : NULL);
	return run_admin(cl, base_name(argv[0]), argv + 1);
}

int main(int argc, char **argv)
{
	struct client cl;
	const char *base;

	if (argc < 1 || !argv[0])
		return usage();
	init_client(&cl);
	base = base_name(argv[0]);
	if (strcmp(base, "ccache") == 0)
		self_name = "ccache";
	if (strcmp(base, "cache") != 0 && strcmp(base, "ccache") != 0) {
		/* Masquerade: the compiler is named by the link we were run through. */
		argv[0] = (char *)base;
		return run_compile(&cl, argv);
	}
	if (argc < 2 && strcmp(base, "ccache") == 0)
		return run_admin(&cl, base, argv + 1); /* ccache's usage text, status 1 */
	if (argc < 2)
		return usage();
	if (argv[1][0] == '-')
		return run_cache_command(&cl, argc, argv);
	return run_compile(&cl, skip_self(argv + 1));
}
