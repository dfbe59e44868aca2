/*
 * printrelease CUPS backend: streams each job from the virtual queue to the printrelease capture API.
 *
 * Device URI: printrelease://capture:TOKEN@HOST:PORT  (the token is the queue's capture credential).
 *
 * CUPS runs one backend per queue at a time and starts it afresh for every job, so its start-up cost
 * is the queue's throughput. A Python backend spent ~9 ms of CPU per job, most of it starting the
 * interpreter; this one spends well under 1 ms (see BENCHMARKS.md). It speaks just enough HTTP/1.1.
 *
 * Exit codes follow backend(7): a document the server refuses (corrupt, empty, too large) cancels the
 * job with the reason as the job's message (5); a server that cannot be reached, answers 503 or refuses
 * the credential stops the queue with the job kept pending (4), so nothing is lost however long the
 * outage lasts and no retry limit applies. The printrelease server re-enables the queue when it is back.
 * Any other server error is this one job's trouble: CUPS retries the job later while the queue goes on
 * (6), and the server refuses a job that keeps failing, so that it is cancelled with the reason.
 *
 * The server may answer before it has read the body (a 401, or a 413 for a declared size) and close the
 * connection: the upload then breaks (SIGPIPE is ignored, so that is an error, not death) and the reply
 * that came is read all the same.
 */

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

enum { OK = 0, STOP = 4, CANCEL = 5, RETRY = 6 };
enum { ATTEMPTS = 3, TIMEOUT_S = 300, CHUNK = 256 * 1024, REPLY_MAX = 64 * 1024 };

static void say(const char *level, const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "%s: ", level);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    fflush(stderr);
}

/* Percent-encode the raw bytes of an argument (invalid UTF-8 included); the caller frees. */
static char *quote(const char *value) {
    static const char hex[] = "0123456789ABCDEF";
    size_t length = strlen(value);
    char *out = malloc(length * 3 + 1), *p = out;
    if (!out) exit(STOP);
    for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '.' || *s == '_' || *s == '~') {
            *p++ = (char)*s;
        } else {
            *p++ = '%';
            *p++ = hex[*s >> 4];
            *p++ = hex[*s & 15];
        }
    }
    *p = '\0';
    return out;
}

/* Only characters that cannot break out of an HTTP header line. */
static int header_safe(const char *value) {
    for (const unsigned char *s = (const unsigned char *)value; *s; s++)
        if (*s < 0x21 || *s > 0x7e) return 0;
    return 1;
}

struct target { char host[256]; char port[16]; char token[512]; };

static int parse_uri(const char *uri, struct target *t) {
    const char *rest = strstr(uri, "://");
    rest = rest ? rest + 3 : uri;
    size_t hostpart_length = strcspn(rest, "/");
    char hostpart[1024];
    if (hostpart_length >= sizeof hostpart) return -1;
    memcpy(hostpart, rest, hostpart_length);
    hostpart[hostpart_length] = '\0';
    char *host = hostpart, *at = strrchr(hostpart, '@');
    t->token[0] = '\0';
    if (at) {
        *at = '\0';
        char *colon = strchr(hostpart, ':');
        const char *token = colon ? colon + 1 : hostpart;
        if (strlen(token) >= sizeof t->token) return -1;
        strcpy(t->token, token);
        host = at + 1;
    }
    char *colon = strrchr(host, ':');
    snprintf(t->port, sizeof t->port, "%s", colon ? colon + 1 : "8631");
    if (colon) *colon = '\0';
    if (*host == '[') {
        host++;
        host[strcspn(host, "]")] = '\0';
    }
    if (strlen(host) >= sizeof t->host || !*host) return -1;
    strcpy(t->host, host);
    return header_safe(t->token) ? 0 : -1;
}

/* A blocking socket with kernel timeouts; a few quick retries ride out a server restart. */
static int connect_to(const struct target *t, char *problem, size_t problem_size) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found, *a;
    struct timeval timeout = {.tv_sec = TIMEOUT_S};
    int one = 1;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        int status = getaddrinfo(t->host, t->port, &hints, &found);
        if (status != 0) {
            snprintf(problem, problem_size, "cannot resolve %s (%s)", t->host, gai_strerror(status));
        } else {
            for (a = found; a; a = a->ai_next) {
                int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
                if (fd < 0) continue;
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
                    freeaddrinfo(found);
                    return fd;
                }
                snprintf(problem, problem_size, "%s", strerror(errno));
                close(fd);
            }
            freeaddrinfo(found);
        }
        if (attempt < ATTEMPTS - 1) {
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 500000000L * (attempt + 1)};
            if (pause.tv_nsec >= 1000000000L) { pause.tv_sec = 1; pause.tv_nsec -= 1000000000L; }
            nanosleep(&pause, NULL);
        }
    }
    return -1;
}

static int send_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += sent;
        length -= (size_t)sent;
    }
    return 0;
}

static int send_body(int fd, int document, long long size) {
    if (size >= 0) {
        off_t offset = 0;
        while (offset < size) {
            ssize_t sent = sendfile(fd, document, &offset, (size_t)(size - offset));
            if (sent < 0 && errno == EINTR) continue;
            if (sent <= 0) return -1;
        }
        return 0;
    }
    static char buffer[CHUNK];
    for (;;) {
        ssize_t got = read(document, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return -1;
        char head[32];
        int head_length = snprintf(head, sizeof head, "%zX\r\n", (size_t)got);
        if (send_all(fd, head, (size_t)head_length) || send_all(fd, buffer, (size_t)got) ||
            send_all(fd, "\r\n", 2))
            return -1;
        if (got == 0) return 0;  /* the zero-length chunk just sent ends the body */
    }
}

/* Read the reply to its Content-Length (waiting for the server to close would add latency per job). */
static int read_reply(int fd, char *body, size_t body_size) {
    static char reply[REPLY_MAX + 1];
    size_t have = 0;
    long content_length = -1;
    char *body_start = NULL;
    for (;;) {
        ssize_t got = recv(fd, reply + have, REPLY_MAX - have, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && have == 0) return -1;
        if (got < 0) break;  /* reset after the reply came: what came is the answer */
        have += (size_t)got;
        reply[have] = '\0';
        if (!body_start && (body_start = strstr(reply, "\r\n\r\n"))) {
            body_start += 4;
            for (char *line = strstr(reply, "\r\n"); line && line < body_start; line = strstr(line + 2, "\r\n"))
                if (strncasecmp(line + 2, "Content-Length:", 15) == 0) content_length = atol(line + 17);
        }
        if (got == 0 || have == REPLY_MAX ||
            (body_start && content_length >= 0 && (long)(reply + have - body_start) >= content_length))
            break;
    }
    int status = 0;
    if (strncmp(reply, "HTTP/", 5) == 0) {
        const char *space = strchr(reply, ' ');
        if (space) status = atoi(space + 1);
    }
    snprintf(body, body_size, "%s", body_start ? body_start : "");
    body[strcspn(body, "\r\n")] = '\0';
    return status;
}

int main(int argc, char *argv[]) {
    signal(SIGPIPE, SIG_IGN);  /* a connection the server closed is an error to handle, not a way to die */
    if (argc == 1) {
        puts("network printrelease \"Unknown\" \"printrelease secure print (hold until released)\"");
        return OK;
    }
    if (argc != 6 && argc != 7) {
        say("ERROR", "usage: printrelease job-id user title copies options [file]");
        return CANCEL;
    }
    struct target t;
    const char *uri = getenv("DEVICE_URI");
    if (!uri || parse_uri(uri, &t) != 0) {
        say("ERROR", "bad device URI; expected printrelease://capture:TOKEN@HOST:PORT");
        return STOP;
    }
    const char *type = getenv("FINAL_CONTENT_TYPE");  /* what the PPD's filters made of the document */
    if (!type || !*type) type = getenv("CONTENT_TYPE");
    if (!type || !*type || !header_safe(type)) type = "application/pdf";

    int document = 0;
    long long size = -1;
    if (argc == 7) {
        struct stat info;
        document = open(argv[6], O_RDONLY);
        if (document < 0 || fstat(document, &info) != 0) {
            say("ERROR", "cannot read the job's file %s: %s", argv[6], strerror(errno));
            return CANCEL;
        }
        size = info.st_size;
    }
    const char *queue = getenv("PRINTER");
    char *fields[6] = {quote(argv[1]), quote(argv[2]), quote(argv[3]), quote(argv[4]), quote(argv[5]),
                       quote(queue ? queue : "")};
    size_t head_size = 1024 + strlen(t.host) + strlen(t.token) + strlen(type);
    for (int i = 0; i < 6; i++) head_size += strlen(fields[i]);
    char *head = malloc(head_size);
    char length_header[64];
    if (!head) return STOP;
    if (size >= 0) snprintf(length_header, sizeof length_header, "Content-Length: %lld", size);
    else snprintf(length_header, sizeof length_header, "Transfer-Encoding: chunked");
    int head_length = snprintf(head, head_size,
        "POST /api/v1/capture HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\nAccept: text/plain\r\n"
        "Authorization: Bearer %s\r\nContent-Type: %s\r\nX-Job-Id: %s\r\nX-Job-User: %s\r\n"
        "X-Job-Title: %s\r\nX-Job-Copies: %s\r\nX-Job-Options: %s\r\nX-Job-Queue: %s\r\n%s\r\n\r\n",
        t.host, t.port, t.token, type, fields[0], fields[1], fields[2], fields[3], fields[4], fields[5],
        length_header);

    char problem[512] = "", body[1024] = "";
    int status = 0;
    int fd = connect_to(&t, problem, sizeof problem);
    if (fd < 0) {
        snprintf(body, sizeof body, "printrelease server at %s:%s unreachable (%s)", t.host, t.port, problem);
    } else {
        int sent = send_all(fd, head, (size_t)head_length) == 0 && send_body(fd, document, size) == 0;
        int send_errno = errno;
        /* Even after a broken upload: the server may have answered (401, 413) before it closed. */
        status = read_reply(fd, body, sizeof body);
        if (status <= 0) {
            /* Stdin cannot be re-read after a broken upload; CUPS hands us the whole job again later. */
            snprintf(body, sizeof body, "printrelease server at %s:%s unreachable (%s)", t.host, t.port,
                     strerror(sent ? errno : send_errno));
            status = 0;
        }
    }
    if (fd >= 0) close(fd);

    if (status == 200 || status == 201) {
        say("INFO", "%s", body);
        return OK;
    }
    if (status == 400 || status == 413 || status == 415 || status == 422) {
        say("ERROR", "refused by printrelease: %s", body);
        return CANCEL;
    }
    if (status >= 500 && status != 503) {
        say("ERROR", "printrelease could not capture this job (server error %d: %s); CUPS will retry it", status,
            body);
        return RETRY;
    }
    if (status == 401 || status == 403)
        snprintf(body, sizeof body, "printrelease refused this queue's capture credential "
                                    "(see 'printrelease cups install-queue')");
    else if (status != 0) {
        char detail[900];
        snprintf(detail, sizeof detail, "%s", body);
        snprintf(body, sizeof body, "printrelease server error %d: %s", status, detail);
    }
    say("ERROR", "%s; queue paused, job kept until the server is back", body);
    return STOP;
}
